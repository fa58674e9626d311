"""Competency frameworks and versioned rubrics.

This app depends on no other app of ours. Theme codes of the social-accountability framework
(design.md) are `Competency.code` values inside the framework with code
`social_accountability`.

.. warning::
   Never change the content of a published rubric. Publishing freezes it and stores the
   SHA-256 of its canonical JSON; an edit makes the next version as a draft.

Immutability is enforced here, in the model layer, so that the Wagtail admin, the API, the
site and the shell all obey it: `save()` and `delete()` of `Rubric`, `Criterion` and `Level`
(and queryset `update()`/`delete()`, and changes to a criterion's competencies) raise
`ValidationError` when the rubric is not a draft. The only exception is a status transition
made by `rubrics.services` (publish, retire) inside `status_change_allowed()`, which may write
nothing but the status fields.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Max
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

SOCIAL_ACCOUNTABILITY = "social_accountability"

FROZEN_MESSAGE = (
    "This rubric is {status}: its content can no longer change. Make the next version to edit it."
)

_status_change = contextvars.ContextVar("rubric_status_change", default=False)

#: The only Rubric fields a status transition may write.
STATUS_FIELDS = frozenset(
    {"status", "content_hash", "published_at", "published_by", "retired_at", "updated_at"}
)


@contextlib.contextmanager
def status_change_allowed() -> Iterator[None]:
    """Let `rubrics.services` save the status fields of a non-draft rubric. Internal."""
    token = _status_change.set(True)
    try:
        yield
    finally:
        _status_change.reset(token)


# Longest texts accepted (issue #13): the admin's forms, the JSON import and the API all refuse
# more. Kept here, not in `reflect.limits`, because rubrics depends on no other app of ours.
DESCRIPTION_MAX = 20_000  # a framework's or a rubric's description
DESCRIPTOR_MAX = 10_000  # a competency's or a criterion's description, a level's descriptor
MAX_POINTS = 1_000_000  # points of one level
MAX_CRITERIA = 200  # criteria of one rubric
MAX_LEVELS = 50  # levels of one criterion


def _frozen(status: str) -> ValidationError:
    return ValidationError(FROZEN_MESSAGE.format(status=status), code="rubric_frozen")


class Framework(ClusterableModel):
    """A competency framework; its competencies are edited inline in the admin."""

    code = models.SlugField(max_length=64, unique=True, help_text="Stable identifier; never change it.")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class CompetencyQuerySet(models.QuerySet):
    def themes(self):
        """The study's eight social-accountability themes, in framework order."""
        return self.filter(framework__code=SOCIAL_ACCOUNTABILITY)

    def delete(self):
        if Criterion.objects.filter(competencies__in=self).exclude(rubric__status="draft").exists():
            raise ValidationError("A competency used by a published or retired rubric cannot be deleted.")
        return super().delete()


