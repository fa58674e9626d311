"""Editing reflections: a learner's input made into field values, and drafts created and changed.

Themes are resolved from their codes, sections kept to those of the reflective model and
sanitised (after their length is checked), the body built from the sections; switching
model keeps everything written. Errors as in `portfolio.services`.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import escape

from reflect import audit, limits
from reflect.locking import bump_version
from reflect.sanitize import sanitize_html, to_plain_text
from rubrics.models import Competency

from ..models import Placement, Reflection, Setting
from ..policies import reflections as policy
from ..reflective_models import get_model
from ._shared import _locked, _reindex

#: The fields a learner may set. Anything else in `data` (status, submitted_at, version,
#: learner, ...) is ignored: those are set by the server only.
EDITABLE_FIELDS = (
    "title",
    "kind",
    "setting",
    "placement",
    "occurred_on",
    "themes",
    "reflective_model",
    "sections",
    "body_html",
)


# --- helpers ------------------------------------------------------------------------------
def _themes_from(values) -> list:
    """Competencies of the social-accountability framework for codes (or instances)."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    codes = []
    for v in values:
        codes.append(v.code if isinstance(v, Competency) else str(v))
    themes = {c.code: c for c in Competency.objects.themes().filter(code__in=codes)}
    unknown = [c for c in codes if c not in themes]
    if unknown:
        known = ", ".join(Competency.objects.themes().values_list("code", flat=True))
        raise ValidationError(
            {"themes": f"Unknown theme code(s): {', '.join(unknown)}. Use one of: {known}."}
        )
    return [themes[c] for c in dict.fromkeys(codes)]


def clean_sections(model_key: str, sections) -> dict[str, str]:
    """Keep only the sections `model_key` has, each passed through `sanitize_html`."""
    if sections in (None, ""):
        return {}
    if not isinstance(sections, dict):
        raise ValidationError({"sections": "Sections must be an object of section key → HTML."})
    model = get_model(model_key)
    unknown = [k for k in sections if model.section(k) is None]
    if unknown:
        raise ValidationError(
            {
                "sections": f"{model.label} has no section(s) {', '.join(map(str, unknown))}; it has "
                + ", ".join(s.key for s in model.sections)
                + "."
            }
        )
    errors: dict[str, list[str]] = {}
    for s in model.sections:
        value = sections.get(s.key)
        if value is not None and not isinstance(value, str):
            errors.setdefault("sections", []).append(f"Section {s.key} must be text.")
        limits.check(errors, "sections", value, limits.REFLECTION_HTML, f"“{s.heading}”")
    if errors:  # before anything is sanitised
        raise ValidationError(errors)
    return {s.key: sanitize_html(sections[s.key]) for s in model.sections if sections.get(s.key) is not None}


def build_body_html(model_key: str, sections: dict[str, str]) -> str:
    """The reflection as one HTML document: a heading per written section, then its
    (already sanitised) HTML; sanitised again as a whole so the result is always safe."""
    model = get_model(model_key)
    parts = []
    for s in model.sections:
        html = sections.get(s.key, "")
        if not to_plain_text(html):
            continue
        if len(model.sections) > 1:
            parts.append(f"<h2>{escape(s.heading)}</h2>")
        parts.append(html)
    return sanitize_html("\n".join(parts))


def _carry_over(old_key: str, new_key: str, source: dict) -> dict[str, str]:
    """Sections for `new_key` from `source` (keys of either model): shared keys keep their
    text; text of sections the new model lacks is appended to its first section, each under
    its old heading."""
    old_model, new_model = get_model(old_key), get_model(new_key)
    result = {k: v for k, v in source.items() if new_model.section(k) and isinstance(v, str)}
    moved = []
    for k, v in source.items():
        if new_model.section(k) or not isinstance(v, str) or not to_plain_text(v):
            continue
        old = old_model.section(k)
        moved.append(f"<h3>{escape(old.heading if old else k)}</h3>{v}")
    if moved:
        first = new_model.sections[0].key
        result[first] = "\n".join(filter(None, [result.get(first, ""), *moved]))
    return result


