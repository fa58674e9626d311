"""Glue between the routable `PortfolioPage` and the site's screens.

The screens are plain Django views in a URL conf (`settings.PORTFOLIO_SITE_URLCONF`, by
default `arcp.site_urls`, which includes each app's `site_urls`). `portfolio_url()` reverses a
screen's name to a URL under the live portfolio page.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.urls import Resolver404, get_resolver, reverse

DEFAULT_SITE_URLCONF = "arcp.site_urls"


def site_urlconf() -> str:
    return getattr(settings, "PORTFOLIO_SITE_URLCONF", DEFAULT_SITE_URLCONF)


def dispatch(page, request, rest: str):
    try:
        match = get_resolver(site_urlconf()).resolve("/" + rest)
    except Resolver404:
        raise Http404("No such screen") from None
    request.portfolio_page = page
    return match.func(request, *match.args, **match.kwargs)


def portfolio_root() -> str:
    from .models import PortfolioPage

    page = PortfolioPage.objects.live().only("url_path").first()
    if page is None:
        return "/portfolio/"
    url = page.get_url()
    return url or "/portfolio/"


def portfolio_url(name: str, *args, **kwargs) -> str:
    """URL of a portfolio screen, e.g. ``portfolio_url("reflection_detail", pk=3)``."""
    sub = reverse(name, urlconf=site_urlconf(), args=args or None, kwargs=kwargs or None)
    return portfolio_root().rstrip("/") + sub
