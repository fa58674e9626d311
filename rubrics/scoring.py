"""Scoring maths: weighted total, maximum, percentage and per-competency aggregation.

For a rubric and a choice of one level per criterion:

* a criterion's weighted score is ``weight × points of the chosen level``;
* the total is the sum of the weighted scores of the chosen levels (an unscored criterion
  adds 0);
* the maximum is ``Σ weight × highest points of that criterion`` over *every* criterion, so a
  partly marked rubric shows how far it has to go;
* the percentage is ``100 × total / maximum`` rounded half-up to two places (0 when the
  maximum is 0);
* per competency: the same three numbers over the criteria mapped to it; a criterion mapped
  to several competencies counts toward each of them. Keys are competency codes.

Decimals throughout (no floats), so results are exact and reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError

from .models import Criterion, Level, Rubric

ZERO = Decimal("0")
HUNDRED = Decimal("100")
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class ScoreResult:
    """The result of `score`. `per_criterion` maps criterion id → (points, weighted points) for
    the scored criteria; `per_competency` maps code → {"total", "max", "percentage"}."""

    total: Decimal
    max_score: Decimal
    percentage: Decimal
    per_criterion: dict[int, tuple[int, Decimal]] = field(default_factory=dict)
    per_competency: dict[str, dict[str, Decimal]] = field(default_factory=dict)


def percentage(total: Decimal, maximum: Decimal) -> Decimal:
    """``100 × total / maximum`` rounded half-up to two places; 0 when the maximum is 0.

    Args:
        total: the score.
        maximum: the highest possible score.

    Returns:
        The percentage as a Decimal with two places.
    """
    if not maximum:
        return ZERO.quantize(TWO_PLACES)
    return (HUNDRED * Decimal(total) / Decimal(maximum)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class _Part:
    """A criterion as the maths reads it: its levels by id, competency codes and maximum."""

    criterion: Criterion
    levels: dict[int, Level]
    codes: tuple[str, ...]
    maximum: Decimal


def _structure(rubric: Rubric) -> list[_Part]:
    """The rubric's criteria with their levels and competencies, from prefetched data when
    present. Worked out once per prefetched rubric instance (kept on it, as the prefetched
    rows themselves are): a pack or a marking list scores many markings of one rubric."""
    cache = getattr(rubric, "_prefetched_objects_cache", {})
    if "criteria" in cache and getattr(rubric, "_scoring_parts", None) is not None:
        return rubric._scoring_parts
    loaded = rubric if "criteria" in cache else Rubric.objects.with_content().get(pk=rubric.pk)
    parts = [_part(c) for c in loaded.criteria.all()]
    if "criteria" in cache:
        rubric._scoring_parts = parts
    return parts


def _part(criterion: Criterion) -> _Part:
    levels = list(criterion.levels.all())
    top = max((level.points for level in levels), default=0)
    return _Part(
        criterion=criterion,
        levels={level.pk: level for level in levels},
        codes=tuple(comp.code for comp in criterion.competencies.all()),
        maximum=Decimal(criterion.weight) * Decimal(top),
    )


def max_score(rubric: Rubric) -> Decimal:
    """The highest possible weighted total of `rubric`: ``Σ weight × max points``.

    Args:
        rubric: a saved rubric (prefetched with `Rubric.objects.with_content()` or not).

    Returns:
        The maximum as a Decimal with two places.
    """
    return sum((part.maximum for part in _structure(rubric)), ZERO).quantize(TWO_PLACES)


def score(rubric: Rubric, chosen: Mapping[Any, Level | int]) -> ScoreResult:
    """Score one marking of `rubric`.

    Args:
        rubric: a saved rubric.
        chosen: criterion (id or instance) → the chosen level (instance or id). Criteria left
            out are unscored: they add nothing to the total but count in the maximum.

    Returns:
        A `ScoreResult`.

    Raises:
        ValidationError: a criterion is not one of this rubric's, or a level is not one of
            its criterion's levels (every such problem is listed).
    """
    parts = _structure(rubric)
    by_id = {part.criterion.pk: part for part in parts}
    problems: list[str] = []
    picked: dict[int, Level] = {}
    for key, value in chosen.items():
        criterion_id = key.pk if isinstance(key, Criterion) else key
        part = by_id.get(criterion_id)
        if part is None:
            problems.append(f"Criterion {criterion_id} is not part of this rubric.")
            continue
        level_id = value.pk if isinstance(value, Level) else value
        level = part.levels.get(level_id)
        if level is None:
            title = part.criterion.title
            problems.append(f'Level {level_id} is not one of the levels of criterion "{title}".')
            continue
        picked[criterion_id] = level
    if problems:
        raise ValidationError(problems)

    total = ZERO
    maximum = ZERO
    per_criterion: dict[int, tuple[int, Decimal]] = {}
    comp_total: dict[str, Decimal] = {}
    comp_max: dict[str, Decimal] = {}
    for part in parts:
        criterion, c_max = part.criterion, part.maximum
        maximum += c_max
        weighted = ZERO
        if criterion.pk in picked:
            points = picked[criterion.pk].points
            weighted = (Decimal(criterion.weight) * points).quantize(TWO_PLACES)
            per_criterion[criterion.pk] = (points, weighted)
            total += weighted
        for code in part.codes:
            comp_total[code] = comp_total.get(code, ZERO) + weighted
            comp_max[code] = comp_max.get(code, ZERO) + c_max
    per_competency = {
        code: {
            "total": comp_total[code].quantize(TWO_PLACES),
            "max": comp_max[code].quantize(TWO_PLACES),
            "percentage": percentage(comp_total[code], comp_max[code]),
        }
        for code in comp_max
    }
    return ScoreResult(
        total=total.quantize(TWO_PLACES),
        max_score=maximum.quantize(TWO_PLACES),
        percentage=percentage(total, maximum),
        per_criterion=per_criterion,
        per_competency=per_competency,
    )
