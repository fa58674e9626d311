"""How long the text people type may be (issue #13).

Every limit is checked on the raw value, before it is parsed, sanitised, searched or stored:
the sanitiser is linear but still costs time per character, and nothing that is refused
anyway should be cleaned first. Services check (they are the door every other door goes
through); model fields carry the same numbers as `max_length`, so admin forms and model
serializers show and enforce them too, and site forms and API serializers declare them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

TITLE = 255  # a reflection's title, a session's title (the CharField's size)
NAME = 150  # a person's name as they give it
FEEDBACK_COMMENTS = 5_000  # what a respondent writes through a feedback link
COMMENT = 10_000  # a review comment, a score's comment, a reason, a note
LONG_TEXT = 20_000  # an assessment's overall comment, a panel's comments, rubric descriptions
REFLECTION_HTML = 100_000  # a reflection's body, or one of its sections, as HTML (~15,000 words)
SEARCH = 200  # what is typed into a search box


def message(what: str, limit: int, length: int) -> str:
    """The one wording of "too long", e.g. "Keep the title to 255 characters or fewer (this
    one has 300)."."""
    return f"Keep {what} to {limit:,} characters or fewer (this one has {length:,})."


def too_long(value, limit: int) -> bool:
    """True when `value` is a string longer than `limit` (other types are for the caller)."""
    return isinstance(value, str) and len(value) > limit


def check(errors: dict[str, list[str]], field: str, value, limit: int, what: str) -> bool:
    """Add the "too long" message to `errors[field]` when `value` is too long.

    Args:
        errors: field → messages, collected by the caller and raised as one ValidationError.
        field: the key the message goes under.
        value: the raw input (anything; only strings are measured).
        limit: the most characters allowed.
        what: how the message names the field ("the title", "your comments").

    Returns:
        True when the value was too long (so the caller can skip cleaning it).
    """
    if not too_long(value, limit):
        return False
    errors.setdefault(field, []).append(message(what, limit, len(value)))
    return True


def require(field: str, value, limit: int, what: str) -> None:
    """Raise `ValidationError({field: [message]})` when `value` is too long."""
    errors: dict[str, list[str]] = {}
    if check(errors, field, value, limit, what):
        raise ValidationError(errors)
