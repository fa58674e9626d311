"""Competency frameworks and versioned rubrics.

This app depends on no other app of ours. Theme codes of the social-accountability framework
(design.md) are `Competency.code` values inside the framework with code
`social_accountability`.

.. warning::
   Never change the content of a published rubric. Publishing freezes it and stores the
   SHA-256 of its canonical JSON; an edit makes the next version as a draft.
"""

from django.db import models
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import Orderable

SOCIAL_ACCOUNTABILITY = "social_accountability"


class Framework(models.Model):
    code = models.SlugField(max_length=64, unique=True, help_text="Stable identifier; never change it.")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class CompetencyQuerySet(models.QuerySet):
    def themes(self):
        """The study's eight social-accountability themes, in framework order."""
        return self.filter(framework__code=SOCIAL_ACCOUNTABILITY)


class Competency(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="competencies")
    code = models.SlugField(max_length=64, help_text="Stable identifier; titles may be edited.")
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    objects = CompetencyQuerySet.as_manager()

    class Meta:
        ordering = ["framework", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="competency_code_unique")]
        verbose_name_plural = "competencies"

    def __str__(self) -> str:
        return self.title


class Rubric(ClusterableModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    slug = models.SlugField(max_length=100, help_text="Shared by every version of this rubric.")
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    content_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    previous_version = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_versions", editable=False
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    retired_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug", "-version"]
        constraints = [models.UniqueConstraint(fields=["slug", "version"], name="rubric_slug_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version}, {self.get_status_display().lower()})"


class Criterion(ClusterableModel, Orderable):
    rubric = ParentalKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    weight = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    competencies = ParentalManyToManyField(Competency, blank=True, related_name="criteria")

    class Meta(Orderable.Meta):
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.title


class Level(Orderable):
    criterion = ParentalKey(Criterion, on_delete=models.CASCADE, related_name="levels")
    label = models.CharField(max_length=100)
    descriptor = models.TextField(blank=True)
    points = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.label} ({self.points})"
