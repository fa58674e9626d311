"""Read a page's HTML for the ids its ARIA attributes and labels point at."""

from __future__ import annotations

from html.parser import HTMLParser


class References(HTMLParser):
    """Ids on the page, each `aria-describedby` (by the element's id or name), and each
    form control with the label that names it."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.described: dict[str, list[str]] = {}  # control id (or name) → ids it names
        self.label_for: set[str] = set()
        self.controls: list[dict] = []  # input/select/textarea attributes

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if attrs.get("aria-describedby"):
            key = attrs.get("id") or attrs.get("name") or tag
            self.described[key] = attrs["aria-describedby"].split()
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append(attrs)

    def missing(self) -> list[str]:
        return [
            f"{key} → {ref}" for key, refs in self.described.items() for ref in refs if ref not in self.ids
        ]

    def unlabelled(self) -> list[str]:
        return [
            c.get("name") or c.get("id") or "?"
            for c in self.controls
            if not (
                c.get("id") in self.label_for
                or c.get("aria-label")
                or c.get("aria-labelledby")
                or c.get("title")
            )
        ]


def read(html: str) -> References:
    parser = References()
    parser.feed(html)
    return parser
