"""How the routable `PortfolioPage` hands a request to the site's screens.

The screens are plain Django views in a URL conf (`settings.PORTFOLIO_SITE_URLCONF`, by
default `arcp.site_urls`, which includes each app's `site_urls`). Kept apart from
`portfolio.site` (which reverses screen names to URLs under the live page and so needs the
page model) so that the model can import it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.urls import Resolver404, get_resolver

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
