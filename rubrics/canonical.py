"""The canonical form of a rubric's content and its SHA-256 content hash.

Pure functions over plain dicts (no models, no database), so that data migrations, the
services and the tests all hash a rubric the same way.

The canonical document holds only *content*: the rubric's slug, title and description; each
criterion's position, title, description, weight and competency references; each level's
position, label, descriptor and points. It never holds database ids, timestamps, the version
number or the status, so the same content always gives the same hash, whichever rows hold it
and in whatever order they were created. Positions (0, 1, 2, ...) come from the order the
criteria and levels are given in, which is their `sort_order`.

Normalisation (so that harmless differences do not change the hash):

* text: line endings become ``\\n`` and surrounding whitespace is stripped;
* weights: decimal strings with two places (``1`` → ``"1.00"``), as stored in the database;
* points: integers;
* competencies: ``"<framework code>:<competency code>"`` strings, sorted (a set, not a list).

JSON: ``sort_keys=True``, separators ``(",", ":")``, UTF-8 (``ensure_ascii=False``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CANONICAL_SCHEMA = 1
TWO_PLACES = Decimal("0.01")


def normalise_text(value: Any) -> str:
    """Line endings to ``\\n``, surrounding whitespace stripped; ``None`` becomes ``""``."""
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def normalise_weight(value: Any) -> str:
    """A weight as a decimal string with two places (``Decimal("1")`` → ``"1.00"``)."""
    return str(Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP))


def competency_ref(framework_code: str, code: str) -> str:
    """The stable reference of a competency: ``"<framework code>:<competency code>"``."""
    return f"{framework_code}:{code}"


def _competency_refs(values: Iterable[Any]) -> list[str]:
    refs = set()
    for value in values:
        if isinstance(value, Mapping):
            refs.add(competency_ref(value["framework"], value["code"]))
        else:
            refs.add(str(value))
    return sorted(refs)


def canonical_document(data: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical document of a rubric given as a plain dict.

    Args:
        data: ``{"slug", "title", "description"?, "criteria": [{"title", "description"?,
            "weight", "competencies"?: ["fw:code" | {"framework", "code"}], "levels":
            [{"label", "descriptor"?, "points"}]}]}`` with criteria and levels in order.
            Any other keys (ids, version, status, ...) are ignored.

    Returns:
        The normalised document that is serialised and hashed.
    """
    return {
        "schema": CANONICAL_SCHEMA,
        "slug": normalise_text(data.get("slug")),
        "title": normalise_text(data.get("title")),
        "description": normalise_text(data.get("description")),
        "criteria": [
            {
                "position": c_pos,
                "title": normalise_text(criterion.get("title")),
                "description": normalise_text(criterion.get("description")),
                "weight": normalise_weight(criterion.get("weight", 1)),
                "competencies": _competency_refs(criterion.get("competencies") or ()),
                "levels": [
                    {
                        "position": l_pos,
                        "label": normalise_text(level.get("label")),
                        "descriptor": normalise_text(level.get("descriptor")),
                        "points": int(level.get("points")),
                    }
                    for l_pos, level in enumerate(criterion.get("levels") or ())
                ],
            }
            for c_pos, criterion in enumerate(data.get("criteria") or ())
        ],
    }


def canonical_json_from_dict(data: Mapping[str, Any]) -> str:
    """The canonical JSON text of a rubric given as a plain dict (see `canonical_document`).

    Args:
        data: the rubric as a plain dict.

    Returns:
        Compact JSON with sorted keys.
    """
    return json.dumps(canonical_document(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def hash_from_dict(data: Mapping[str, Any]) -> str:
    """SHA-256 hex digest of the canonical JSON (UTF-8) of a rubric given as a plain dict.

    Args:
        data: the rubric as a plain dict.

    Returns:
        64 lowercase hex characters.
    """
    return hashlib.sha256(canonical_json_from_dict(data).encode("utf-8")).hexdigest()
