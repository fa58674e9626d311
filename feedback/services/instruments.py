"""Instruments as versioned data: the current version of a respondent type, and revising one
(a version in use is never changed: revising it makes the next version)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from ..instrument_texts import THEME_CODES
from ..models import Feedback, Instrument, RespondentType


def current(respondent_type: str) -> Instrument:
    """The newest version of the instrument for `respondent_type`.

    Raises:
        ValidationError: `respondent_type` is not one of `RespondentType`.
    """
    if respondent_type not in RespondentType.values:
        choices = ", ".join(RespondentType.values)
        raise ValidationError({"respondent_type": [f"Choose one of: {choices}."]})
    return Instrument.objects.current(respondent_type)


def _check_content(key: str, content: dict) -> None:
    errors: list[str] = []
    scale = content["scale"]
    if not scale or not all(
        isinstance(step, list | tuple) and len(step) == 2 and type(step[0]) is int and str(step[1]).strip()
        for step in scale
    ):
        errors.append("The scale must be a list of [whole number, label] pairs.")
    roles = content["roles"]
    if not roles or any(role not in Feedback.RespondentRole.values for role in roles):
        errors.append("Every role must be one of the respondent roles.")
    items = content["items"]
    keys = [item.get("key") for item in items if isinstance(item, dict)]
    if not items or len(keys) != len(items) or len(set(keys)) != len(keys) or not all(keys):
        errors.append("Every statement needs its own key.")
    # Keys are unique across instruments, so a stored rating always names one statement.
    taken = {
        item["key"] for other in Instrument.objects.exclude(key=key).only("items") for item in other.items
    }
    clashes = sorted(set(keys) & taken)
    if clashes:
        errors.append(f"These keys belong to another instrument: {', '.join(clashes)}.")
    for item in items:
        if not isinstance(item, dict) or not str(item.get("prompt", "")).strip():
            errors.append("Every statement needs a prompt.")
            break
        unknown = [t for t in item.get("themes", []) if t not in THEME_CODES]
        if unknown or not item.get("themes"):
            errors.append(f"“{item.get('key')}” must map to one or more of the eight themes.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def revise(instrument: Instrument, **changes) -> Instrument:
    """Change an instrument's content (title, question, scale, roles, items).

    A version that no link has used yet is changed in place. A version in use is frozen:
    the changes make the next version, which new links then use; links and answers already
    made keep the version they had.

    Returns:
        The instrument now current for its key (the same row, or the new version).

    Raises:
        ValidationError: an unknown field, or content that breaks the rules above.
    """
    unknown = set(changes) - set(Instrument.CONTENT_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown instrument fields: {', '.join(sorted(unknown))}.")
    locked = Instrument.objects.select_for_update().get(pk=instrument.pk)
    content = {**locked.content(), **changes}
    _check_content(locked.key, content)
    if locked.in_use():
        newest = Instrument.objects.filter(key=locked.key).order_by("-version").first()
        return Instrument.objects.create(key=locked.key, version=newest.version + 1, **content)
    for field, value in content.items():
        setattr(locked, field, value)
    locked.save()
    return locked
