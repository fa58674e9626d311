"""Reading instruments: the words of scales and statements, for forms, the API and exports.

Instruments are versioned data (`feedback.models.Instrument`, seeded from
`feedback.instrument_texts`). This module keeps the shared words ("Does not apply") and
helpers that work on any instrument version, plus the patient instrument's shipped items
(`ITEMS`, `KEYS`, `SCALE`) for callers that predate respondent types.

Keys are stable identifiers, unique across every instrument: stored ratings, the API and
exports use them, so a key is never renamed; prompts may be reworded in a new version.
"""

from __future__ import annotations

from dataclasses import dataclass

from .instrument_texts import V1
from .models import NOT_APPLICABLE_LABEL, Instrument

NOT_ANSWERED_LABEL = "Not answered"
__all__ = ["NOT_APPLICABLE_LABEL", "NOT_ANSWERED_LABEL"]

_SHIPPED = {spec["key"]: spec for spec in V1}
SCALE: tuple[tuple[int, str], ...] = tuple((v, text) for v, text in _SHIPPED["patient"]["scale"])
SCALE_VALUES: tuple[int, ...] = tuple(value for value, _ in SCALE)


@dataclass(frozen=True)
class Item:
    key: str
    prompt: str
    hint: str = ""
    themes: tuple[str, ...] = ()


def _as_items(spec_items) -> tuple[Item, ...]:
    return tuple(Item(i["key"], i["prompt"], themes=tuple(i.get("themes", ()))) for i in spec_items)


#: The patient instrument as shipped (version 1).
ITEMS: tuple[Item, ...] = _as_items(_SHIPPED["patient"]["items"])
KEYS: tuple[str, ...] = tuple(item.key for item in ITEMS)
_BY_KEY = {item.key: item for spec in V1 for item in _as_items(spec["items"])}
_ORDER = {item.key: n for n, item in enumerate(i for spec in V1 for i in _as_items(spec["items"]))}
_LABELS = dict(SCALE)


def item(key: str) -> Item:
    """The shipped item with `key`, of any instrument (KeyError if there is none)."""
    return _BY_KEY[key]


def order(key: str) -> int:
    """Position of a key across the shipped instruments (unknown keys last)."""
    return _ORDER.get(key, 999)


def label(value: int | None) -> str:
    """The words for a rating on the patient scale: "Very good" for 4, "Does not apply" for None."""
    if value is None:
        return NOT_APPLICABLE_LABEL
    return _LABELS.get(value, str(value))


def scale_for_api(instrument: Instrument | None = None) -> list[dict]:
    """A scale as the API shows it: ``[{"value": 1, "label": "Poor"}, ..., {"value": null, ...}]``."""
    scale = instrument.scale if instrument is not None else SCALE
    return [{"value": value, "label": text} for value, text in scale] + [
        {"value": None, "label": NOT_APPLICABLE_LABEL}
    ]


def items_for_api(instrument: Instrument) -> list[dict]:
    """The statements of one instrument version: ``[{"key", "prompt", "scale", "themes"}]``."""
    scale = scale_for_api(instrument)
    return [
        {"key": it["key"], "prompt": it["prompt"], "scale": scale, "themes": list(it.get("themes", []))}
        for it in instrument.items
    ]


def rows(ratings: dict | None, instrument: Instrument | None = None) -> list[dict]:
    """Ratings in instrument order, in words, for templates and exports.

    Args:
        ratings: stored ratings.
        instrument: the version they were given on (the shipped patient items if None).

    Returns:
        ``[{"key", "prompt", "value", "label"}]``; a key missing from `ratings` reads
        "Not answered".
    """
    ratings = ratings or {}
    if instrument is not None:
        pairs = [(it["key"], it["prompt"]) for it in instrument.items]
        words = instrument.label
    else:
        pairs = [(it.key, it.prompt) for it in ITEMS]
        words = label
    out = []
    for key, prompt in pairs:
        if key in ratings:
            value = ratings[key]
            text = words(value)
        else:
            value, text = None, NOT_ANSWERED_LABEL
        out.append({"key": key, "prompt": prompt, "value": value, "label": text})
    return out
