"""Attack-vector corpora (../shared/corpora) and the properties our output must have.

Shared by `tests/trust/test_attack_corpora.py` and `tests/browser/test_xss_browser.py`.
We check properties, never upstream expected outputs (see the corpora's README).
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPORA = (REPO.parent / "shared" / "corpora").resolve()
SKIP_REASON = f"attack-vector corpora not found at {CORPORA} (they live in ../shared/corpora beside the repo)"
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRS = {
    "href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
    "srcset", "lowsrc", "dynsrc", "codebase", "cite", "longdesc", "ping", "manifest", "content",
}  # fmt: skip
SCRIPT_CAPABLE = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "base",
    "meta", "link", "style", "template", "portal", "xml", "import", "isindex", "form", "input",
    "button", "textarea", "select", "img", "video", "audio", "source", "image", "marquee", "details",
}  # fmt: skip
# Stored reflection HTML may hold only these (the sanitiser's allow-list).
KNOWN_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "a", "h2", "h3", "h4", "blockquote"}
KNOWN_ATTRS = {"a": {"href", "title"}}


def load_payloads() -> list[str]:
    if not CORPORA.is_dir():
        return []
    payloads = []
    for name in ("dompurify-payloads.json", "html5sec-vectors.json"):
        data = json.loads((CORPORA / name).read_text(encoding="utf-8"))
        payloads += [item["payload"] for item in data["items"] if item.get("payload")]
    return payloads


PAYLOADS = load_payloads()


def chunks(payloads: list[str], budget: int = 3500) -> list[list[str]]:
    """Batches of payloads of at most `budget` characters (one longer payload is a batch)."""
    out: list[list[str]] = [[]]
    size = 0
    for p in payloads:
        if out[-1] and size + len(p) > budget:
            out.append([])
            size = 0
        out[-1].append(p)
        size += len(p)
    return [c for c in out if c]


def marker(door: str, n: int) -> str:
    return f"Benign{door.replace('_', '')}Text{n}Stays"


def batch(door: str, n: int, payloads: list[str]) -> str:
    """A benign marker paragraph first (it must survive), then the vectors."""
    return f"<p>{marker(door, n)}</p>" + "\n".join(payloads)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def _parse(markup: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Collector()
    parser.feed(markup)
    parser.close()
    return parser.tags


def _bad_url(value: str | None) -> bool:
    if value is None:
        return False
    url = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(value)).lower()
    return url.startswith(BAD_SCHEMES) or any(f",{s}" in url for s in BAD_SCHEMES)


def stored_html_problems(markup: str) -> list[str]:
    """Why stored (sanitised) HTML is unsafe: anything outside the allow-list, any on*
    attribute, style, or a javascript:/vbscript:/data: URL. Empty when safe."""
    found = []
    for tag, attrs in _parse(markup):
        if tag not in KNOWN_TAGS:
            found.append(f"element <{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style" or name not in KNOWN_ATTRS.get(tag, set()):
                found.append(f"attribute {name} on <{tag}>")
            if _bad_url(value):
                found.append(f"dangerous URL in {name}")
    if re.search(r"<\s*(script|style|iframe|object|embed|svg|math)\b", markup, re.IGNORECASE):
        found.append("raw dangerous tag text")
    return found


def plain_text_problems(text: str) -> list[str]:
    """Stored plain text must hold no tag at all that an HTML parser would read."""
    return [f"tag <{tag}> in plain text" for tag, _ in _parse(text)]


def features(page: str) -> set[str]:
    """The script-capable features of a rendered page: dangerous elements (with their URL
    attributes), on* handlers, style attributes and dangerous URLs. A page that carries the
    vectors must have no feature its clean rendering does not have."""
    found = set()
    for tag, attrs in _parse(page):
        attrs_d = {k: v for k, v in attrs}
        if tag in SCRIPT_CAPABLE:
            key = ",".join(
                f"{k}={attrs_d[k]}"
                for k in sorted(attrs_d)
                if k in URL_ATTRS | {"type", "rel", "name", "http-equiv"}
            )
            # Ids in URLs and field names differ between renderings; the kind of element does not.
            found.add(re.sub(r"\d+", "N", f"<{tag} {key}>"))
        for name, value in attrs:
            if name.startswith("on"):
                found.add(f"handler {name} on <{tag}>")
            if name == "style":
                found.add(f"style on <{tag}>")
            if name in URL_ATTRS and _bad_url(value):
                found.add(f"URL {name}={value[:40]} on <{tag}>")
    return found
