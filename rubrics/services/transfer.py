"""Rubric export and import in the documented file format (`rubrics/SCHEMA.md`).

An import is all-or-nothing: the whole file is checked first (format and the publishing
rules), every problem reported with its JSON path, and only a clean file becomes a draft.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import (
    DESCRIPTION_MAX,
    DESCRIPTOR_MAX,
    MAX_CRITERIA,
    MAX_LEVELS,
    MAX_POINTS,
    Competency,
    Criterion,
    Level,
    Rubric,
)
from .content import content_dict, rule_problems
from .lifecycle import draft_of, next_version_number

EXPORT_SCHEMA = "reflect-rubric/1"
_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
MAX_WEIGHT = Decimal("9999.99")


# --- Export and import ------------------------------------------------------------------------


def export_json(rubric: Rubric) -> dict[str, Any]:
    """The rubric as a JSON-ready dict in the documented file format (`rubrics/SCHEMA.md`).

    Args:
        rubric: any rubric.

    Returns:
        ``{"schema", "slug", "title", "description", "version", "status", "content_hash",
        "criteria": [...]}``; no database ids.
    """
    data = content_dict(rubric)
    for criterion in data["criteria"]:
        criterion.pop("id")
        for level in criterion["levels"]:
            level.pop("id")
    return {
        "schema": EXPORT_SCHEMA,
        "slug": data["slug"],
        "title": data["title"],
        "description": data["description"],
        "version": rubric.version,
        "status": rubric.status,
        "content_hash": rubric.content_hash,
        "criteria": data["criteria"],
    }


_TOP_KEYS = {"schema", "slug", "title", "description", "version", "status", "content_hash", "criteria"}
_CRITERION_KEYS = {"title", "description", "weight", "competencies", "levels"}
_LEVEL_KEYS = {"label", "descriptor", "points"}


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")


def _text(problems: _Problems, obj: Mapping, key: str, path: str, *, required: bool, max_length: int | None):
    value = obj.get(key)
    if value is None:
        if required:
            problems.add(f"{path}.{key}", "is required.")
        return ""
    if not isinstance(value, str):
        problems.add(f"{path}.{key}", "must be a string.")
        return ""
    if required and not value.strip():
        problems.add(f"{path}.{key}", "must not be empty.")
    if max_length is not None and len(value) > max_length:
        problems.add(f"{path}.{key}", f"must be at most {max_length} characters (it has {len(value)}).")
    return value


def _unknown_keys(problems: _Problems, obj: Mapping, allowed: set[str], path: str) -> None:
    for key in sorted(set(obj) - allowed, key=str):
        problems.add(f"{path}.{key}", "is not a field of this format.")


def _weight(problems: _Problems, value: Any, path: str) -> Decimal | None:
    if value is None:
        return Decimal("1")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        problems.add(path, 'must be a number or a decimal string such as "1.50".')
        return None
    try:
        weight = Decimal(str(value))
    except InvalidOperation:
        problems.add(path, 'must be a number or a decimal string such as "1.50".')
        return None
    if not weight.is_finite():
        problems.add(path, "must be a finite number.")
        return None
    # The size first: quantizing 1e308 to two places overflows the decimal context.
    if abs(weight) > MAX_WEIGHT:
        problems.add(path, f"must be greater than zero and at most {MAX_WEIGHT}.")
        return None
    if weight != weight.quantize(Decimal("0.01")):
        problems.add(path, "may have at most two decimal places.")
    return weight


def _competency_index() -> tuple[dict[str, Competency], dict[str, list[Competency]]]:
    by_ref: dict[str, Competency] = {}
    by_code: dict[str, list[Competency]] = {}
    for comp in Competency.objects.select_related("framework"):
        by_ref[comp.ref] = comp
        by_code.setdefault(comp.code, []).append(comp)
    return by_ref, by_code


def _resolve_competency(problems: _Problems, value: Any, path: str, by_ref, by_code) -> Competency | None:
    if isinstance(value, Mapping):
        unknown = set(value) - {"framework", "code"}
        for key in sorted(unknown, key=str):
            problems.add(f"{path}.{key}", "is not a field of this format.")
        framework, code = value.get("framework"), value.get("code")
        if not isinstance(framework, str) or not isinstance(code, str):
            problems.add(path, 'must be {"framework": "<code>", "code": "<code>"}.')
            return None
        comp = by_ref.get(f"{framework}:{code}")
        if comp is None:
            problems.add(path, f'no competency "{code}" in framework "{framework}".')
        return comp
    if isinstance(value, str):
        if ":" in value:
            comp = by_ref.get(value)
            if comp is None:
                problems.add(path, f'no competency "{value}".')
            return comp
        matches = by_code.get(value, [])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            problems.add(path, f'no competency with code "{value}".')
        else:
            problems.add(path, f'the code "{value}" exists in several frameworks; write "framework:code".')
        return None
    problems.add(path, 'must be a competency code, "framework:code" or {"framework", "code"}.')
    return None


@transaction.atomic
def import_json(data: Any) -> Rubric:
    """Create a draft rubric from a file in the documented format (`rubrics/SCHEMA.md`).

    All-or-nothing: the whole file is checked first and every problem is reported with its
    JSON path (``$.criteria[1].levels[0].points: ...``); if there is any, nothing is imported.
    Besides the format, the publishing rules are checked too (at least one criterion, at
    least two levels each, points rising strictly, weights greater than zero), so that an
    imported rubric can be published as it is. `version`, `status` and `content_hash` in the
    file are informational and ignored: the import is always a new draft, numbered after
    the highest existing version of its slug (version 1 for a new slug).

    Args:
        data: the parsed JSON document.

    Returns:
        The new draft rubric.

    Raises:
        ValidationError: listing every problem; nothing was created.
    """
    problems = _Problems()
    if not isinstance(data, Mapping):
        raise ValidationError(["$: the file must hold a JSON object describing one rubric."])
    _unknown_keys(problems, data, _TOP_KEYS, "$")
    schema = data.get("schema")
    if schema is not None and schema != EXPORT_SCHEMA:
        problems.add("$.schema", f'must be "{EXPORT_SCHEMA}" (it is {schema!r}).')
    slug = _text(problems, data, "slug", "$", required=True, max_length=100)
    if slug and not _SLUG_RE.match(slug):
        problems.add("$.slug", "may hold only letters, digits, hyphens and underscores.")
    title = _text(problems, data, "title", "$", required=True, max_length=255)
    description = _text(problems, data, "description", "$", required=False, max_length=DESCRIPTION_MAX)
    if slug and _SLUG_RE.match(slug) and draft_of(slug) is not None:
        problems.add("$.slug", f'a draft of rubric "{slug}" already exists; edit or delete it first.')

    by_ref, by_code = _competency_index()
    parsed_criteria: list[dict[str, Any]] = []
    raw_criteria = data.get("criteria")
    if raw_criteria is None:
        problems.add("$.criteria", "is required.")
        raw_criteria = []
    elif not isinstance(raw_criteria, list):
        problems.add("$.criteria", "must be a list.")
        raw_criteria = []
    elif len(raw_criteria) > MAX_CRITERIA:
        problems.add(
            "$.criteria", f"may hold at most {MAX_CRITERIA} criteria (it holds {len(raw_criteria)})."
        )
        raw_criteria = []
    for c_index, raw in enumerate(raw_criteria):
        c_path = f"$.criteria[{c_index}]"
        if not isinstance(raw, Mapping):
            problems.add(c_path, "must be an object.")
            parsed_criteria.append({"title": "", "weight": None, "levels": [], "competencies": []})
            continue
        _unknown_keys(problems, raw, _CRITERION_KEYS, c_path)
        criterion = {
            "title": _text(problems, raw, "title", c_path, required=True, max_length=255),
            "description": _text(
                problems, raw, "description", c_path, required=False, max_length=DESCRIPTOR_MAX
            ),
            "weight": _weight(problems, raw.get("weight"), f"{c_path}.weight"),
            "competencies": [],
            "levels": [],
        }
        comps = raw.get("competencies", [])
        if not isinstance(comps, list):
            problems.add(f"{c_path}.competencies", "must be a list.")
            comps = []
        for k, value in enumerate(comps):
            comp = _resolve_competency(problems, value, f"{c_path}.competencies[{k}]", by_ref, by_code)
            if comp is not None and comp not in criterion["competencies"]:
                criterion["competencies"].append(comp)
        levels = raw.get("levels")
        if levels is None:
            problems.add(f"{c_path}.levels", "is required.")
            levels = []
        elif not isinstance(levels, list):
            problems.add(f"{c_path}.levels", "must be a list.")
            levels = []
        elif len(levels) > MAX_LEVELS:
            problems.add(
                f"{c_path}.levels", f"may hold at most {MAX_LEVELS} levels (it holds {len(levels)})."
            )
            levels = []
        for l_index, raw_level in enumerate(levels):
            l_path = f"{c_path}.levels[{l_index}]"
            if not isinstance(raw_level, Mapping):
                problems.add(l_path, "must be an object.")
                criterion["levels"].append({"label": "", "descriptor": "", "points": None})
                continue
            _unknown_keys(problems, raw_level, _LEVEL_KEYS, l_path)
            points = raw_level.get("points")
            if points is None:
                problems.add(f"{l_path}.points", "is required.")
            elif isinstance(points, bool) or not isinstance(points, int) or points < 0:
                problems.add(f"{l_path}.points", "must be a whole number, 0 or more.")
                points = None
            elif points > MAX_POINTS:
                problems.add(f"{l_path}.points", f"must be at most {MAX_POINTS:,}.")
                points = None
            criterion["levels"].append(
                {
                    "label": _text(problems, raw_level, "label", l_path, required=True, max_length=100),
                    "descriptor": _text(
                        problems, raw_level, "descriptor", l_path, required=False, max_length=DESCRIPTOR_MAX
                    ),
                    "points": points,
                }
            )
        parsed_criteria.append(criterion)

    if isinstance(data.get("criteria"), list):
        for index, field, message in rule_problems(parsed_criteria):
            problems.add("$.criteria" if index is None else f"$.criteria[{index}].{field}", message)

    if problems.items:
        raise ValidationError([ValidationError(m, code="invalid_file") for m in problems.items])

    previous = Rubric.objects.filter(slug=slug).order_by("-version").first()
    rubric = Rubric(
        slug=slug,
        title=title.strip(),
        description=description.strip(),
        version=next_version_number(slug),
        previous_version=previous,
    )
    rubric.save()
    for c_order, criterion in enumerate(parsed_criteria):
        obj = Criterion(
            rubric=rubric,
            sort_order=c_order,
            title=criterion["title"].strip(),
            description=criterion["description"].strip(),
            weight=criterion["weight"],
        )
        obj.save()
        if criterion["competencies"]:
            obj.competencies.set(criterion["competencies"])
            obj.save()
        for l_order, level in enumerate(criterion["levels"]):
            Level(
                criterion=obj,
                sort_order=l_order,
                label=level["label"].strip(),
                descriptor=level["descriptor"].strip(),
                points=level["points"],
            ).save()
    return rubric
