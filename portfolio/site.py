"""Glue between the routable `PortfolioPage` and the site's screens.

The screens are plain Django views in a URL conf (`settings.PORTFOLIO_SITE_URLCONF`, by
default `arcp.site_urls`, which includes each app's `site_urls`). `portfolio_url()` reverses a
screen's name to a URL under the live portfolio page.
"""

from __future__ import annotations

from django.core.cache import cache
from django.urls import reverse

from .models import PortfolioPage
from .routing import site_urlconf

# The portfolio page's URL is on every list row of the API and every screen's links, and it
# changes only when someone moves, renames, publishes or unpublishes a page or edits a site,
# so it is cached. `portfolio.signals` forgets it on each of those; with a per-process cache
# (the default LocMemCache) other processes notice within ROOT_CACHE_SECONDS.
ROOT_CACHE_KEY = "portfolio:root-url"
ROOT_CACHE_SECONDS = 60


def portfolio_root() -> str:
    """The live portfolio page's URL ("/portfolio/" if there is none)."""
    url = cache.get(ROOT_CACHE_KEY)
    if url is None:
        url = _find_portfolio_root()
        cache.set(ROOT_CACHE_KEY, url, ROOT_CACHE_SECONDS)
    return url


def forget_portfolio_root() -> None:
    cache.delete(ROOT_CACHE_KEY)


def _find_portfolio_root() -> str:
    page = PortfolioPage.objects.live().only("url_path").first()
    if page is None:
        return "/portfolio/"
    url = page.get_url()
    return url or "/portfolio/"


def portfolio_url(name: str, *args, **kwargs) -> str:
    """URL of a portfolio screen, e.g. ``portfolio_url("reflection_detail", pk=3)``."""
    sub = reverse(name, urlconf=site_urlconf(), args=args or None, kwargs=kwargs or None)
    return portfolio_root().rstrip("/") + sub
