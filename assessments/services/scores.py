"""Scores: a rubric's criteria in order, score rows checked against the pinned rubric version
(a level must belong to its criterion and the criterion to the rubric), totals by
`rubrics.scoring` (the one place the maths lives), and what is still unscored."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from reflect import limits
from reflect.errors import ValidationError
from reflect.sanitize import to_plain_text
from rubrics import scoring
from rubrics.models import Criterion, Level, Rubric

from ..models import Assessment, Score


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


def resolve_scores(rubric: Rubric, scores: Iterable[Mapping[str, Any]]) -> list[ScoreInput]:
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


def write_scores(assessment: Assessment, rows: list[ScoreInput]) -> None:
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


def levels_after(assessment: Assessment | None, rows: list[ScoreInput]) -> dict[int, Level]:
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


def missing_criteria(assessment: Assessment) -> list[Criterion]:
    """Criteria of the pinned rubric that have no level chosen yet, in rubric order."""
    scored = set(assessment.scores.filter(level__isnull=False).values_list("criterion_id", flat=True))
    return [c for c in rubric_criteria(assessment.rubric) if c.pk not in scored]
