"""Marking: the only door to Assessment and Score state changes.

Site views, API views, admin views and the demo seed call these functions, so every door
obeys the same rules:

- only a tutor currently allocated to the learner may mark (or a second marker named in a
  `ModerationRequest` by an admin), only a reflection that is not a draft, only against a
  published rubric; the assessment pins that exact rubric version (row);
- a level must belong to its criterion and the criterion to the rubric;
- `draft → finalised`; finalising needs every criterion scored; a finalised assessment is
  immutable (also guarded in the model), and a correction is a new draft that `supersedes`
  it with a reason;
- optimistic locking on `version` (stale → `StaleVersion`, 409);
- every state change is written to the audit log.

Totals come from `rubrics.scoring` (the one place the maths lives).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from portfolio.models import Reflection
from reflect import audit, limits
from reflect import roles as R
from reflect.errors import Conflict, StaleVersion, ValidationError
from reflect.locking import bump_version
from reflect.sanitize import to_plain_text
from rubrics import scoring
from rubrics.models import Criterion, Level, Rubric

from .models import Assessment, ModerationRequest, Score
from .policies import assessments as policy
from .policies import moderation_requests


class IncompleteAssessment(ValidationError):
    """Finalising an assessment whose criteria are not all scored (400). `missing` holds the
    unscored criteria, in rubric order."""

    def __init__(self, missing: list[Criterion]):
        self.missing = missing
        titles = ", ".join(c.title for c in missing)
        super().__init__(f"Score every criterion before finalising. Not scored yet: {titles}.")


@dataclass(frozen=True)
class ScoreInput:
    criterion: Criterion
    level: Level | None
    comment: str


# --- Who may mark what ----------------------------------------------------------------------
# The rules are `assessments.policies.assessments` (marking) and `moderation_requests`.


def rubric_criteria(rubric: Rubric) -> list[Criterion]:
    """The criteria of `rubric` in order, each with its levels prefetched (in order)."""
    return list(
        Criterion.objects.filter(rubric_id=rubric.pk)
        .order_by("sort_order", "pk")
        .prefetch_related(Prefetch("levels", queryset=Level.objects.order_by("sort_order", "points", "pk")))
    )


# --- Scores -----------------------------------------------------------------------------------
def _as_id(value: Any, field: str) -> int | None:
    if value is None or value == "":
        return None
    if hasattr(value, "pk"):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({"scores": f"`{field}` must be an id, not {value!r}."})


def _resolve_scores(rubric: Rubric, scores: Iterable[Mapping[str, Any]]) -> list[ScoreInput]:
    """Check that every criterion belongs to `rubric` and every level to its criterion."""
    # Explicit queries: a Rubric from modelcluster may carry an in-memory child cache.
    criteria = {c.pk: c for c in rubric_criteria(rubric)}
    levels = {lv.pk: lv for lv in Level.objects.filter(criterion__rubric=rubric)}
    errors: list[str] = []
    resolved: list[ScoreInput] = []
    seen: set[int] = set()
    for i, row in enumerate(scores or []):
        if not isinstance(row, Mapping):
            errors.append(f"Score {i + 1}: expected an object with `criterion` and `level`.")
            continue
        criterion_id = _as_id(row.get("criterion"), "criterion")
        level_id = _as_id(row.get("level"), "level")
        criterion = criteria.get(criterion_id)
        if criterion is None:
            errors.append(f"Score {i + 1}: criterion {criterion_id} is not a criterion of this rubric.")
            continue
        if criterion_id in seen:
            errors.append(f"Score {i + 1}: criterion {criterion_id} is scored twice.")
            continue
        seen.add(criterion_id)
        level = None
        if level_id is not None:
            level = levels.get(level_id)
            if level is None or level.criterion_id != criterion_id:
                errors.append(
                    f"Score {i + 1}: level {level_id} is not one of the levels of criterion "
                    f"“{criterion.title}”."
                )
                continue
        comment = row.get("comment") or ""
        if limits.too_long(comment, limits.COMMENT):
            errors.append(f"Score {i + 1}: " + limits.message("the comment", limits.COMMENT, len(comment)))
            continue
        resolved.append(ScoreInput(criterion, level, to_plain_text(comment)))
    if errors:
        raise ValidationError({"scores": errors})
    return resolved


def compute_totals(rubric: Rubric, levels: Mapping[int, Level]) -> tuple[Decimal, Decimal]:
    """Total and maximum of `levels` ({criterion_id: Level}) on `rubric`, by
    `rubrics.scoring` (never re-implemented here).

    Args:
        rubric: the pinned rubric version.
        levels: the chosen level per scored criterion (unscored criteria left out).
    Returns:
        (total, max_score) as Decimals.
    """
    result = scoring.score(rubric, dict(levels))
    return Decimal(result.total), Decimal(result.max_score)


def _write_scores(assessment: Assessment, rows: list[ScoreInput]) -> None:
    existing = {s.criterion_id: s for s in assessment.scores.all()}
    for row in rows:
        score = existing.get(row.criterion.pk)
        if score is None:
            Score.objects.create(
                assessment=assessment, criterion=row.criterion, level=row.level, comment=row.comment
            )
        elif score.level_id != (row.level.pk if row.level else None) or score.comment != row.comment:
            score.level = row.level
            score.comment = row.comment
            score.save(update_fields=["level", "comment"])


def _levels_after(assessment: Assessment | None, rows: list[ScoreInput]) -> dict[int, Level]:
    levels: dict[int, Level] = {}
    if assessment is not None:
        for s in assessment.scores.select_related("level"):
            if s.level is not None:
                levels[s.criterion_id] = s.level
    for row in rows:
        if row.level is None:
            levels.pop(row.criterion.pk, None)
        else:
            levels[row.criterion.pk] = row.level
    return levels


# --- State changes --------------------------------------------------------------------------
@transaction.atomic
def create_assessment(
    reflection: Reflection,
    rubric: Rubric,
    assessor,
    scores: Iterable[Mapping[str, Any]] = (),
    overall_comment: str = "",
    *,
    via: str = "api",
) -> Assessment:
    """Start marking `reflection` against the published `rubric` (a draft).

    Args:
        reflection: a submitted / changes-requested / signed-off reflection.
        rubric: a published rubric; the assessment pins this exact version.
        assessor: an allocated tutor, or the second marker named in an open moderation request.
        scores: `[{"criterion": id, "level": id | None, "comment": str}]`, possibly partial.
        overall_comment: plain text (markup is stripped).
        via: the door ("api", "site", "admin", "seed") for the audit log.
    Returns:
        The new draft `Assessment`.
    Raises:
        NotFound: the assessor may not see the reflection (it does not exist for them).
        PermissionDenied: the assessor may not mark this reflection.
        Conflict: the reflection is a draft.
        ValidationError: unpublished rubric, a criterion of another rubric, a level of another
            criterion, an assessment of theirs already under way, or a comment longer than
            `reflect.limits` allows (checked before it is cleaned).
    """
    policy.require(assessor, "add", reflection)
    limits.require("overall_comment", overall_comment, limits.LONG_TEXT, "the overall comment")
    request = policy.open_request(assessor, reflection)
    if rubric.status != Rubric.Status.PUBLISHED:
        raise ValidationError({"rubric": "Only a published rubric can be used for marking."})
    if request is not None and request.first_assessment.rubric_id != rubric.pk:
        raise ValidationError(
            {"rubric": "A second marking must use the same rubric version as the first marking."}
        )
    existing = Assessment.objects.filter(
        reflection=reflection, rubric=rubric, assessor=assessor, superseded_by__isnull=True
    ).first()
    if existing is not None:
        raise ValidationError(
            {"detail": f"You already marked this reflection with this rubric (assessment {existing.pk})."}
        )
    rows = _resolve_scores(rubric, scores)
    total, max_score = compute_totals(rubric, _levels_after(None, rows))
    assessment = Assessment.objects.create(
        reflection=reflection,
        rubric=rubric,
        assessor=assessor,
        overall_comment=to_plain_text(overall_comment),
        total=total,
        max_score=max_score,
        moderation_of=request.first_assessment if request else None,
    )
    _write_scores(assessment, rows)
    if request is not None:
        request.second_assessment = assessment
        request.save(update_fields=["second_assessment"])
    audit.record(
        assessor,
        "assessment_create",
        learner=reflection.learner,
        obj=assessment,
        via=via,
        rubric=rubric.pk,
        moderation_of=request.first_assessment_id if request else None,
    )
    return assessment


@transaction.atomic
def update_assessment(
    assessment: Assessment, by, data: Mapping[str, Any], expected_version: int | None, *, via: str = "api"
) -> Assessment:
    """Change a draft's scores and comments (partial: only the criteria sent are touched; a
    `level` of None clears that criterion).

    Args:
        assessment: a draft assessment.
        by: its assessor.
        data: `{"scores"?: [...], "overall_comment"?: str}`.
        expected_version: the `version` the caller read.
        via: the door, for the audit log.
    Returns:
        The updated assessment (version incremented).
    Raises:
        NotFound: `by` may not see the assessment.
        PermissionDenied: `by` is not the assessor, or may no longer mark it.
        Conflict: the assessment is finalised (409).
        StaleVersion: someone saved it since `expected_version` (409); nothing is changed.
        ValidationError: bad criteria or levels, or a comment that is too long; nothing is
            changed.
    """
    policy.require(by, "change", assessment)
    limits.require("overall_comment", data.get("overall_comment"), limits.LONG_TEXT, "the overall comment")
    rows = _resolve_scores(assessment.rubric, data.get("scores") or [])
    changes: dict[str, Any] = {}
    if "overall_comment" in data:
        changes["overall_comment"] = to_plain_text(data.get("overall_comment") or "")
    total, max_score = compute_totals(assessment.rubric, _levels_after(assessment, rows))
    changes.update(total=total, max_score=max_score, updated_at=timezone.now())
    # The conditional update claims the version first: a stale save changes nothing.
    bump_version(assessment, expected_version, **changes)
    _write_scores(assessment, rows)
    audit.record(by, "assessment_update", learner=assessment.reflection.learner, obj=assessment, via=via)
    return assessment


def missing_criteria(assessment: Assessment) -> list[Criterion]:
    """Criteria of the pinned rubric that have no level chosen yet, in rubric order."""
    scored = set(assessment.scores.filter(level__isnull=False).values_list("criterion_id", flat=True))
    return [c for c in rubric_criteria(assessment.rubric) if c.pk not in scored]


@transaction.atomic
def finalise(
    assessment: Assessment, by, expected_version: int | None = None, *, via: str = "api"
) -> Assessment:
    """Make a draft final (immutable). Safe under concurrency: of two finalisations at once,
    one wins and the other gets a Conflict.

    Args:
        assessment: a draft assessment with every criterion scored.
        by: its assessor.
        expected_version: if given, the `version` the caller read (stale → 409).
        via: the door, for the audit log.
    Returns:
        The finalised assessment.
    Raises:
        NotFound: `by` may not see the assessment.
        PermissionDenied: `by` is not the assessor, or may no longer mark it.
        Conflict: already finalised (409). StaleVersion: stale `expected_version` (409).
        IncompleteAssessment: some criteria are not scored (400).
    """
    policy.require(by, "finalise", assessment)
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    policy.require(by, "finalise", locked, visible=True)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion()
    missing = missing_criteria(locked)
    if missing:
        raise IncompleteAssessment(missing)
    levels = {s.criterion_id: s.level for s in locked.scores.select_related("level")}
    total, max_score = compute_totals(locked.rubric, levels)
    now = timezone.now()
    updated = Assessment.objects.filter(
        pk=locked.pk, version=locked.version, status=Assessment.Status.DRAFT
    ).update(
        status=Assessment.Status.FINALISED,
        finalised_at=now,
        total=total,
        max_score=max_score,
        version=F("version") + 1,
        updated_at=now,
    )
    if updated != 1:
        raise Conflict("This assessment was finalised or changed by someone else at the same moment.")
    assessment.refresh_from_db()
    audit.record(
        by,
        "assessment_finalise",
        learner=assessment.reflection.learner,
        obj=assessment,
        via=via,
        total=str(total),
        max_score=str(max_score),
    )
    return assessment


@transaction.atomic
def supersede(assessment: Assessment, by, reason: str, *, via: str = "site") -> Assessment:
    """Correct a finalised assessment: a new draft, linked by `supersedes`, with a reason. The
    old one stays on record (shown as superseded, no longer counted).

    Args:
        assessment: a finalised assessment not yet superseded.
        by: an allocated tutor of the learner (usually the original assessor) or an admin.
        reason: why the correction is needed (required; plain text).
        via: the door, for the audit log.
    Returns:
        The new draft assessment, prefilled with the old scores and comments.
    Raises:
        NotFound: `by` may not see the assessment.
        PermissionDenied: `by` may not correct this assessment.
        ValidationError: no reason given, or one longer than `limits.COMMENT`.
        Conflict: the assessment is a draft (edit it instead) or already superseded.
    """
    policy.require(by, "supersede", assessment)
    limits.require("reason", reason, limits.COMMENT, "the reason")
    reason = to_plain_text(reason)
    if not reason:
        raise ValidationError({"reason": "Give the reason for the correction."})
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    policy.require(by, "supersede", locked, visible=True)
    correction = Assessment.objects.create(
        reflection=locked.reflection,
        rubric=locked.rubric,
        assessor=by,
        overall_comment=locked.overall_comment,
        total=locked.total,
        max_score=locked.max_score,
        supersedes=locked,
        supersede_reason=reason,
    )
    Score.objects.bulk_create(
        Score(assessment=correction, criterion_id=s.criterion_id, level_id=s.level_id, comment=s.comment)
        for s in locked.scores.all()
    )
    audit.record(
        by,
        "assessment_supersede",
        learner=locked.reflection.learner,
        obj=correction,
        via=via,
        supersedes=locked.pk,
        reason=reason,
    )
    return correction


@transaction.atomic
def request_moderation(
    reflection: Reflection, rubric: Rubric, second_marker, by_admin, note: str = "", *, via: str = "admin"
) -> ModerationRequest:
    """Ask `second_marker` to mark `reflection` blind against the same `rubric` version as the
    current first marking. The request is the second marker's permission to mark it, even if
    not allocated; neither marker sees the other's scores until both are finalised.

    Args:
        reflection: a reflection with a current (not superseded) first marking on `rubric`.
        rubric: the rubric version of that first marking.
        second_marker: a tutor other than the first assessor.
        by_admin: a programme admin.
        note: optional plain-text note to the marker.
        via: the door, for the audit log.
    Returns:
        The `ModerationRequest` (the existing one if it was already requested).
    Raises:
        NotFound: the reflection is not one `by_admin` may see.
        PermissionDenied: `by_admin` is not an admin.
        ValidationError: no first marking to moderate, the second marker is not a tutor or
            is the first marker, or the note is longer than `limits.COMMENT`.
    """
    moderation_requests.require(by_admin, "add", reflection)
    limits.require("note", note, limits.COMMENT, "the note")
    if not R.has_role(second_marker, R.TUTOR):
        raise ValidationError({"second_marker": "The second marker must be a tutor."})
    first = (
        Assessment.objects.filter(
            reflection=reflection, rubric=rubric, moderation_of__isnull=True, superseded_by__isnull=True
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if first is None:
        raise ValidationError(
            {"reflection": "This reflection has no marking with this rubric yet: nothing to moderate."}
        )
    if first.assessor_id == second_marker.pk:
        raise ValidationError({"second_marker": "Choose a tutor other than the first marker."})
    request, created = ModerationRequest.objects.get_or_create(
        first_assessment=first,
        second_marker=second_marker,
        defaults={"requested_by": by_admin, "note": to_plain_text(note)},
    )
    if created:
        audit.record(
            by_admin,
            "moderation_request",
            learner=reflection.learner,
            obj=request,
            via=via,
            first_assessment=first.pk,
            second_marker=second_marker.pk,
        )
    return request
