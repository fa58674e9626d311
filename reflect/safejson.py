"""JSON from people, parsed within limits (issue #13, item 2).

Python's parser recurses once per nesting level: `[` × 100,000 raised RecursionError (a 500)
before any of our code saw the data, and what it returns for 1e999 is `inf`. `loads` refuses
both, and anything deeper than `max_depth`, with a `JSONError` that says why (a 400). The
depth is measured before parsing, in one pass over the text with the strings taken out.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate

DEFAULT_MAX_DEPTH = 32
# A JSON string, escapes included, or an unterminated one running to the end (left for the
# parser to report): taken out so that brackets inside strings do not count.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JSONError(ValueError):
    """Text that is not acceptable JSON; the message says why, for people."""


def nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text` (0 for a scalar). Linear time."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    return max(0, max(accumulate(_STEP[c] for c in brackets)))


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONError(f"The number {text[:40]} is too large.")
    return value


def _no_constants(name: str):
    raise JSONError(f"{name} is not a JSON number.")


def loads(text: str | bytes, *, max_depth: int = DEFAULT_MAX_DEPTH):
    """Parse `text` as JSON (RFC 8259, no NaN or Infinity).

    Args:
        text: the document (bytes are read as UTF-8).
        max_depth: the most arrays/objects one may nest inside another.

    Returns:
        The parsed value.

    Raises:
        JSONError: not UTF-8, not JSON, nested deeper than `max_depth`, a number too large
            for a float, or an integer with more digits than Python converts (4,300).
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise JSONError("The text is not UTF-8.") from error
    depth = nesting_depth(text)
    if depth > max_depth:
        raise JSONError(f"The JSON nests {depth} levels deep; at most {max_depth} are accepted.")
    try:
        return json.loads(text, parse_float=_finite, parse_constant=_no_constants)
    except JSONError:
        raise
    except json.JSONDecodeError as error:
        raise JSONError(f"{error.msg} (line {error.lineno}, column {error.colno}).") from error
    except (ValueError, RecursionError) as error:  # e.g. an integer of more than 4,300 digits
        raise JSONError(f"The JSON could not be read: {error}.") from error
