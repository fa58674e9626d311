"""Shapes of the patient-representative feedback API (contract: "Patient-representative
feedback"). Serializers check shapes only; the rules live in `feedback.services`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from feedback.models import Feedback, RespondentType
from portfolio.api.serializers import PersonRefSerializer
from reflect import limits


class InvitationCreateSerializer(serializers.Serializer):
    learner = serializers.IntegerField(
        help_text="Id of the learner (must be allocated to the calling tutor)."
    )
    context_title = serializers.CharField(max_length=limits.TITLE, help_text="What the session was about.")
    occurred_on = serializers.DateField()
    # No `default=""`: the schema would then declare a default that is not an e-mail address
    # (openapi-spec-validator refuses it); the view reads a missing e-mail as "".
    email = serializers.EmailField(
        required=False, allow_blank=True, help_text="If given, the link is e-mailed there."
    )
    respondent_type = serializers.ChoiceField(
        choices=RespondentType.choices,
        required=False,
        default=RespondentType.PATIENT,
        help_text="Who is asked; each type answers its own instrument.",
    )
    placement = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of the placement this is about (optional)."
    )


class InvitationCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    respond_url = serializers.URLField(help_text="The one-time link (public page). Shown once; not stored.")
    expires_at = serializers.DateTimeField()


class ScaleStepSerializer(serializers.Serializer):
    value = serializers.IntegerField(allow_null=True, help_text="1–5, or null for “does not apply”.")
    label = serializers.CharField()


class InstrumentItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    prompt = serializers.CharField()
    scale = ScaleStepSerializer(many=True)
    themes = serializers.ListField(
        child=serializers.CharField(), help_text="Theme codes this statement informs."
    )


class InstrumentRefSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The respondent type the instrument is for.")
    title = serializers.CharField()
    version = serializers.IntegerField(help_text="The instrument version this link asks.")


class RespondContextSerializer(serializers.Serializer):
    learner_display_name = serializers.CharField(help_text="The learner's first name only.")
    context_title = serializers.CharField()
    occurred_on = serializers.DateField()
    respondent_type = serializers.ChoiceField(choices=RespondentType.choices)
    instrument = InstrumentRefSerializer()
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Feedback.RespondentRole.choices),
        help_text="The values `respondent_role` may take for this link.",
    )
    items = InstrumentItemSerializer(many=True)


class RespondSubmitSerializer(serializers.Serializer):
    ratings = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        required=False,
        default=dict,
        help_text="Statement key → a value of its scale, or null for “does not apply”. Keys not sent "
        "count as not answered.",
    )
    comments = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=True,
        max_length=limits.FEEDBACK_COMMENTS,
    )
    anonymous = serializers.BooleanField(required=False, default=False)
    respondent_role = serializers.ChoiceField(choices=Feedback.RespondentRole.choices)
    respondent_name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=limits.NAME,
        help_text="Ignored when anonymous.",
    )


class RespondDoneSerializer(serializers.Serializer):
    """`{"detail": "..."}`: the thank-you message, and the shape of every error body."""

    detail = serializers.CharField()


class FeedbackSerializer(serializers.ModelSerializer):
    learner = PersonRefSerializer(read_only=True)
    respondent_name = serializers.SerializerMethodField()
    instrument = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = [
            "id",
            "learner",
            "context_title",
            "occurred_on",
            "ratings",
            "comments",
            "respondent_type",
            "instrument",
            "respondent_role",
            "respondent_name",
            "submitted_at",
            "withdrawn_at",
        ]
        read_only_fields = fields

    @extend_schema_field(InstrumentRefSerializer)
    def get_instrument(self, obj) -> dict:
        return {"key": obj.instrument.key, "title": obj.instrument.title, "version": obj.instrument.version}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_respondent_name(self, obj) -> str | None:
        if obj.anonymous:
            return None
        return obj.respondent_name or None


class ColleagueRoundSerializer(serializers.Serializer):
    """A colleague round: its rules and state, and its combined results where the caller may
    see them (the learner and the panel only once released). Never an individual answer."""

    id = serializers.IntegerField()
    learner = PersonRefSerializer()
    title = serializers.CharField()
    closes_on = serializers.DateField()
    min_responses = serializers.IntegerField()
    required_mix = serializers.DictField(
        child=serializers.IntegerField(), help_text="Role → minimum answers."
    )
    released_at = serializers.DateTimeField(allow_null=True)
    results = serializers.SerializerMethodField(
        help_text="Means per statement (null below three answers), the tutor's summary once released; "
        "null when the caller may not see them yet."
    )

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_results(self, obj) -> dict | None:
        return self.context["results"](obj)