def _validated_changes(reflection: Reflection, data: dict) -> tuple[dict, list | None]:
    """Turn learner input into field values, raising ValidationError (field → message)
    for anything wrong. Returns (changes, themes or None when themes were not given)."""
    errors: dict[str, list[str]] = {}
    changes: dict = {}
    data = {k: v for k, v in (data or {}).items() if k in EDITABLE_FIELDS}

    if "title" in data and not limits.check(errors, "title", data["title"], limits.TITLE, "the title"):
        title = to_plain_text(data["title"] or "")[: limits.TITLE].strip()
        if not title:
            errors.setdefault("title", []).append("Give your reflection a title.")
        changes["title"] = title
    if "kind" in data:
        if data["kind"] not in Reflection.Kind.values:
            errors.setdefault("kind", []).append(
                "Choose what kind of experience this was: " + ", ".join(Reflection.Kind.values) + "."
            )
        changes["kind"] = data["kind"]
    if "setting" in data:
        setting = data["setting"] or ""
        if setting and setting not in Setting.values:
            errors.setdefault("setting", []).append("Choose a setting from the list.")
        changes["setting"] = setting
    if "placement" in data:
        placement = data["placement"]
        if placement in (None, ""):
            changes["placement"] = None
        elif isinstance(placement, Placement):
            changes["placement"] = placement
        else:
            try:
                changes["placement"] = Placement.objects.get(pk=int(placement))
            except (Placement.DoesNotExist, TypeError, ValueError):
                errors.setdefault("placement", []).append("Choose a placement from the list.")
    if "occurred_on" in data:
        occurred = data["occurred_on"]
        if isinstance(occurred, str):
            try:
                occurred = parse_date(occurred)
            except ValueError:
                occurred = None
        if not isinstance(occurred, datetime.date):
            errors.setdefault("occurred_on", []).append("Enter the date it happened, as YYYY-MM-DD.")
        elif occurred > timezone.localdate():
            errors.setdefault("occurred_on", []).append("The date it happened cannot be in the future.")
        changes["occurred_on"] = occurred
    model_key = data.get("reflective_model", reflection.reflective_model)
    if "reflective_model" in data:
        if model_key not in Reflection.Model.values:
            errors.setdefault("reflective_model", []).append("Choose a reflective model from the list.")
            model_key = reflection.reflective_model
        changes["reflective_model"] = model_key
    try:
        switching = model_key != reflection.reflective_model and reflection.pk is not None
        if switching and "body_html" not in data:
            # Switching model: nothing written is lost. Sections the new model lacks move,
            # under their old heading, into the new model's first section.
            given = data.get("sections")
            source = {**(reflection.sections or {}), **(given if isinstance(given, dict) else {})}
            sections = clean_sections(model_key, _carry_over(reflection.reflective_model, model_key, source))
            changes["sections"] = sections
        elif "sections" in data:
            given = data["sections"]
            if isinstance(given, dict):
                # Sections not sent are kept (PATCH semantics); send "" to empty one.
                kept = {
                    k: v for k, v in (reflection.sections or {}).items() if get_model(model_key).section(k)
                }
                given = {**kept, **given}
            sections = clean_sections(model_key, given)
            changes["sections"] = sections
        elif "body_html" in data:
            # A whole body (API clients) is stored as free writing.
            model_key = Reflection.Model.FREE
            changes["reflective_model"] = model_key
            limits.require("body_html", data["body_html"], limits.REFLECTION_HTML, "the reflection")
            sections = {"free": sanitize_html(data["body_html"] or "")}
            changes["sections"] = sections
        else:
            sections = None
        if sections is not None:
            changes["body_html"] = build_body_html(model_key, sections)
    except ValidationError as exc:
        for k, v in exc.message_dict.items():
            errors.setdefault(k, []).extend(v)
    themes = None
    if "themes" in data:
        try:
            themes = _themes_from(data["themes"])
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
    if errors:
        raise ValidationError(errors)
    return changes, themes


@transaction.atomic
def create_reflection(learner, data: dict, *, via: str = "") -> Reflection:
    """Create a draft reflection in `learner`'s own portfolio.

    Args:
        learner: the author; must hold the learner role.
        data: any of `EDITABLE_FIELDS`; `title`, `kind` and `occurred_on` are required.
            `themes` are theme codes; `sections` (key → HTML) or `body_html` (free writing).
            Status, dates of submission and versions in `data` are ignored.
        via: the door ("site", "api", ...), kept in the audit log.

    Returns:
        The new reflection (status draft, version 1).

    Raises:
        PermissionDenied: `learner` is not a learner.
        ValidationError: missing or invalid fields (field → messages), text longer than
            `reflect.limits` allows (checked before anything is sanitised); nothing is saved.
    """
    if not policy.role_may(learner, "add"):
        raise PermissionDenied("Only learners write reflections.")
    reflection = Reflection(learner=learner, reflective_model=Reflection.Model.FREE)
    data = dict(data or {})
    missing = {
        f: [message]
        for f, message in (
            ("title", "Give your reflection a title."),
            ("kind", "Choose what kind of experience this was."),
            ("occurred_on", "Enter the date it happened."),
        )
        if data.get(f) in (None, "")
    }
    try:
        changes, themes = _validated_changes(reflection, data)
    except ValidationError as exc:
        raise ValidationError({**exc.message_dict, **missing}) from None
    if missing:
        raise ValidationError(missing)
    for k, v in changes.items():
        setattr(reflection, k, v)
    if "sections" not in changes:
        reflection.sections = {}
        reflection.body_html = ""
    reflection.save()
    if themes:
        reflection.themes.set(themes)
    audit.record(learner, "create", learner=learner, obj=reflection, via=via)
    _reindex(reflection)
    return reflection


@transaction.atomic
def update_reflection(
    reflection: Reflection, by, data: dict, expected_version: int | None, *, via: str = ""
) -> Reflection:
    """Change a draft (or a reflection sent back for changes); used by edit and autosave.

    Args:
        reflection: the reflection to change.
        by: who is changing it; only its learner may.
        data: fields to change (see `create_reflection`); absent fields are kept.
        expected_version: the `version` the caller read (optimistic lock).
        via: the door, kept in the audit log.

    Returns:
        The reflection, refreshed (its `version` went up by one).

    Raises:
        NotFound: `by` may not see the reflection (it does not exist for them).
        PermissionDenied: `by` is not its learner.
        Conflict: it is submitted or signed off, so not editable.
        ValidationError: invalid fields; nothing changed.
        StaleVersion: someone saved it since `expected_version` was read.
    """
    policy.require(by, "change", reflection)
    current = _locked(reflection)
    policy.require(by, "change", current, visible=True)
    changes, themes = _validated_changes(current, data)
    bump_version(current, expected_version, updated_at=timezone.now(), **changes)
    if themes is not None:
        current.themes.set(themes)
    audit.record(by, "update", learner=current.learner, obj=current, via=via, version=current.version)
    _reindex(current)
    reflection.refresh_from_db()
    return reflection
