"""Feedback from people without accounts: one-time-link invitations and the answers.

The tables keep the names they had in the `assessments` app (moved with
`SeparateDatabaseAndState`, see migrations/0001_initial.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Case, CharField, Value, When
from django.db.models.functions import Now
from django.utils import timezone

from reflect import limits

User = settings.AUTH_USER_MODEL


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

    invitation = models.OneToOneField(FeedbackInvitation, on_delete=models.PROTECT, related_name="feedback")
    learner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="feedback_received")
    context_title = models.CharField(max_length=255)
    occurred_on = models.DateField()
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
