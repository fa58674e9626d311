from rest_framework import serializers

from portfolio.api.serializers import PersonRefSerializer
from reflect import limits

from ..models import ArcpExport, ArcpReview
from ..services import OUTCOME_CODES, REASON_CODES


class ArcpExportSerializer(serializers.ModelSerializer):
    """A recorded pack: `{"id", "learner", "period_from", "period_to", "sha256", "created_at",
    "created_by"}` (`learner` and `created_by` are user ids)."""

    class Meta:
        model = ArcpExport
        fields = ["id", "learner", "period_from", "period_to", "sha256", "created_at", "created_by"]
        read_only_fields = fields


class PeriodQuerySerializer(serializers.Serializer):
    """`?from=YYYY-MM-DD&to=YYYY-MM-DD` (both required; `from` ≤ `to`)."""

    def get_fields(self):
        return {
            "from": serializers.DateField(input_formats=["%Y-%m-%d"]),
            "to": serializers.DateField(input_formats=["%Y-%m-%d"]),
        }

    def validate(self, attrs):
        if attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": ["`to` must not be before `from`."]})
        return attrs


class VerifyRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The PDF copy to check.")


class VerifyResponseSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    export_id = serializers.UUIDField(allow_null=True)


class ArcpReviewSerializer(serializers.ModelSerializer):
    """Input: `{"learner", "period_from", "period_to", "export", "outcome", "reason_codes"?,
    "comments"?}`. Rules (panel, reason codes, the pack's learner) live in `arcp.services`."""

    learner = serializers.IntegerField(source="learner_id", help_text="The learner's user id.")
    export = serializers.UUIDField(source="export_id", help_text="Id of the ARCP pack the panel judged from.")
    outcome = serializers.ChoiceField(choices=[(c, c) for c in OUTCOME_CODES])
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    reason_codes = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(REASON_CODES)), required=False, default=list
    )
    comments = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.LONG_TEXT
    )
    examiner = PersonRefSerializer(read_only=True)

    class Meta:
        model = ArcpReview
        fields = [
            "id",
            "learner",
            "period_from",
            "period_to",
            "export",
            "outcome",
            "outcome_label",
            "reason_codes",
            "comments",
            "examiner",
            "created_at",
        ]
        read_only_fields = ["id", "outcome_label", "examiner", "created_at"]
