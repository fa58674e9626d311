"""The one door for HTML entering the system. Every HTML input, whatever door it came
through (site form, API, admin, import), is passed through `sanitize_html()` before it is
stored; every plain-text input that may carry markup goes through `to_plain_text()`.

How it works, and why it is linear in the length of its input (issue #13):

- `_tokens()` is a single-pass HTML tokenizer after the WHATWG tokenizer (text, character
  references, start and end tags with their attributes, comments, doctypes, bogus comments).
  Every step consumes what it looked at, so no character is scanned twice.
- The elements whose *content* is code or invisible (`DROPPED_WITH_CONTENT`: script, style,
  svg, ...) go with everything up to their first closing tag. Where the input holds no later
  closing tag for one, only the opening tag is dropped and what follows is read as ordinary
  markup, as before. Whether a closing tag follows is known from one scan of the input made
  up front, so an unclosed opener never makes the tokenizer look ahead more than once.
- `_Tree` builds the allowed elements only (`ALLOWED_TAGS`), with the HTML tree-building rules
  that matter for them (a block closes an open paragraph, a list item closes the open one, no
  link inside a link, one heading closes another), at most `MAX_NESTING` elements deep; every
  other tag is dropped and its text kept. Each rule looks at the open elements only, so a
  token costs at most `MAX_NESTING` steps.
- Serialising writes only allowed elements and attributes, with text and attribute values
  escaped, so the output is safe whatever the input was; it is also what this tree builder
  reads back unchanged (idempotent).

No third-party parser: html5lib (under bleach) is quadratic on nested and misnested tags and
on long numeric character references, and the regular expression that dropped script-like
elements rescanned the input from every unclosed opener.
"""

from __future__ import annotations

import re
from html.entities import html5 as _NAMED_REFERENCES

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote"}
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Elements whose *content* is code or invisible, so it must go with the tag.
DROPPED_WITH_CONTENT = frozenset(
    "script style template noscript iframe object embed svg math xmp noembed noframes "
    "title textarea select".split()
)
# Deeper than this, further opening tags are dropped (their text is kept): no real writing
# nests 32 elements, and the bound keeps each tree-building step short.
MAX_NESTING = 32

