"""The patient-representative feedback instrument.

Eight short statements, written for this project in plain language (they are not taken from
the CARE Measure or any other published instrument). Each is answered on a five-point scale,
or "Does not apply" (stored as ``None``). Keys are stable identifiers: stored ratings, the API
and exports use them, so a key is never renamed; prompts may be reworded.
"""

from __future__ import annotations

from dataclasses import dataclass

SCALE: tuple[tuple[int, str], ...] = (
    (1, "Poor"),
    (2, "Fair"),
    (3, "Good"),
    (4, "Very good"),
    (5, "Excellent"),
)
SCALE_VALUES: tuple[int, ...] = tuple(value for value, _ in SCALE)
NOT_APPLICABLE_LABEL = "Does not apply"
NOT_ANSWERED_LABEL = "Not answered"


@dataclass(frozen=True)
class Item:
    key: str
    prompt: str
    hint: str = ""


ITEMS: tuple[Item, ...] = (
    Item("listening", "They gave me time to talk and really listened to what I said."),
    Item("respect", "They treated me with respect and dignity."),
    Item("circumstances", "They tried to understand my life outside the clinic: home, work, money, family."),
    Item("explaining", "They explained things clearly, without jargon, and checked that I understood."),
    Item("questions", "They welcomed my questions and answered them honestly."),
    Item("priorities", "They asked what matters most to me."),
    Item("acting", "They took what matters to me into account in what they suggested or did."),
    Item("trust", "I would be happy for them to care for me or someone close to me."),
)
KEYS: tuple[str, ...] = tuple(item.key for item in ITEMS)
_BY_KEY = {item.key: item for item in ITEMS}
_LABELS = dict(SCALE)


def item(key: str) -> Item:
    """The item with `key` (KeyError if there is none)."""
    return _BY_KEY[key]


def label(value: int | None) -> str:
    """The words for a rating: "Very good" for 4, "Does not apply" for None."""
    if value is None:
        return NOT_APPLICABLE_LABEL
    return _LABELS.get(value, str(value))


def scale_for_api() -> list[dict]:
    """The scale as the API shows it: ``[{"value": 1, "label": "Poor"}, ..., {"value": null, ...}]``."""
    return [{"value": value, "label": text} for value, text in SCALE] + [
        {"value": None, "label": NOT_APPLICABLE_LABEL}
    ]


def rows(ratings: dict | None) -> list[dict]:
    """Ratings in instrument order, in words, for templates and exports.

    Returns:
        ``[{"key", "prompt", "value", "label"}]``; a key missing from `ratings` reads
        "Not answered".
    """
    ratings = ratings or {}
    out = []
    for it in ITEMS:
        if it.key in ratings:
            value = ratings[it.key]
            text = label(value)
        else:
            value, text = None, NOT_ANSWERED_LABEL
        out.append({"key": it.key, "prompt": it.prompt, "value": value, "label": text})
    return out
