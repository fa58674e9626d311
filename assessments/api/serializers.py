"""Assessments API shapes, exactly as the contract says ("Assessments")."""

from __future__ import annotations

from rest_framework import serializers

from portfolio.api.serializers import PersonRefSerializer

from ..models import Assessment, Score


class RubricRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class ScoreSerializer(serializers.ModelSerializer):
    criterion = serializers.IntegerField(source="criterion_id", read_only=True)
    level = serializers.IntegerField(source="level_id", read_only=True, allow_null=True)
    points = serializers.SerializerMethodField()

    class Meta:
        model = Score
        fields = ["criterion", "level", "points", "comment"]

    def get_points(self, obj) -> int | None:
        return obj.level.points if obj.level_id else None


class AssessmentSerializer(serializers.ModelSerializer):
    """Read shape. `supersedes` / `superseded_by` are extensions (ids or null)."""

    learner = PersonRefSerializer(source="reflection.learner", read_only=True)
    rubric = RubricRefSerializer(read_only=True)
    assessor = PersonRefSerializer(read_only=True)
    scores = ScoreSerializer(many=True, read_only=True)
    total = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=False, read_only=True)
    max_score = serializers.DecimalField(
        max_digits=10, decimal_places=2, coerce_to_string=False, read_only=True
    )
    superseded_by = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "reflection",
            "learner",
            "rubric",
            "assessor",
            "status",
            "scores",
            "total",
            "max_score",
            "overall_comment",
            "finalised_at",
            "version",
            "supersedes",
            "superseded_by",
        ]
        read_only_fields = fields

    def get_superseded_by(self, obj) -> int | None:
        try:
            return obj.superseded_by.pk
        except Assessment.DoesNotExist:
            return None


class ScoreInputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    level = serializers.IntegerField(allow_null=True, required=False)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class AssessmentCreateSerializer(serializers.Serializer):
    reflection = serializers.IntegerField()
    rubric = serializers.IntegerField()
    scores = ScoreInputSerializer(many=True, required=False)
    overall_comment = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class AssessmentUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The `version` you read; a stale one → 409.")
    scores = ScoreInputSerializer(many=True, required=False)
    overall_comment = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class FinaliseSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, help_text="Optional: the `version` you read.")


class MissingCriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class IncompleteSerializer(serializers.Serializer):
    detail = serializers.CharField()
    missing_criteria = MissingCriterionSerializer(many=True)
