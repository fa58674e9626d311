"""Assessments against pinned rubric versions, and moderation (blind second marking).

Who may see and do what: `assessments.policies`. State changes: `assessments.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from portfolio.models import Reflection
from reflect import limits

User = settings.AUTH_USER_MODEL


FINALISED_IMMUTABLE = "A finalised assessment cannot be changed or deleted; supersede it with a correction."


class AssessmentQuerySet(models.QuerySet):
    def current(self):
        """Assessments that count: not superseded by a correction."""
        return self.filter(superseded_by__isnull=True)

    # Finalised assessments are immutable through every door, bulk updates included.
    def update(self, **kwargs):
        if self.filter(status=Assessment.Status.FINALISED).exists():
            raise ValidationError(FINALISED_IMMUTABLE)
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=Assessment.Status.FINALISED).exists():
            raise ValidationError(FINALISED_IMMUTABLE)
        return super().delete()


class Assessment(models.Model):
    """One marking of a reflection against the exact rubric version used (`rubric` pins the
    Rubric row). `draft → finalised`; finalised is immutable (guarded here and in the
    queryset); a correction is a new assessment that `supersedes` the old one."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINALISED = "finalised", "Finalised"

    reflection = models.ForeignKey(Reflection, on_delete=models.PROTECT, related_name="assessments")
    rubric = models.ForeignKey("rubrics.Rubric", on_delete=models.PROTECT, related_name="assessments")
    assessor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="assessments_made")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    overall_comment = models.TextField(blank=True, max_length=limits.LONG_TEXT)
    total = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    supersede_reason = models.TextField(blank=True, max_length=limits.COMMENT)
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

    @property
    def is_finalised(self) -> bool:
        return self.status == self.Status.FINALISED

    @property
    def is_superseded(self) -> bool:
        try:
            return self.superseded_by is not None
        except Assessment.DoesNotExist:
            return False

    def _stored_finalised(self) -> bool:
        return (
            self.pk is not None
            and type(self)._base_manager.filter(pk=self.pk, status=self.Status.FINALISED).exists()
        )

    def save(self, *args, **kwargs):  # noqa: DJ012
        if self._stored_finalised():
            raise ValidationError(FINALISED_IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_finalised():
            raise ValidationError(FINALISED_IMMUTABLE)
        return super().delete(*args, **kwargs)


class ScoreQuerySet(models.QuerySet):
    def _touches_finalised(self) -> bool:
        return self.filter(assessment__status=Assessment.Status.FINALISED).exists()

    def update(self, **kwargs):
        if self._touches_finalised():
            raise ValidationError(FINALISED_IMMUTABLE)
        return super().update(**kwargs)

    def delete(self):
        if self._touches_finalised():
            raise ValidationError(FINALISED_IMMUTABLE)
        return super().delete()


class Score(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey("rubrics.Criterion", on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(
        "rubrics.Level", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True, max_length=limits.COMMENT)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        ordering = ["criterion__sort_order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="score_one_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.level}"

    def _assessment_finalised(self) -> bool:
        return Assessment._base_manager.filter(
            pk=self.assessment_id, status=Assessment.Status.FINALISED
        ).exists()

    def save(self, *args, **kwargs):  # noqa: DJ012
        if self._assessment_finalised():
            raise ValidationError(FINALISED_IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._assessment_finalised():
            raise ValidationError(FINALISED_IMMUTABLE)
        return super().delete(*args, **kwargs)


class ModerationRequestQuerySet(models.QuerySet):
    def open(self):
        """Requests whose pair is not yet complete (the blind period): the second marking
        is not yet made or not finalised, or the first is not finalised."""
        both = Q(first_assessment__status=Assessment.Status.FINALISED) & Q(
            second_assessment__status=Assessment.Status.FINALISED
        )
        return self.exclude(both)


class ModerationRequest(models.Model):
    """An admin's request that `second_marker` mark `first_assessment`'s reflection blind,
    against the same rubric version. It is the explicit permission for a tutor who is not
    allocated to the learner to mark this one reflection."""

    first_assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, related_name="moderation_requests"
    )
    second_marker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="moderation_requests")
    second_assessment = models.OneToOneField(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="moderation_request"
    )
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True, max_length=limits.COMMENT)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ModerationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["first_assessment", "second_marker"], name="moderation_one_per_marker"
            )
        ]

    def __str__(self) -> str:
        return f"Second marking of {self.first_assessment.reflection} by {self.second_marker}"

    @property
    def reflection(self):
        return self.first_assessment.reflection

    @property
    def rubric(self):
        return self.first_assessment.rubric
