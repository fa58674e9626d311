"""Feedback from people without accounts: one-time-link invitations and the answers.

The tables keep the names they had in the `assessments` app (moved with
`SeparateDatabaseAndState`, see migrations/0001_initial.py).
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, CharField, Value, When
from django.db.models.functions import Now
from django.utils import timezone

from reflect import limits

User = settings.AUTH_USER_MODEL
NOT_APPLICABLE_LABEL = "Does not apply"


class RespondentType(models.TextChoices):
    """Who answers a link; each type has its own instrument (`Instrument.key`)."""

    PATIENT = "patient", "Patient or patient representative"
    CARER = "carer", "Carer"
    COMMUNITY_PARTNER = "community_partner", "Community partner"
    PLACEMENT_SUPERVISOR = "placement_supervisor", "Placement supervisor"
    COLLEAGUE = "colleague", "Colleague"


class InstrumentQuerySet(models.QuerySet):
    def current(self, key: str) -> Instrument:
        """The newest version of the instrument `key` (DoesNotExist if there is none)."""
        return self.filter(key=key).order_by("-version")[:1].get()


class Instrument(models.Model):
    """One version of the questionnaire a respondent type answers, kept as data.

    Like a published rubric, a version in use (any invitation points at it) never changes:
    `save()` refuses to alter its content, and `feedback.services.instruments.revise` makes
    the next version instead. Answers keep the version they were given on.

    `scale`: ``[[value, label], ...]``; `roles`: the `Feedback.RespondentRole` values a
    respondent may choose; `items`: ``[{"key", "prompt", "themes": [theme codes]}]``.
    """

    CONTENT_FIELDS = ("title", "question", "scale", "roles", "items")

    key = models.CharField(max_length=32, choices=RespondentType.choices)
    version = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=200)
    question = models.CharField(
        max_length=200, help_text="The heading above the statements; {name} is the learner's first name."
    )
    scale = models.JSONField(default=list)
    roles = models.JSONField(default=list)
    items = models.JSONField(default=list)
    content_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="instrument_key_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    def save(self, *args, **kwargs):
        new_hash = self.compute_hash()
        if self.pk is not None and self.content_hash and new_hash != self.content_hash and self.in_use():
            raise ValidationError(
                "This instrument is in use and cannot change; revise it to make a new version."
            )
        self.content_hash = new_hash
        super().save(*args, **kwargs)

    def content(self) -> dict:
        return {field: getattr(self, field) for field in self.CONTENT_FIELDS}

    def compute_hash(self) -> str:
        canonical = json.dumps(self.content(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def in_use(self) -> bool:
        return self.pk is not None and self.invitations.exists()

    # --- Reading the content -------------------------------------------------------------
    @property
    def keys(self) -> list[str]:
        return [item["key"] for item in self.items]

    @property
    def scale_values(self) -> list[int]:
        return [value for value, _ in self.scale]

    def item(self, key: str) -> dict | None:
        return next((item for item in self.items if item["key"] == key), None)

    def label(self, value) -> str:
        if value is None:
            return NOT_APPLICABLE_LABEL
        return dict((v, text) for v, text in self.scale).get(value, str(value))


class FeedbackInvitationQuerySet(models.QuerySet):
    def with_status(self):
        """Annotate `current_status` (open / used / expired), derived in the database, so
        lists can show and filter it without a query per row."""
        return self.annotate(
            current_status=Case(
                When(used_at__isnull=False, then=Value(FeedbackInvitation.Status.USED)),
                When(expires_at__lte=Now(), then=Value(FeedbackInvitation.Status.EXPIRED)),
                default=Value(FeedbackInvitation.Status.OPEN),
                output_field=CharField(),
            )
        )

    def open(self):
        return self.filter(used_at__isnull=True, expires_at__gt=Now())


class FeedbackInvitation(models.Model):
    """A one-time link. Only the SHA-256 of its token is stored."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        USED = "used", "Used"
        EXPIRED = "expired", "Expired"

    learner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="feedback_invitations")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    context_title = models.CharField(max_length=255)
    occurred_on = models.DateField()
    email = models.EmailField(blank=True)
    respondent_type = models.CharField(
        max_length=32, choices=RespondentType.choices, default=RespondentType.PATIENT
    )
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        related_name="invitations",
        help_text="The instrument version this link asks (the current one of its type when made).",
    )
    placement = models.ForeignKey(
        "portfolio.Placement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    round = models.ForeignKey(
        "ColleagueRound", null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FeedbackInvitationQuerySet.as_manager()

    class Meta:
        db_table = "assessments_feedbackinvitation"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.context_title} ({self.learner})"

    def save(self, *args, **kwargs):
        if self.instrument_id is None:
            self.instrument = Instrument.objects.current(self.respondent_type)
        super().save(*args, **kwargs)

    @property
    def status(self) -> str:
        """open / used / expired, derived from `used_at` and `expires_at` (never stored)."""
        if self.used_at is not None:
            return self.Status.USED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.OPEN

    def get_status_display(self) -> str:
        return self.Status(self.status).label


