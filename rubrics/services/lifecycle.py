"""Rubric life cycle: publish, retire, the draft of a slug, the next version.

The only doors through which a rubric changes status (inside `status_change_allowed()`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.dispatch import Signal
from django.utils import timezone

from ..models import Criterion, Level, Rubric, status_change_allowed
from .content import compute_hash, ordered_criteria, ordered_levels, validation_problems

# Sent inside the transaction of every status change, with `rubric`, `action` ("publish" or
# "retire") and `by` (a user or None). `rubrics` depends on no other app of ours, so the audit
# log (`portfolio.audit`) listens here instead of being called (see `portfolio.signals`).
status_changed = Signal()


# --- Life cycle -------------------------------------------------------------------------------


def _locked(rubric: Rubric) -> Rubric:
    return Rubric.objects.select_for_update().get(pk=rubric.pk)


@transaction.atomic
def publish(rubric: Rubric, by=None) -> Rubric:
    """Freeze a draft rubric: validate it, store its content hash and mark it published.

    Any other published version of the same slug is retired at the same moment, so one
    version per slug is current.

    Args:
        rubric: a draft rubric.
        by: the user publishing it (recorded as `published_by`), or None.

    Returns:
        The published rubric (a fresh instance).

    Raises:
        ValidationError: the rubric is not a draft, or breaks a rule; the error lists every
            problem (at least one criterion, at least two levels per criterion, points rising
            strictly, weights greater than zero). Nothing is changed.
    """
    current = _locked(rubric)
    if current.status != Rubric.Status.DRAFT:
        raise ValidationError(
            f"Only a draft can be published; this rubric is {current.get_status_display().lower()}.",
            code="not_draft",
        )
    current = Rubric.objects.with_content().get(pk=current.pk)
    problems = validation_problems(current)
    if problems:
        raise ValidationError([ValidationError(m, code="invalid_rubric") for m in problems])
    now = timezone.now()
    with status_change_allowed():
        for other in Rubric.objects.select_for_update().filter(
            slug=current.slug, status=Rubric.Status.PUBLISHED
        ):
            other.status = Rubric.Status.RETIRED
            other.retired_at = now
            other.save(update_fields=["status", "retired_at", "updated_at"])
        current.content_hash = compute_hash(current)
        current.status = Rubric.Status.PUBLISHED
        current.published_at = now
        current.published_by = by if (by is not None and by.is_authenticated) else None
        current.save(update_fields=["status", "content_hash", "published_at", "published_by", "updated_at"])
    status_changed.send(sender=Rubric, rubric=current, action="publish", by=by)
    rubric.refresh_from_db()
    return current


@transaction.atomic
def retire(rubric: Rubric, by=None) -> Rubric:
    """Retire a published rubric: it stays on record (assessments keep pointing at it) but is
    no longer offered for marking.

    Args:
        rubric: a published rubric.
        by: the user retiring it (for the audit log), or None.

    Returns:
        The retired rubric (a fresh instance).

    Raises:
        ValidationError: the rubric is not published.
    """
    current = _locked(rubric)
    if current.status != Rubric.Status.PUBLISHED:
        raise ValidationError(
            f"Only a published rubric can be retired; this one is {current.get_status_display().lower()}.",
            code="not_published",
        )
    with status_change_allowed():
        current.status = Rubric.Status.RETIRED
        current.retired_at = timezone.now()
        current.save(update_fields=["status", "retired_at", "updated_at"])
    status_changed.send(sender=Rubric, rubric=current, action="retire", by=by)
    rubric.refresh_from_db()
    return current


def draft_of(slug: str) -> Rubric | None:
    """The draft version of rubric `slug`, if one exists (at most one is allowed).

    Args:
        slug: the rubric's slug.

    Returns:
        The draft, or None.
    """
    return Rubric.objects.filter(slug=slug, status=Rubric.Status.DRAFT).order_by("-version").first()


def next_version_number(slug: str) -> int:
    """The number the next version of rubric `slug` takes: its highest version + 1 (1 for a new slug)."""
    return (Rubric.objects.filter(slug=slug).aggregate(m=Max("version"))["m"] or 0) + 1


@transaction.atomic
def new_version(rubric: Rubric) -> Rubric:
    """Make the next version of a published or retired rubric, as a draft copy of its content.

    The copy keeps the slug, takes the next free version number (highest version + 1) and
    points back at `rubric` through `previous_version`. Criteria, levels and competencies are
    copied in order, with new ids.

    Args:
        rubric: a published or retired rubric.

    Returns:
        The new draft.

    Raises:
        ValidationError: `rubric` is a draft (edit it directly), or a draft of the same slug
            already exists (edit that one; `draft_of(slug)` finds it).
    """
    source = Rubric.objects.with_content().get(pk=_locked(rubric).pk)
    if source.status == Rubric.Status.DRAFT:
        raise ValidationError("This rubric is still a draft: edit it directly.", code="is_draft")
    existing = draft_of(source.slug)
    if existing is not None:
        raise ValidationError(
            f"A draft of this rubric already exists (version {existing.version}); edit that one.",
            code="draft_exists",
        )
    copy = Rubric(
        slug=source.slug,
        title=source.title,
        description=source.description,
        version=next_version_number(source.slug),
        previous_version=source,
    )
    copy.save()
    for criterion in ordered_criteria(source):
        new_criterion = Criterion(
            rubric=copy,
            sort_order=criterion.sort_order,
            title=criterion.title,
            description=criterion.description,
            weight=criterion.weight,
        )
        new_criterion.save()
        new_criterion.competencies.set(list(criterion.competencies.all()))
        new_criterion.save()
        for level in ordered_levels(criterion):
            Level(
                criterion=new_criterion,
                sort_order=level.sort_order,
                label=level.label,
                descriptor=level.descriptor,
                points=level.points,
            ).save()
    return copy
