"""The role-aware navigation of the site, assembled from what each app contributes.

Apps register a function with Wagtail's hook registry (`register_reflect_nav_items`) in their
`wagtail_hooks.py`; it receives the request and returns `NavItem`s for the signed-in person
(counts come from the app's policies, like its lists). This module knows no app: the
bottom layer never imports upward.
"""

from __future__ import annotations

from dataclasses import dataclass

from wagtail import hooks

HOOK = "register_reflect_nav_items"


@dataclass(frozen=True)
class NavItem:
    """A menu entry. It is the current page's entry on its own URL and the pages under it,
    and on the screens in `also` (URLs of pages reached from it that live elsewhere, e.g. the
    cohort heatmap under "Learners") and the pages under those. `exact`: only on its own URL
    (the dashboard, whose URL is the start of every screen's)."""

    label: str
    url: str
    order: int = 100
    count: int | None = None
    also: tuple[str, ...] = ()
    exact: bool = False

    def match(self, path: str) -> int:
        """How specific this item is for `path`: the length of the URL it matched (0: none)."""
        if path == self.url:
            return len(self.url)
        urls = [] if self.exact else [self.url]
        found = [len(url) for url in (*urls, *self.also) if _under(path, url)]
        return max(found, default=0)

    def for_request(self, request) -> dict:
        current = self.match(getattr(request, "path", "")) > 0
        return {"label": self.label, "url": self.url, "count": self.count, "current": current}


def _under(path: str, url: str) -> bool:
    base = url.rstrip("/")
    return path == url or bool(base) and path.startswith(base + "/")


def items_for(request) -> list[dict]:
    """Every app's items for this request, in `order`, the most specific current one marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    items: list[NavItem] = []
    for fn in hooks.get_hooks(HOOK):
        items.extend(fn(request) or [])
    items.sort(key=lambda item: (item.order, item.label))
    rendered = [item.for_request(request) for item in items]
    # Only the most specific match is "current" (the longest URL it matched).
    path = getattr(request, "path", "")
    matched = [(item.match(path), n) for n, item in enumerate(items) if rendered[n]["current"]]
    if len(matched) > 1:
        best = max(matched, key=lambda m: (m[0], -m[1]))[1]  # a tie: the first in the menu
        for _, n in matched:
            rendered[n]["current"] = n == best
    return rendered
