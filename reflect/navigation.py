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
    label: str
    url: str
    order: int = 100
    count: int | None = None

    def for_request(self, request) -> dict:
        path = getattr(request, "path", "")
        current = path == self.url or (self.url.rstrip("/") and path.startswith(self.url.rstrip("/") + "/"))
        return {"label": self.label, "url": self.url, "count": self.count, "current": bool(current)}


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
    # Only the longest matching URL is "current" (the dashboard is a prefix of everything).
    current = [r for r in rendered if r["current"]]
    if len(current) > 1:
        best = max(current, key=lambda r: len(r["url"]))
        for r in current:
            r["current"] = r is best
    return rendered
