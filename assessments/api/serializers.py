"""Assessments API shapes, exactly as the contract says ("Assessments")."""

from __future__ import annotations

from rest_framework import serializers

from portfolio.api.rows import RowSerializer
from portfolio.api.serializers import PersonRefSerializer
from reflect import limits

from ..models import Assessment


# The shapes below read rows (`portfolio.api.rows`): their docstrings are the schema's
# descriptions, so notes on the rows are comments.
class RubricRefSerializer(RowSerializer):
    # Nested with source="*": columns of the assessment's row.
    id = serializers.IntegerField(source="rubric_id", read_only=True)
    version = serializers.IntegerField(source="rubric__version", read_only=True)


class ScoreSerializer(RowSerializer):
    # A row of `columns()`; `points` is the level's (null without a level).
    criterion = serializers.IntegerField(source="criterion_id", read_only=True)
    level = serializers.IntegerField(source="level_id", read_only=True, allow_null=True)
    points = serializers.IntegerField(source="level__points", read_only=True, allow_null=True)
    # Declared as the model's field was (the schema has always said so); only ever read.
    comment = serializers.CharField(required=False, allow_blank=True, max_length=limits.COMMENT)


class AssessmentSerializer(RowSerializer):
    """Read shape. `supersedes` / `superseded_by` are extensions (ids or null)."""

    # List and detail: a row of `columns()` with its scores attached (`scores`, criterion order).

    id = serializers.IntegerField(read_only=True)
    reflection = serializers.IntegerField(source="reflection_id", read_only=True)
    learner = PersonRefSerializer(prefix="reflection__learner", read_only=True)
    rubric = RubricRefSerializer(source="*", read_only=True)
    assessor = PersonRefSerializer(prefix="assessor", read_only=True)
    status = serializers.ChoiceField(choices=Assessment.Status.choices, read_only=True)
    scores = ScoreSerializer(many=True, read_only=True)
    total = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=False, read_only=True)
    max_score = serializers.DecimalField(
        max_digits=10, decimal_places=2, coerce_to_string=False, read_only=True
    )
    overall_comment = serializers.CharField(read_only=True)
    finalised_at = serializers.DateTimeField(read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True)
    supersedes = serializers.IntegerField(source="supersedes_id", read_only=True, allow_null=True)
    superseded_by = serializers.IntegerField(source="superseded_by__id", read_only=True, allow_null=True)

    class Meta:
        children = ("scores",)


MAX_SCORES = 500  # more rows than any rubric has criteria


class ScoreInputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField()
    level = serializers.IntegerField(allow_null=True, required=False)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=limits.COMMENT)


class AssessmentCreateSerializer(serializers.Serializer):
    reflection = serializers.IntegerField()
    rubric = serializers.IntegerField()
    scores = ScoreInputSerializer(many=True, required=False, max_length=MAX_SCORES)
    overall_comment = serializers.CharField(required=False, allow_blank=True, max_length=limits.LONG_TEXT)


class AssessmentUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The `version` you read; a stale one → 409.")
    scores = ScoreInputSerializer(many=True, required=False, max_length=MAX_SCORES)
    overall_comment = serializers.CharField(required=False, allow_blank=True, max_length=limits.LONG_TEXT)


class FinaliseSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, help_text="Optional: the `version` you read.")


class MissingCriterionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class IncompleteSerializer(serializers.Serializer):
    detail = serializers.CharField()
    missing_criteria = MissingCriterionSerializer(many=True)
