"""Rubric life cycle: publish, retire, next version, canonical JSON, import and export.

These functions are the only doors through which a rubric changes status. The model layer
(`rubrics.models`) refuses any change to the content of a published or retired rubric, so the
Wagtail admin, the API and the shell all obey the same rules.

Import/export file format: see `rubrics/SCHEMA.md`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.dispatch import Signal
from django.utils import timezone

from .canonical import canonical_json_from_dict, hash_from_dict, normalise_weight
from .models import (
    DESCRIPTION_MAX,
    DESCRIPTOR_MAX,
    MAX_CRITERIA,
    MAX_LEVELS,
    MAX_POINTS,
    Competency,
    Criterion,
    Level,
    Rubric,
    status_change_allowed,
)

EXPORT_SCHEMA = "reflect-rubric/1"
_SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")
MAX_WEIGHT = Decimal("9999.99")
# An assessment's total and maximum are stored with 10 digits, 2 of them decimals.
MAX_SCORE = Decimal("99999999.99")

# Sent inside the transaction of every status change, with `rubric`, `action` ("publish" or
# "retire") and `by` (a user or None). `rubrics` depends on no other app of ours, so the audit
# log (`portfolio.audit`) listens here instead of being called (see `portfolio.signals`).
status_changed = Signal()


# --- Content as plain data --------------------------------------------------------------------


def _criteria(rubric: Rubric) -> list[Criterion]:
    return sorted(rubric.criteria.all(), key=lambda c: (c.sort_order is None, c.sort_order or 0, c.pk or 0))


def _levels(criterion: Criterion) -> list[Level]:
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
                    for level in _levels(criterion)
                ],
            }
            for criterion in _criteria(rubric)
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


def _rule_problems(criteria: list[Mapping[str, Any]]) -> list[tuple[int | None, str, str]]:
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
    for index, _field, message in _rule_problems(criteria):
        if index is None:
            messages.append(message)
        else:
            title = criteria[index]["title"]
            messages.append(f'Criterion {index + 1} "{title}": {message}')
    return messages


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


def _next_version_number(slug: str) -> int:
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
        version=_next_version_number(source.slug),
        previous_version=source,
    )
    copy.save()
    for criterion in _criteria(source):
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
        for level in _levels(criterion):
            Level(
                criterion=new_criterion,
                sort_order=level.sort_order,
                label=level.label,
                descriptor=level.descriptor,
                points=level.points,
            ).save()
    return copy


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
        for index, field, message in _rule_problems(parsed_criteria):
            problems.add("$.criteria" if index is None else f"$.criteria[{index}].{field}", message)

    if problems.items:
        raise ValidationError([ValidationError(m, code="invalid_file") for m in problems.items])

    previous = Rubric.objects.filter(slug=slug).order_by("-version").first()
    rubric = Rubric(
        slug=slug,
        title=title.strip(),
        description=description.strip(),
        version=(previous.version + 1) if previous else 1,
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