class Feedback(models.Model):
    class RespondentRole(models.TextChoices):
        PATIENT_REP = "patient_representative", "Patient representative"
        CARER = "carer", "Carer"
        COMMUNITY = "community_member", "Community member"
        FAMILY = "family_member", "Family member"
        PROJECT_LEAD = "project_lead", "Project or service lead"
        STAFF = "staff_member", "Member of staff"
        VOLUNTEER = "volunteer", "Volunteer"
        SUPERVISOR = "placement_supervisor", "Placement supervisor"
        DOCTOR = "doctor", "Doctor"
        NURSE = "nurse", "Nurse or midwife"
        ALLIED = "allied_health", "Allied health professional or pharmacist"
        ADMIN_STAFF = "admin_staff", "Administrative or clerical staff"
        OTHER_COLLEAGUE = "other_colleague", "Other colleague"

    invitation = models.OneToOneField(FeedbackInvitation, on_delete=models.PROTECT, related_name="feedback")
    learner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="feedback_received")
    context_title = models.CharField(max_length=255)
    occurred_on = models.DateField()
    respondent_type = models.CharField(
        max_length=32, choices=RespondentType.choices, default=RespondentType.PATIENT
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="answers")
    ratings = models.JSONField(default=dict)
    comments = models.TextField(
        blank=True,
        max_length=limits.FEEDBACK_COMMENTS,
        help_text="Plain text; markup is stripped on the way in.",
    )
    anonymous = models.BooleanField(default=False)
    respondent_role = models.CharField(max_length=32, choices=RespondentRole.choices)
    respondent_name = models.CharField(max_length=150, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    withdrawal_reason = models.TextField(blank=True, max_length=limits.COMMENT)

    class Meta:
        db_table = "assessments_feedback"
        ordering = ["-submitted_at"]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"Feedback on {self.learner}: {self.context_title}"

    def save(self, *args, **kwargs):
        # Answers carry the type and instrument version of the link they came through.
        if self.instrument_id is None and self.invitation_id is not None:
            self.respondent_type = self.invitation.respondent_type
            self.instrument_id = self.invitation.instrument_id
        super().save(*args, **kwargs)


# --- Colleague rounds (multi-source feedback) ---------------------------------------------
DEFAULT_MIN_RESPONSES = 8
DEFAULT_REQUIRED_MIX = {"doctor": 2, "nurse": 2, "allied_health": 1, "admin_staff": 1}


class ColleagueRoundRule(models.Model):
    """How many colleagues a round needs, and of which roles, for a cohort or a whole
    programme type. The most specific rule wins (cohort, then programme type, then the
    defaults above); a round copies its rule when it opens, so later edits do not move it."""

    cohort = models.OneToOneField(
        "portfolio.Cohort", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    programme_type = models.CharField(max_length=16, blank=True, help_text="Used when no cohort is chosen.")
    min_responses = models.PositiveIntegerField(default=DEFAULT_MIN_RESPONSES)
    required_mix = models.JSONField(
        default=dict, blank=True, help_text='Role → minimum answers, e.g. {"doctor": 2, "nurse": 2}.'
    )

    def __str__(self) -> str:
        target = self.cohort or self.programme_type or "every programme"
        return f"Colleague rounds for {target}: at least {self.min_responses}"

    def get_programme_label(self) -> str:
        from portfolio.models import Cohort

        labels = dict(Cohort.ProgrammeType.choices)
        return f"Every {labels.get(self.programme_type, self.programme_type).lower()} cohort"

    def mix_in_words(self) -> str:
        labels = dict(Feedback.RespondentRole.choices)
        parts = [f"{n} {labels.get(role, role).lower()}" for role, n in self.required_mix.items()]
        return ", ".join(parts) or "any roles"


class ColleagueRound(models.Model):
    """A round of colleague feedback on one learner, released to the learner only as
    aggregates, once the tutor has read the answers and written a summary."""

    learner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="colleague_rounds")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=255)
    closes_on = models.DateField(help_text="Answers are accepted until the end of this day.")
    min_responses = models.PositiveIntegerField()
    required_mix = models.JSONField(default=dict, blank=True)
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="rounds")
    self_ratings = models.JSONField(default=dict, blank=True)
    self_comments = models.TextField(blank=True, max_length=limits.FEEDBACK_COMMENTS)
    self_assessed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.TextField(blank=True, max_length=limits.COMMENT)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.learner})"

    @property
    def is_released(self) -> bool:
        return self.released_at is not None

    @property
    def is_closed(self) -> bool:
        """No more answers: released, or past its closing day."""
        return self.is_released or timezone.localdate() > self.closes_on
