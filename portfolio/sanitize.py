"""The one door for HTML entering the system. Every HTML input, whatever door it came
through (site form, API, admin, import), is passed through `sanitize_html()` before it is
stored; every plain-text input that may carry markup goes through `to_plain_text()`.

Built on bleach; callers never import bleach themselves, so the sanitiser can be swapped here.
"""

from __future__ import annotations

import html as html_lib
import re

import bleach

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote"}
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """`a` keeps `title` and an `href` whose scheme (if any) is allowed. bleach alone lets
    `javascript:123` through (urlparse reads the digits as a port), so check the scheme
    here too, after undoing entities and dropping the whitespace/control characters browsers
    ignore."""
    if tag != "a" or name not in ("href", "title"):
        return False
    if name == "href":
        url = re.sub(r"[\x00-\x20\x7f]+", "", html_lib.unescape(value)).lower()
        scheme = _SCHEME.match(url)
        if scheme and scheme.group(1) not in ALLOWED_PROTOCOLS:
            return False
    return True


ALLOWED_ATTRIBUTES = {"a": _allowed_attribute}
# Elements whose *content* is code or invisible, so it must go with the tag.
_DROP_WITH_CONTENT = re.compile(
    r"<(script|style|template|noscript|iframe|object|embed|svg|math|xmp|noembed|noframes|title|textarea|select)"
    r"\b[^>]*>.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)

_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)


def sanitize_html(html: str | None) -> str:
    """Return safe HTML: only paragraphs, emphasis, lists, links (http/https/mailto) and
    headings survive; scripts, event handlers, styles, `javascript:`/`data:` URLs and unknown
    tags are removed (text content of harmless unknown tags is kept). Idempotent."""
    if not html:
        return ""
    text = _DROP_WITH_CONTENT.sub("", str(html))
    cleaned = _cleaner.clean(text)
    # A second pass makes the result a fixed point (bleach may re-serialise entities).
    again = _cleaner.clean(cleaned)
    return again.strip()


def to_plain_text(text: str | None) -> str:
    """Strip every tag and keep the text, for plain-text fields (feedback, comments).
    The result is stored as text and shown escaped by templates."""
    if not text:
        return ""
    # bleach escapes &, <, > in text; plain text wants the characters back (templates escape
    # on output). Unescaping may reveal an entity-encoded tag, so repeat until nothing changes.
    current = str(text)
    for _ in range(5):
        without_code = _DROP_WITH_CONTENT.sub("", current)
        stripped = bleach.clean(without_code, tags=set(), attributes={}, strip=True, strip_comments=True)
        unescaped = html_lib.unescape(stripped)
        if unescaped == current:
            break
        current = unescaped
    return current.strip()
