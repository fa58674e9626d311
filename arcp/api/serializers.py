import datetime

from rest_framework import serializers

from portfolio.api.serializers import PersonRefSerializer
from reflect import limits

from .. import services
from ..models import ArcpExport, ArcpReview, SupervisorReport, SupervisorReportTheme
from ..services import OUTCOME_CODES


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
    "comments"?, "actions"?, "next_review_on"?}`, and to correct a recorded outcome
    `"supersedes"` (its id) with `"correction_reason"` (an extension: the old record is kept).
    Every rule (panel, the GMC's code tables for the learner's programme type, the pack's
    learner, dates) lives in `arcp.services.check_review`; reason codes are checked there so
    that a wrong or unknown code is a 400 naming it under `reason_codes`."""

    learner = serializers.IntegerField(source="learner_id", help_text="The learner's user id.")
    export = serializers.UUIDField(source="export_id", help_text="Id of the ARCP pack the panel judged from.")
    outcome = serializers.ChoiceField(
        choices=[(c, c) for c in OUTCOME_CODES],
        help_text='A Gold Guide outcome, or "none" when no outcome was awarded (with N codes).',
    )
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    reason_codes = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        default=list,
        max_length=40,
        help_text="U codes for unsatisfactory outcomes (3, 4, 5 in foundation; 2, 3, 4, 7.2, 7.3 in "
        'specialty and undergraduate), C codes for 10.1 and 10.2, N codes for "none".',
    )
    comments = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.LONG_TEXT
    )
    actions = serializers.CharField(required=False, allow_blank=True, default="", max_length=limits.LONG_TEXT)
    next_review_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Required for outcomes 2–5."
    )
    supersedes = serializers.IntegerField(
        source="supersedes_id",
        required=False,
        allow_null=True,
        default=None,
        help_text="Id of the recorded outcome this one corrects (it is kept, never edited).",
    )
    superseded_by = serializers.SerializerMethodField()
    correction_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.LONG_TEXT
    )
    examiner = PersonRefSerializer(read_only=True)
    appeal_kind = serializers.SerializerMethodField(
        help_text='What the learner may ask about this outcome: "review" (outcome 2), "appeal" '
        "(3, 4), or null (any other outcome)."
    )
    appeal_closes_on = serializers.SerializerMethodField(
        help_text="The last day (inclusive) to ask: the 10th working day after the outcome was "
        "recorded (weekends and ARCP_BANK_HOLIDAYS excluded); null when the outcome takes no request."
    )

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
            "actions",
            "next_review_on",
            "acknowledged_at",
            "appeal_requested_at",
            "appeal_kind",
            "appeal_closes_on",
            "appeal_reason",
            "learner_response",
            "responded_at",
            "supersedes",
            "superseded_by",
            "correction_reason",
            "examiner",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "outcome_label",
            "acknowledged_at",
            "appeal_requested_at",
            "appeal_reason",
            "learner_response",
            "responded_at",
            "examiner",
            "created_at",
        ]

    def get_appeal_kind(self, obj) -> str | None:
        return services.APPEAL_KINDS.get(obj.outcome)

    def get_appeal_closes_on(self, obj) -> datetime.date | None:
        return services.appeal_window(obj).closes_on

    def get_superseded_by(self, obj) -> int | None:
        later = getattr(obj, "superseded_by", None)
        return later.pk if later is not None else None


class ReviewResponseRequestSerializer(serializers.Serializer):
    """`{"response": "..."}`: the learner's written response (plain text, at most 10,000
    characters), shown to the panel; one per outcome."""

    response = serializers.CharField(allow_blank=True, trim_whitespace=False)


class AppealRequestSerializer(serializers.Serializer):
    """`{"reason": "..."}`: why the learner asks for a review of outcome 2 or appeals 3 or 4
    (plain text, at most 10,000 characters)."""

    reason = serializers.CharField(allow_blank=True, trim_whitespace=False)


class SupervisorReportThemeSerializer(serializers.ModelSerializer):
    """The tutor's words on one of the eight themes: `{"code", "title", "progress"}`."""

    code = serializers.CharField(source="theme.code", read_only=True)
    title = serializers.CharField(source="theme.title", read_only=True)

    class Meta:
        model = SupervisorReportTheme
        fields = ["code", "title", "progress"]
        read_only_fields = fields


class SupervisorReportSerializer(serializers.ModelSerializer):
    """An educational supervisor's report (contract v1.1, "Supervisor's reports"): `{"id",
    "learner", "author", "period_from", "period_to", "recommendation" (satisfactory |
    unsatisfactory | insufficient_evidence), "status" (draft | shared | signed), "signed_at"}`
    (`learner` and `author` are user ids). Read-only: reports are written on the site.

    An extension (the contract welcomes them; it changes none of its fields): `themes`, the
    tutor's text on each theme they wrote up, in framework order."""

    themes = SupervisorReportThemeSerializer(source="theme_sections", many=True, read_only=True)

    class Meta:
        model = SupervisorReport
        fields = [
            "id",
            "learner",
            "author",
            "period_from",
            "period_to",
            "recommendation",
            "status",
            "signed_at",
            "themes",
        ]
        read_only_fields = fields
