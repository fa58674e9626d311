"""The floor document of the ARCP pack benchmark: the same words as plain paragraphs.

Every heading, paragraph, list item, table cell, caption, chart label and rubric label of the
pack's print HTML becomes one ``<p>``, in the same fonts (DejaVu Serif for prose, Sans for
headings, tables and labels, Sans Mono for the export id) on the same page size and margins,
with no tables, grids, flex boxes, borders, running headers or counters. WeasyPrint renders it
with the pack's own PDF options (PDF/A-3a, tagged), so pack ÷ floor is the cost of the pack's
structure and styling over its bare words.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

# Elements whose end closes a run of words (one floor paragraph each).
BLOCKS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "dt", "dd", "th", "td", "caption",
    "figcaption", "blockquote", "title", "text", "div",
}  # fmt: skip
SANS = {"h1", "h2", "h3", "h4", "h5", "h6", "th", "td", "caption", "dt", "dd", "text", "figcaption"}

FLOOR_CSS = """
@page { size: A4; margin: 22mm 18mm 20mm 18mm; }
html { font-family: "DejaVu Serif", serif; font-size: 9.5pt; line-height: 1.45; color: #1b1f24; }
body { margin: 0; }
p { margin: 0 0 2mm; }
.s { font-family: "DejaVu Sans", sans-serif; }
.m { font-family: "DejaVu Sans Mono", monospace; }
"""


class _Words(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.runs: list[tuple[str, str]] = []  # (font class, text)
        self._buf: list[str] = []
        self._stack: list[str] = []
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "head":
            self._in_head = True
        if tag in BLOCKS:
            self._flush()
        self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False
            self._buf = []
        if tag in BLOCKS:
            self._flush(tag)
        while self._stack and self._stack.pop() != tag:
            pass

    def handle_data(self, data):
        if not self._in_head:
            self._buf.append(data)

    def _flush(self, tag=None):
        text = " ".join("".join(self._buf).split())
        self._buf = []
        if text:
            kind = "s" if (tag or (self._stack[-1] if self._stack else "")) in SANS else ""
            self.runs.append((kind, text))


def floor_html(pack_html: str, export_id: str = "") -> str:
    """The floor document for `pack_html` (see the module docstring)."""
    parser = _Words()
    parser.feed(pack_html)
    parser.close()
    parser._flush()
    body = "".join(
        f'<p class="{kind}">{escape(text)}</p>' if kind else f"<p>{escape(text)}</p>"
        for kind, text in parser.runs
    )
    mono = f'<p class="m">{escape(export_id)}</p>' if export_id else ""
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Floor</title></head>'
        f"<body>{body}{mono}</body></html>"
    )


def floor_words(pack_html: str) -> int:
    parser = _Words()
    parser.feed(pack_html)
    parser.close()
    parser._flush()
    return sum(len(text.split()) for _, text in parser.runs)


def render_floor(pack_html: str, export_id: str = "bench") -> bytes:
    """Plain WeasyPrint on the floor document, with the pack's PDF options."""
    from weasyprint import CSS, HTML

    return HTML(string=floor_html(pack_html, export_id)).write_pdf(
        stylesheets=[CSS(string=FLOOR_CSS)], pdf_variant="pdf/a-3a", pdf_tags=True
    )
