"""A rubric's content as plain data, its canonical JSON and content hash, and the rules a
rubric must meet to be published (shared by `lifecycle.publish` and `transfer.import_json`)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..canonical import canonical_json_from_dict, hash_from_dict, normalise_weight
from ..models import Competency, Criterion, Level, Rubric

# An assessment's total and maximum are stored with 10 digits, 2 of them decimals.
MAX_SCORE = Decimal("99999999.99")


# --- Content as plain data --------------------------------------------------------------------


def ordered_criteria(rubric: Rubric) -> list[Criterion]:
    return sorted(rubric.criteria.all(), key=lambda c: (c.sort_order is None, c.sort_order or 0, c.pk or 0))


def ordered_levels(criterion: Criterion) -> list[Level]:
    return sorted(
        criterion.levels.all(), key=lambda lv: (lv.sort_order is None, lv.sort_order or 0, lv.pk or 0)
    )


def _competencies(criterion: Criterion) -> list[Competency]:
    return sorted(criterion.competencies.all(), key=lambda c: (c.framework.code, c.code))


def content_dict(rubric: Rubric) -> dict[str, Any]:
    """The rubric's content as a plain dict, criteria and levels in their order.

    Args:
        rubric: a saved rubric (prefetch with `Rubric.objects.with_content()` to save queries).

    Returns:
        ``{"slug", "title", "description", "criteria": [{"id", "title", "description", "weight",
        "competencies": [{"framework", "code"}], "levels": [{"id", "label", "descriptor",
        "points"}]}]}``. The ids are there for callers; the canonical form ignores them.
    """
    return {
        "slug": rubric.slug,
        "title": rubric.title,
        "description": rubric.description,
        "criteria": [
            {
                "id": criterion.pk,
                "title": criterion.title,
                "description": criterion.description,
                "weight": normalise_weight(criterion.weight),
                "competencies": [
                    {"framework": comp.framework.code, "code": comp.code} for comp in _competencies(criterion)
                ],
                "levels": [
                    {
                        "id": level.pk,
                        "label": level.label,
                        "descriptor": level.descriptor,
                        "points": level.points,
                    }
                    for level in ordered_levels(criterion)
                ],
            }
            for criterion in ordered_criteria(rubric)
        ],
    }


def canonical_json(rubric: Rubric) -> str:
    """The canonical JSON of the rubric's content (see `rubrics.canonical`).

    Args:
        rubric: a saved rubric.

    Returns:
        Compact JSON with sorted keys; no database ids, timestamps, version or status.
    """
    return canonical_json_from_dict(content_dict(rubric))


def compute_hash(rubric: Rubric) -> str:
    """SHA-256 hex of `canonical_json(rubric)` (what `publish` stores as `content_hash`).

    Args:
        rubric: a saved rubric.

    Returns:
        64 lowercase hex characters.
    """
    return hash_from_dict(content_dict(rubric))


# --- Validation -------------------------------------------------------------------------------


def rule_problems(criteria: list[Mapping[str, Any]]) -> list[tuple[int | None, str, str]]:
    """The publishing rules over plain criteria dicts (weights/points already parsed).

    Returns:
        ``(criterion index or None, field, message)`` for every broken rule.
    """
    problems: list[tuple[int | None, str, str]] = []
    if not criteria:
        problems.append((None, "criteria", "A rubric needs at least one criterion."))
    maximum = Decimal(0)
    for index, criterion in enumerate(criteria):
        weight = criterion.get("weight")
        if weight is not None and weight <= 0:
            problems.append((index, "weight", f"the weight must be greater than zero (it is {weight})."))
        levels = criterion.get("levels") or []
        if len(levels) < 2:
            problems.append((index, "levels", f"needs at least two levels (it has {len(levels)})."))
        for pos in range(1, len(levels)):
            before, after = levels[pos - 1], levels[pos]
            if before.get("points") is None or after.get("points") is None:
                continue
            if after["points"] <= before["points"]:
                problems.append(
                    (
                        index,
                        "levels",
                        f'points must rise strictly from level to level: level {pos + 1} "{after["label"]}" '
                        f'has {after["points"]} points, level {pos} "{before["label"]}" has '
                        f"{before['points']}.",
                    )
                )
        top = max((lv["points"] for lv in levels if lv.get("points") is not None), default=0)
        if weight is not None and weight > 0:
            maximum += weight * top
    if maximum > MAX_SCORE:
        problems.append(
            (
                None,
                "criteria",
                f"The rubric's maximum score (weight × top points, added over the criteria) is {maximum}; "
                f"it must be at most {MAX_SCORE}. Use smaller points or weights.",
            )
        )
    return problems


def validation_problems(rubric: Rubric) -> list[str]:
    """Every reason why `rubric` cannot be published, as messages for people.

    Args:
        rubric: a saved rubric.

    Returns:
        A list of messages, empty when the rubric may be published.
    """
    data = content_dict(rubric)
    criteria = [
        {
            **c,
            "weight": Decimal(c["weight"]),
            "levels": c["levels"],
        }
        for c in data["criteria"]
    ]
    messages = []
    for index, _field, message in rule_problems(criteria):
        if index is None:
            messages.append(message)
        else:
            title = criteria[index]["title"]
            messages.append(f'Criterion {index + 1} "{title}": {message}')
    return messages
