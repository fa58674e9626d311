"""Assessments against pinned rubric versions, moderation, and patient-representative feedback.

State changes live in `assessments.services`; views, API and admin call them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from portfolio import scope
from portfolio.models import Reflection

User = settings.AUTH_USER_MODEL


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """learner: finalised assessments of own reflections; tutor: ones they wrote or of
        allocated learners; examiner: finalised ones in their cohorts; admin: all.
        Blind second marks (moderation) are hidden from the other marker until finalised."""
        from portfolio import roles as R

        roles = R.roles_of(user)
        if not roles:
            return self.none()
        if R.ADMIN in roles:
            return self.all()
        finalised = Q(status=Assessment.Status.FINALISED)
        condition = Q(pk__in=[])
        if R.LEARNER in roles:
            condition |= Q(reflection__learner=user) & finalised
        if R.TUTOR in roles:
            from portfolio.models import Allocation

            allocated = Allocation.objects.current().filter(tutor=user).values("learner")
            condition |= Q(assessor=user) | (
                Q(reflection__learner__in=allocated)
                & ~Q(reflection__status=Reflection.Status.DRAFT)
                & (finalised | Q(moderation_of__isnull=True))
            )
        if R.EXAMINER in roles:
            condition |= Q(reflection__learner__in=scope.others_visible_to(user)) & finalised
        return self.filter(condition)


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINALISED = "finalised", "Finalised"

    reflection = models.ForeignKey(Reflection, on_delete=models.PROTECT, related_name="assessments")
    rubric = models.ForeignKey("rubrics.Rubric", on_delete=models.PROTECT, related_name="assessments")
    assessor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="assessments_made")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    overall_comment = models.TextField(blank=True)
    total = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    supersede_reason = models.TextField(blank=True)
    moderation_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moderations",
        help_text="Set on a blind second marking of the same reflection.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["reflection", "status"]), models.Index(fields=["assessor", "status"])]

    def __str__(self) -> str:
        return f"{self.rubric} for {self.reflection} by {self.assessor}"


class Score(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey("rubrics.Criterion", on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(
        "rubrics.Level", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["criterion__sort_order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="score_one_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.level}"


# --- Patient-representative feedback ------------------------------------------------------
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

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.context_title} ({self.learner})"


class FeedbackQuerySet(models.QuerySet):
    def visible_to(self, user):
        """learner: own; tutor: allocated learners; examiner: their cohorts; admin: all.
        Withdrawn feedback is hidden from everyone but admins."""
        from portfolio import roles as R

        if R.ADMIN in R.roles_of(user):
            return self.all()
        return self.filter(learner__in=scope.learners_visible_to(user), withdrawn_at__isnull=True)


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
    comments = models.TextField(blank=True, help_text="Plain text; markup is stripped on the way in.")
    anonymous = models.BooleanField(default=False)
    respondent_role = models.CharField(max_length=32, choices=RespondentRole.choices)
    respondent_name = models.CharField(max_length=150, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    withdrawal_reason = models.TextField(blank=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"Feedback on {self.learner}: {self.context_title}"
