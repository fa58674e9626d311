"""The one door for HTML entering the system. Every HTML input, whatever door it came
through (site form, API, admin, import), is passed through `sanitize_html()` before it is
stored; every plain-text input that may carry markup goes through `to_plain_text()`.

Built on bleach; callers never import bleach themselves, so the sanitiser can be swapped here.
"""

from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser

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


class _Structure(HTMLParser):
    """Second pass over bleach's (well-formed) output, for what safety alone does not fix
    but screen readers trip on: a list item outside a list is wrapped in `<ul>`, and a link
    with no text (nothing to announce) is replaced by its contents."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.stack: list[str] = []  # open elements; "li+" marks a list item we wrapped
        self.links: list[int] = []  # output positions of open <a> tags

    def handle_starttag(self, tag, attrs):
        text = self.get_starttag_text()
        if tag == "br":
            self.out.append(text)
            return
        if tag == "li" and not (self.stack and self.stack[-1] in ("ul", "ol")):
            self.out.append("<ul>")
            tag = "li+"
        if tag == "a":
            self.links.append(len(self.out))
        self.stack.append(tag)
        self.out.append(text)

    def handle_endtag(self, tag):
        if tag == "br" or tag not in (t.rstrip("+") for t in self.stack):
            return
        while self.stack:
            open_tag = self.stack.pop()
            if open_tag == "a":
                start = self.links.pop()
                inner = self.out[start + 1 :]
                if not "".join(x for x in inner if not x.startswith("<")).strip():
                    del self.out[start:]
                    self.out.extend(x for x in inner if x.startswith("<"))
                    if open_tag.rstrip("+") == tag:
                        break
                    continue
            self.out.append(f"</{open_tag.rstrip('+')}>")
            if open_tag == "li+":
                self.out.append("</ul>")
            if open_tag.rstrip("+") == tag:
                break

    def handle_data(self, data):
        self.out.append(data)

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def result(self) -> str:
        self.close()
        while self.stack:
            self.handle_endtag(self.stack[-1].rstrip("+"))
        return "".join(self.out)


def _structure(html: str) -> str:
    parser = _Structure()
    parser.feed(html)
    return parser.result()


def sanitize_html(html: str | None) -> str:
    """Return safe HTML: only paragraphs, emphasis, lists, links (http/https/mailto) and
    headings survive; scripts, event handlers, styles, `javascript:`/`data:` URLs and unknown
    tags are removed (text content of harmless unknown tags is kept); stray list items are
    put in a list and empty links dropped. Idempotent."""
    if not html:
        return ""
    text = _DROP_WITH_CONTENT.sub("", str(html))
    cleaned = _structure(_cleaner.clean(text))
    # A second pass makes the result a fixed point (bleach may re-serialise entities).
    again = _structure(_cleaner.clean(cleaned))
    return again.strip()


# A "<" that could still open a tag, e.g. an unterminated `<img src=x onerror=...` at the very
# end, which the HTML parser keeps as text.
_TAG_START = re.compile(r"<(?=[A-Za-z!/?])")


def to_plain_text(text: str | None) -> str:
    """Strip every tag and keep the text, for plain-text fields (feedback, comments).
    The result is stored as text and shown escaped by templates; a "<" that could still start
    a tag gets a space after it, so no consumer can ever read a tag out of it."""
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
    return _TAG_START.sub("< ", current).strip()
