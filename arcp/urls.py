"""The one URL conf a host site includes, first in its root URL conf:

    path("", include("arcp.urls")),

It gives
- `accounts/`: sign-in, sign-out, forgotten password, my account, two-factor, invitations
  (django-allauth's views with our forms and templates; `reflect.accounts.urls`) and a
  person's own API tokens (`accounts/api-tokens/`);
- `admin/login/` and `admin/password_reset/` sending people to those pages, so that the
  Wagtail admin (at `admin/`, as `wagtail start` puts it) has one front door with lockout,
  single sign-on and two-factor sign-in; these two must come before the admin's own URLs;
- `api/v1/`: the API, its schema and docs;
- `feedback/`: the patient representatives' public one-time-link pages.

The signed-in screens are served by the Wagtail `PortfolioPage` (see `arcp.site_urls`).
"""

from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from reflect.api.docs import ApiDocsView

api_patterns = [
    path("", include("portfolio.api.urls")),
    path("", include("rubrics.api.urls")),
    path("", include("assessments.api.urls")),
    path("", include("feedback.api.urls")),
    path("", include("arcp.api.urls")),
    path("", include("reflect.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    # The admin signs in (and resets passwords) through the site's own pages: one door with
    # lockout, single sign-on and two-factor sign-in.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/password_reset/", RedirectView.as_view(pattern_name="account_reset_password")),
    path("accounts/", include("reflect.accounts.urls")),
    # A person's own API tokens (see and revoke): /accounts/api-tokens/, name "api_tokens".
    path("", include("reflect.urls")),
    path("api/v1/", include(api_patterns)),
    # Patient representatives' one-time links: public, no login, outside the portfolio page.
    path("feedback/", include("feedback.public_urls")),
]