# Tags that a browser shows as a new block: when one is dropped, a line break stands in for it
# (as bleach did), so words on either side do not run together in plain text.
_BLOCK_LEVEL = frozenset(
    "address article aside blockquote details dialog dd div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hgroup hr li main nav ol p pre section table ul".split()
)
_HEADINGS = frozenset({"h2", "h3", "h4"})
_LISTS = frozenset({"ul", "ol"})
# Opening one of these closes an open paragraph (HTML's "close a p element in button scope").
_CLOSES_P = frozenset({"p", "ul", "ol", "li", "blockquote", "h2", "h3", "h4"})
# An opening <li> closes the open list item unless one of these lies between (HTML's
# "special" elements, less address, div and p).
_LI_BARRIER = frozenset({"ul", "ol", "blockquote", "h2", "h3", "h4"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# Removed before a link's scheme is read: what browsers ignore there, and more (as bleach:
# backticks, whitespace, controls and every non-ASCII character).
_URL_IGNORED = re.compile(r"[`\x00-\x20\x7f-\xa0\s]+|[^\x00-\x7f]+")
# Invisible control characters are shown as "?" (as bleach did); tab and newline stay.
_INVISIBLE = {code: "?" for code in (*range(0, 9), 11, 12, *range(14, 32))}

# --- Tokenizer ------------------------------------------------------------------------------
_TEXT = re.compile(r"[^<&]+")
_SPACE = re.compile(r"[\t\n\f ]*")
_TAG_NAME = re.compile(r"[^\t\n\f />]*")
_ATTR_NAME = re.compile(r"[^\t\n\f />][^\t\n\f />=]*")
_UNQUOTED_VALUE = re.compile(r"[^\t\n\f >]*")
_COMMENT_END = re.compile(r"--!?>")
_DIGITS = re.compile(r"[0-9]+")
_HEX_DIGITS = re.compile(r"[0-9a-fA-F]+")
_REFERENCE_NAME = re.compile(r"[A-Za-z0-9]{1,32};")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_NAMES = "|".join(sorted(DROPPED_WITH_CONTENT))
_CLOSERS = re.compile(rf"</({_NAMES})(?=[\t\n\f />])", re.IGNORECASE)
_CLOSER = {name: re.compile(rf"</{name}(?=[\t\n\f />])", re.IGNORECASE) for name in DROPPED_WITH_CONTENT}
# Numeric references 0x80-0x9F name Windows-1252 characters (HTML's table; the five bytes
# Windows-1252 leaves undefined keep their code point).
_WINDOWS_1252 = {
    code: char
    for code in range(0x80, 0xA0)
    if (char := bytes([code]).decode("cp1252", "replace")) != "\ufffd"
}

TEXT, START, END = 0, 1, 2
EOF_TEXT, EOF_DROP = 3, 4  # how a tag cut short by the end of the input is read


def _prepare(text: str) -> str:
    """HTML's input preprocessing: newlines normalised; NUL dropped (browsers drop it in text);
    lone surrogates, which no database stores, replaced."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return _SURROGATE.sub("\ufffd", text)


def _reference(text: str, pos: int) -> tuple[str, int]:
    """The character reference at text[pos] (an "&"): (what it stands for, where it ends).
    As bleach had it, a reference needs its closing ";" ("&copy;", "&#169;", "&#xA9;"); without
    it the "&" is plain text, so "Tom&nothing" stays as typed. Not a reference: ("&", pos + 1).
    Digit runs are read once; one longer than any code point becomes U+FFFD unconverted."""
    if text.startswith("#", pos + 1):
        hexadecimal = text[pos + 2 : pos + 3] in ("x", "X")
        digits = (_HEX_DIGITS if hexadecimal else _DIGITS).match(text, pos + 3 if hexadecimal else pos + 2)
        if not digits or not text.startswith(";", digits.end()):
            return "&", pos + 1
        run = digits.group().lstrip("0") or "0"
        code = int(run, 16 if hexadecimal else 10) if len(run) <= 8 else 0x110000
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return "\ufffd", digits.end() + 1
        return _WINDOWS_1252.get(code) or chr(code), digits.end() + 1
    name = _REFERENCE_NAME.match(text, pos + 1)
    value = _NAMED_REFERENCES.get(name.group()) if name else None
    if value is None:
        return "&", pos + 1
    return value, name.end()


def _decode(value: str) -> str:
    if "&" not in value:
        return value
    out, pos = [], 0
    while True:
        amp = value.find("&", pos)
        if amp < 0:
            out.append(value[pos:])
            return "".join(out)
        out.append(value[pos:amp])
        char, pos = _reference(value, amp)
        out.append(char)


class _Tokenizer:
    """Yields (TEXT, str), (START, name, attrs) and (END, name) for `text`; comments, doctypes
    and processing instructions are dropped, and so are `DROPPED_WITH_CONTENT` elements with
    their content. Unterminated tags at the very end are text, as bleach had them."""

    def __init__(self, text: str):
        self.text = text
        self.last_closer: dict[str, int] | None = None  # filled on the first dropped element

    def _closer_after(self, name: str, pos: int) -> int:
        """Where the first `</name` at or after `pos` starts, or -1."""
        if self.last_closer is None:
            self.last_closer = {}
            for m in _CLOSERS.finditer(self.text):
                self.last_closer[m.group(1).lower()] = m.start()
        if self.last_closer.get(name, -1) < pos:
            return -1
        return _CLOSER[name].search(self.text, pos).start()

    def _tag(self, pos: int, end_tag: bool):
        """Read the tag starting at text[pos] ("<" or "</" already checked to be followed by a
        letter). Returns (name, attrs, position after ">"); if the input ends inside the tag,
        `EOF_TEXT` when it ended in a name or an unquoted value (the tag is then text: "thanks
        <img src=x"), `EOF_DROP` elsewhere (in a quoted value, after "=" or a space), as in
        bleach."""
        text, n = self.text, len(self.text)
        m = _TAG_NAME.match(text, pos + (2 if end_tag else 1))
        name, i = m.group().lower(), m.end()
        if i >= n:
            return EOF_TEXT
        attrs: list[tuple[str, str]] = []
        seen = set()
        while True:
            i = _SPACE.match(text, i).end()
            if i >= n:
                return EOF_DROP
            c = text[i]
            if c == ">":
                return name, attrs, i + 1
            if c == "/":
                i += 1
                continue
            m = _ATTR_NAME.match(text, i)
            attr, i = m.group().lower(), m.end()
            i = _SPACE.match(text, i).end()
            if i >= n:
                return EOF_TEXT
            value = ""
            if text[i] == "=":
                i = _SPACE.match(text, i + 1).end()
                if i >= n:
                    return EOF_DROP
                quote = text[i]
                if quote in "\"'":
                    close = text.find(quote, i + 1)
                    if close < 0:
                        return EOF_DROP
                    value, i = text[i + 1 : close], close + 1
                else:
                    m = _UNQUOTED_VALUE.match(text, i)
                    value, i = m.group(), m.end()
                    if i >= n:
                        return EOF_TEXT
                value = _decode(value)
            if attr not in seen:
                seen.add(attr)
                attrs.append((attr, value))

    def __iter__(self):
        text, n, pos = self.text, len(self.text), 0
        while pos < n:
            c = text[pos]
            if c == "&":
                char, pos = _reference(text, pos)
                yield (TEXT, char)
                continue
            if c != "<":
                m = _TEXT.match(text, pos)
                yield (TEXT, m.group())
                pos = m.end()
                continue
            nxt = text[pos + 1 : pos + 2]
            if nxt.isascii() and nxt.isalpha():
                tag = self._tag(pos, end_tag=False)
                if tag is EOF_TEXT:  # "<img src=x onerror=..." at the very end
                    yield (TEXT, _decode(text[pos:]))
                if tag in (EOF_TEXT, EOF_DROP):
                    return
                name, attrs, pos = tag
                if name in DROPPED_WITH_CONTENT:
                    closer = self._closer_after(name, pos)
                    if closer >= 0:  # the element and all it holds go
                        end = text.find(">", closer)
                        pos = n if end < 0 else end + 1
                        continue
                # (an unclosed one is dropped as a tag by the callers; what follows stays)
                yield (START, name, attrs)
            elif nxt == "/":
                after = text[pos + 2 : pos + 3]
                if after.isascii() and after.isalpha():
                    tag = self._tag(pos, end_tag=True)
                    if tag is EOF_TEXT:
                        yield (TEXT, _decode(text[pos:]))
                    if tag in (EOF_TEXT, EOF_DROP):
                        return
                    name, _, pos = tag
                    yield (END, name)
                elif after == ">":
                    pos += 3  # "</>" is nothing
                elif not after:
                    yield (TEXT, "</")
                    pos += 2
                else:  # "</3 ...>" is not a tag: keep it as text, as bleach did
                    end = text.find(">", pos)
                    stop = n if end < 0 else end + 1
                    yield (TEXT, _decode(text[pos:stop]))
                    pos = stop
            elif nxt == "!":
                if text.startswith("<!--", pos):
                    if text.startswith(">", pos + 4):
                        pos += 5
                    elif text.startswith("->", pos + 4):
                        pos += 6
                    else:
                        m = _COMMENT_END.search(text, pos + 4)
                        pos = m.end() if m else n
                else:  # doctype, CDATA outside foreign content, bogus comment
                    end = text.find(">", pos)
                    pos = n if end < 0 else end + 1
                yield (START, "!", ())  # a markup token: counts for the line-break rule
            elif nxt == "?":
                end = text.find(">", pos)
                pos = n if end < 0 else end + 1
                yield (START, "!", ())
            else:
                yield (TEXT, "<")
                pos += 1


# --- Tree ----------------------------------------------------------------------------------
class _Element:
    __slots__ = ("tag", "attrs", "children", "wrapper")

    def __init__(self, tag: str | None, attrs: str = "", wrapper: bool = False):
        self.tag = tag
        self.attrs = attrs  # serialised already: ' href="..." title="..."'
        self.children: list = []
        self.wrapper = wrapper  # a <ul> we added around a stray list item


_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", 0xA0: "&nbsp;", **_INVISIBLE}


def _escape_text(text: str) -> str:
    return text.translate(_ESCAPES)


def _escape_attribute(value: str) -> str:
    return _escape_text(value).replace('"', "&quot;")


def _allowed_href(url: str) -> bool:
    """A link target is kept when it names no scheme (relative, #fragment) or an allowed one.
    The scheme is read after dropping what browsers ignore there (whitespace, controls), so
    `java\\tscript:` and `&#106;avascript:` (already decoded) are caught."""
    scheme = _SCHEME.match(_URL_IGNORED.sub("", url).lower())
    return not scheme or scheme.group(1) in ALLOWED_PROTOCOLS


def _link_attributes(attrs) -> str:
    out = []
    for name, value in attrs:
        # A link to a place in the page ("#part") never leads anywhere from a learner's text:
        # no element of it keeps an id, so it would be a broken link (WCAG 2.4.1 checkers
        # say so): the words stay, as text.
        if name == "href" and value.strip().startswith("#"):
            continue
        if name == "title" or (name == "href" and _allowed_href(value)):
            out.append(f' {name}="{_escape_attribute(value)}"')
    return "".join(out)


class _Tree:
    """The allowed elements of a fragment, built with the HTML rules that matter for them."""

    def __init__(self):
        self.root = _Element(None)
        self.stack = [self.root]  # open elements, the fragment's root first
        self.open: list[str | None] = [None]  # their tags, for quick look-ups

    def text(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def _pop_to(self, index: int) -> None:
        """Close the open elements from `index` up; a wrapper <ul> closes with its item."""
        del self.stack[index:]
        del self.open[index:]
        if self.stack[-1].wrapper:
            self.stack.pop()
            self.open.pop()

    def _find(self, tag: str, barrier=frozenset()) -> int:
        """Index of the innermost open `tag` with no `barrier` element above it, or -1."""
        for index in range(len(self.open) - 1, 0, -1):
            open_tag = self.open[index]
            if open_tag == tag:
                return index
            if open_tag in barrier:
                return -1
        return -1

    def start(self, tag: str, attrs) -> None:
        if tag == "br":
            self.stack[-1].children.append(_Element("br"))
            return
        if tag in _CLOSES_P and "p" in self.open:
            self._pop_to(self._find("p"))
        if tag in _HEADINGS and self.open[-1] in _HEADINGS:
            self._pop_to(len(self.open) - 1)
        elif tag == "li":
            index = self._find("li", _LI_BARRIER)
            if index > 0:
                self._pop_to(index)
        elif tag == "a" and "a" in self.open:
            self._pop_to(self._find("a"))
        wrap = tag == "li" and self.open[-1] not in _LISTS
        if len(self.stack) + wrap > MAX_NESTING:
            return  # too deep: the tag goes, its text stays
        if wrap:
            self._push(_Element("ul", wrapper=True))
        self._push(_Element(tag, _link_attributes(attrs) if tag == "a" else ""))

    def _push(self, element: _Element) -> None:
        self.stack[-1].children.append(element)
        self.stack.append(element)
        self.open.append(element.tag)

    def end(self, tag: str) -> None:
        if tag == "br":  # "</br>" is read as <br>, as browsers do
            self.start("br", ())
            return
        if tag in _HEADINGS:
            for index in range(len(self.open) - 1, 0, -1):
                if self.open[index] in _HEADINGS:
                    self._pop_to(index)
                    return
            return
        index = self._find(tag, _LISTS if tag == "li" else frozenset())
        if index > 0:
            self._pop_to(index)

    def html(self) -> str:
        out: list[str] = []
        _serialise(self.root, out)
        return "".join(out)


def _has_text(element: _Element) -> bool:
    return any(
        (child.strip() if isinstance(child, str) else child.tag != "br" and _has_text(child))
        for child in element.children
    )


def _line_breaks(element: _Element) -> int:
    return sum(
        (0 if isinstance(child, str) else 1 if child.tag == "br" else _line_breaks(child))
        for child in element.children
    )


def _serialise(element: _Element, out: list[str]) -> None:
    for child in element.children:
        if isinstance(child, str):
            out.append(_escape_text(child))
        elif child.tag == "br":
            out.append("<br>")
        elif child.tag == "a" and not _has_text(child):
            # A link with nothing to announce is replaced by the line breaks it holds.
            out.append("<br>" * _line_breaks(child))
        else:
            out.append(f"<{child.tag}{child.attrs}>")
            _serialise(child, out)
            out.append(f"</{child.tag}>")


# --- The two doors -------------------------------------------------------------------------
def sanitize_html(html: str | None) -> str:
    """Return safe HTML: only paragraphs, emphasis, lists, links (http/https/mailto) and
    headings survive; scripts, event handlers, styles, `javascript:`/`data:` URLs and unknown
    tags are removed (text content of harmless unknown tags is kept); stray list items are
    put in a list and empty links dropped. Idempotent; time linear in the input's length."""
    if not html:
        return ""
    tree = _Tree()
    markup_seen = False
    for token in _Tokenizer(_prepare(str(html))):
        kind = token[0]
        if kind == TEXT:
            tree.text(token[1])
            continue
        tag = token[1]
        if tag in ALLOWED_TAGS and kind == START:
            tree.start(tag, token[2])
        elif tag in ALLOWED_TAGS:
            tree.end(tag)
        elif kind == START and tag in _BLOCK_LEVEL and markup_seen:
            tree.text("\n")
        markup_seen = True
    return tree.html().strip()


def _plain_pass(text: str) -> str:
    out: list[str] = []
    markup_seen = False
    for token in _Tokenizer(text):
        if token[0] == TEXT:
            out.append(token[1])
            continue
        if token[0] == START and token[1] in _BLOCK_LEVEL and markup_seen:
            out.append("\n")
        markup_seen = True
    return "".join(out)


# A "<" that could still open a tag, e.g. an unterminated `<img src=x onerror=...` at the very
# end, which the tokenizer keeps as text.
_TAG_START = re.compile(r"<(?=[A-Za-z!/?])")


def to_plain_text(text: str | None) -> str:
    """Strip every tag and keep the text, for plain-text fields (feedback, comments).
    The result is stored as text and shown escaped by templates; a "<" that could still start
    a tag gets a space after it, so no consumer can ever read a tag out of it."""
    if not text:
        return ""
    # Character references are decoded; that may reveal an encoded tag ("&lt;b&gt;"), so strip
    # again until nothing changes (at most five passes, each linear).
    current = _prepare(str(text))
    for _ in range(5):
        stripped = _plain_pass(current)
        if stripped == current:
            break
        current = stripped
    return _TAG_START.sub("< ", current.translate(_INVISIBLE)).strip()