class Competency(models.Model):
    framework = ParentalKey(Framework, on_delete=models.PROTECT, related_name="competencies")
    code = models.SlugField(max_length=64, help_text="Stable identifier; titles may be edited.")
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True, max_length=DESCRIPTOR_MAX)
    sort_order = models.PositiveIntegerField(default=0)

    objects = CompetencyQuerySet.as_manager()

    #: Lets the admin's InlinePanel reorder competencies by drag and drop.
    sort_order_field = "sort_order"

    class Meta:
        ordering = ["framework", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="competency_code_unique")]
        verbose_name_plural = "competencies"

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # The code (and framework) identify the competency inside frozen rubric content.
        if self.pk is not None and self._used_by_frozen_rubric():
            stored = Competency.objects.filter(pk=self.pk).values("code", "framework_id").first()
            if stored and (stored["code"] != self.code or stored["framework_id"] != self.framework_id):
                raise ValidationError(
                    {"code": "This competency is used by a published rubric; its code cannot change."}
                )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._used_by_frozen_rubric():
            raise ValidationError("A competency used by a published or retired rubric cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def ref(self) -> str:
        """`"<framework code>:<code>"`, the reference used in canonical JSON and import/export."""
        return f"{self.framework.code}:{self.code}"

    def _used_by_frozen_rubric(self) -> bool:
        return self.pk is not None and self.criteria.exclude(rubric__status=Rubric.Status.DRAFT).exists()


class RubricQuerySet(models.QuerySet):
    def published(self):
        """Rubrics whose status is published (the ones tutors may mark with)."""
        return self.filter(status=Rubric.Status.PUBLISHED)

    def latest_published(self) -> list:
        """The latest published version of each rubric (by slug), sorted by title: the
        rubrics a tutor chooses from."""
        latest: dict[str, Rubric] = {}
        for rubric in self.published().order_by("slug", "-version"):
            latest.setdefault(rubric.slug, rubric)
        return sorted(latest.values(), key=lambda r: r.title)

    def with_content(self):
        """Prefetch criteria (in order) with their levels and competencies: constant queries."""
        return self.prefetch_related(
            models.Prefetch("criteria", queryset=Criterion.objects.order_by("sort_order", "pk")),
            models.Prefetch("criteria__levels", queryset=Level.objects.order_by("sort_order", "pk")),
            models.Prefetch(
                "criteria__competencies", queryset=Competency.objects.select_related("framework")
            ),
        )

    def update(self, **kwargs):
        if not _status_change.get() and self.exclude(status=Rubric.Status.DRAFT).exists():
            raise _frozen("published or retired")
        return super().update(**kwargs)

    def delete(self):
        if self.exclude(status=Rubric.Status.DRAFT).exists():
            raise _frozen("published or retired")
        return super().delete()


class Rubric(ClusterableModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    slug = models.SlugField(max_length=100, help_text="Shared by every version of this rubric.")
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX, help_text="Plain text.")
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    content_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    previous_version = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_versions", editable=False
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RubricQuerySet.as_manager()

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [models.UniqueConstraint(fields=["slug", "version"], name="rubric_slug_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version}, {self.get_status_display().lower()})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def _stored_status(self) -> str | None:
        if self.pk is None:
            return None
        return Rubric.objects.filter(pk=self.pk).values_list("status", flat=True).first()

    def save(self, *args, **kwargs):
        stored = self._stored_status()
        if _status_change.get():
            update_fields = kwargs.get("update_fields")
            if stored is not None and (update_fields is None or not set(update_fields) <= STATUS_FIELDS):
                raise ValidationError("A status change may only write the status fields.")
        elif stored is not None and stored != self.Status.DRAFT:
            raise _frozen(stored)
        elif self.status != self.Status.DRAFT:
            raise ValidationError(
                "A rubric is published or retired only through rubrics.services (publish, retire).",
                code="status_change",
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        stored = self._stored_status()
        if stored is not None and stored != self.Status.DRAFT:
            raise _frozen(stored)
        return super().delete(*args, **kwargs)


def _check_rubric_is_draft(rubric_ids) -> None:
    status = Rubric.objects.filter(pk__in=[pk for pk in rubric_ids if pk is not None]).exclude(
        status=Rubric.Status.DRAFT
    )
    first = status.values_list("status", flat=True).first()
    if first is not None:
        raise _frozen(first)


class CriterionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        _check_rubric_is_draft(set(self.values_list("rubric_id", flat=True)) | {kwargs.get("rubric_id")})
        return super().update(**kwargs)

    def delete(self):
        _check_rubric_is_draft(set(self.values_list("rubric_id", flat=True)))
        return super().delete()


class Criterion(ClusterableModel, Orderable):
    rubric = ParentalKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(max_length=255)
    description = models.TextField(
        blank=True, max_length=DESCRIPTOR_MAX, help_text="Plain text: what the marker looks for."
    )
    weight = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(Decimal("0.01"), message="The weight must be greater than zero.")],
        help_text="Greater than zero; the criterion's points are multiplied by it.",
    )
    competencies = ParentalManyToManyField(
        Competency,
        blank=True,
        related_name="criteria",
        help_text="Competencies (themes) this criterion gives evidence of.",
    )

    objects = CriterionQuerySet.as_manager()

    class Meta(Orderable.Meta):
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        ids = {self.rubric_id}
        if self.pk is not None:
            ids |= set(Criterion.objects.filter(pk=self.pk).values_list("rubric_id", flat=True))
        _check_rubric_is_draft(ids)
        if self.sort_order is None and self.rubric_id is not None:
            top = Criterion.objects.filter(rubric_id=self.rubric_id).aggregate(m=Max("sort_order"))["m"]
            self.sort_order = 0 if top is None else top + 1
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        stored = Criterion.objects.filter(pk=self.pk).values_list("rubric_id", flat=True).first()
        _check_rubric_is_draft({stored, self.rubric_id})
        return super().delete(*args, **kwargs)


def _check_criteria_are_draft(criterion_ids) -> None:
    _check_rubric_is_draft(
        set(
            Criterion.objects.filter(pk__in=[c for c in criterion_ids if c is not None]).values_list(
                "rubric_id", flat=True
            )
        )
    )


class LevelQuerySet(models.QuerySet):
    def update(self, **kwargs):
        _check_criteria_are_draft(
            set(self.values_list("criterion_id", flat=True)) | {kwargs.get("criterion_id")}
        )
        return super().update(**kwargs)

    def delete(self):
        _check_criteria_are_draft(set(self.values_list("criterion_id", flat=True)))
        return super().delete()


class Level(Orderable):
    criterion = ParentalKey(Criterion, on_delete=models.CASCADE, related_name="levels")
    label = models.CharField(max_length=100)
    descriptor = models.TextField(
        blank=True, max_length=DESCRIPTOR_MAX, help_text="Plain text: what work at this level looks like."
    )
    points = models.PositiveIntegerField(
        validators=[MaxValueValidator(MAX_POINTS)],
        help_text="Points must rise strictly from one level to the next.",
    )

    objects = LevelQuerySet.as_manager()

    class Meta(Orderable.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.label} ({self.points})"

    def save(self, *args, **kwargs):
        ids = {self.criterion_id}
        if self.pk is not None:
            ids |= set(Level.objects.filter(pk=self.pk).values_list("criterion_id", flat=True))
        _check_criteria_are_draft(ids)
        if self.sort_order is None and self.criterion_id is not None:
            top = Level.objects.filter(criterion_id=self.criterion_id).aggregate(m=Max("sort_order"))["m"]
            self.sort_order = 0 if top is None else top + 1
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        stored = Level.objects.filter(pk=self.pk).values_list("criterion_id", flat=True).first()
        _check_criteria_are_draft({stored, self.criterion_id})
        return super().delete(*args, **kwargs)


@receiver(m2m_changed, sender=Criterion.competencies.through)
def _criterion_competencies_frozen(sender, instance, action, reverse, pk_set, **kwargs):
    """Adding or removing a criterion's competencies changes rubric content."""
    if not action.startswith("pre_") or _status_change.get():
        # Inside `status_change_allowed()` (services, or restoring a database snapshot in
        # tests) the content is being copied as it was, not edited.
        return
    if not reverse:
        _check_rubric_is_draft({instance.rubric_id})
    elif action == "pre_clear":
        _check_criteria_are_draft(set(instance.criteria.values_list("pk", flat=True)))
    else:
        _check_criteria_are_draft(pk_set or ())
