"""Marking state changes: create, update, finalise and supersede an assessment.

`draft → finalised`; finalising needs every criterion scored; a finalised assessment is
immutable, and a correction is a new draft that `supersedes` it with a reason. Each asks
`assessments.policies.assessments` first and is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portfolio.models import Reflection
from reflect import audit, limits
from reflect.errors import Conflict, StaleVersion, ValidationError
from reflect.locking import bump_version
from reflect.sanitize import to_plain_text
from rubrics.models import Criterion, Rubric

from ..models import Assessment, Score
from ..policies import assessments as policy
from .scores import compute_totals, levels_after, missing_criteria, resolve_scores, write_scores


class IncompleteAssessment(ValidationError):
    """Finalising an assessment whose criteria are not all scored (400). `missing` holds the
    unscored criteria, in rubric order."""

    def __init__(self, missing: list[Criterion]):
        self.missing = missing
        titles = ", ".join(c.title for c in missing)
        super().__init__(f"Score every criterion before finalising. Not scored yet: {titles}.")


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
    rows = resolve_scores(rubric, scores)
    total, max_score = compute_totals(rubric, levels_after(None, rows))
    assessment = Assessment.objects.create(
        reflection=reflection,
        rubric=rubric,
        assessor=assessor,
        overall_comment=to_plain_text(overall_comment),
        total=total,
        max_score=max_score,
        moderation_of=request.first_assessment if request else None,
    )
    write_scores(assessment, rows)
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
    rows = resolve_scores(assessment.rubric, data.get("scores") or [])
    changes: dict[str, Any] = {}
    if "overall_comment" in data:
        changes["overall_comment"] = to_plain_text(data.get("overall_comment") or "")
    total, max_score = compute_totals(assessment.rubric, levels_after(assessment, rows))
    changes.update(total=total, max_score=max_score, updated_at=timezone.now())
    # The conditional update claims the version first: a stale save changes nothing.
    bump_version(assessment, expected_version, **changes)
    write_scores(assessment, rows)
    audit.record(by, "assessment_update", learner=assessment.reflection.learner, obj=assessment, via=via)
    return assessment


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
