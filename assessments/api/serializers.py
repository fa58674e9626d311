"""Assessments API shapes, exactly as the contract says ("Assessments")."""

from __future__ import annotations

from rest_framework import serializers

from portfolio.api.serializers import PersonRefSerializer
from reflect import limits
from reflect.api.rendering import column_renderers

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


# --- List fast path --------------------------------------------------------------------------
# The list endpoint renders pages from `.values()` rows (one query for the page, one for its
# scores) instead of model instances and nested serializers. The output must be byte-for-byte
# what `AssessmentSerializer` gives (tests/api/test_list_fast_path.py compares them): scalar
# values go through the very fields of `AssessmentSerializer`, nulls stay null as DRF does.
ASSESSMENT_LIST_COLUMNS = (
    "id",
    "reflection_id",
    "reflection__learner_id",
    "reflection__learner__first_name",
    "reflection__learner__last_name",
    "reflection__learner__username",
    "rubric_id",
    "rubric__version",
    "assessor_id",
    "assessor__first_name",
    "assessor__last_name",
    "assessor__username",
    "status",
    "total",
    "max_score",
    "overall_comment",
    "finalised_at",
    "version",
    "supersedes_id",
    "superseded_by__id",
)
SCORE_LIST_COLUMNS = ("assessment_id", "criterion_id", "level_id", "level__points", "comment")
_RENDERED = ("status", "total", "max_score", "overall_comment", "finalised_at", "version")
_fields: dict = {}


def _display_name(first: str, last: str, username: str) -> str:
    """`portfolio.people.display_name` from columns (User.get_full_name, else the username)."""
    return f"{first} {last}".strip() or username


def _field_renderers() -> dict:
    if not _fields:
        _fields.update(AssessmentSerializer().fields)
        _fields["score_comment"] = ScoreSerializer().fields["comment"]
    return column_renderers(_fields, (*_RENDERED, "score_comment"))


def assessment_list_data(rows: list[dict], score_rows) -> list[dict]:
    """Render a page of assessments exactly as `AssessmentSerializer(many=True)` would.

    Args:
        rows: the page, dicts of `ASSESSMENT_LIST_COLUMNS` in page order.
        score_rows: tuples of `SCORE_LIST_COLUMNS` for those assessments, in score order.

    Returns:
        A list of dicts with the serializer's keys, key order and values.
    """
    render = _field_renderers()
    comment = render["score_comment"]
    scores: dict[int, list[dict]] = {row["id"]: [] for row in rows}
    for assessment_id, criterion_id, level_id, points, text in score_rows:
        scores[assessment_id].append(
            {
                "criterion": criterion_id,
                "level": level_id,
                "points": points if level_id else None,
                "comment": comment(text) if text is not None else None,
            }
        )
    out = []
    for row in rows:
        values = {name: (None if row[name] is None else render[name](row[name])) for name in _RENDERED}
        out.append(
            {
                "id": row["id"],
                "reflection": row["reflection_id"],
                "learner": {
                    "id": row["reflection__learner_id"],
                    "display_name": _display_name(
                        row["reflection__learner__first_name"],
                        row["reflection__learner__last_name"],
                        row["reflection__learner__username"],
                    ),
                },
                "rubric": {"id": row["rubric_id"], "version": row["rubric__version"]},
                "assessor": {
                    "id": row["assessor_id"],
                    "display_name": _display_name(
                        row["assessor__first_name"], row["assessor__last_name"], row["assessor__username"]
                    ),
                },
                "status": values["status"],
                "scores": scores[row["id"]],
                "total": values["total"],
                "max_score": values["max_score"],
                "overall_comment": values["overall_comment"],
                "finalised_at": values["finalised_at"],
                "version": values["version"],
                "supersedes": row["supersedes_id"],
                "superseded_by": row["superseded_by__id"],
            }
        )
    return out


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
