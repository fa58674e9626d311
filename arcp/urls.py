"""The one URL conf a host site includes: the API under `api/v1/` and the patient
representatives' public feedback pages under `feedback/`.

The signed-in screens are served by the Wagtail `PortfolioPage` (see `arcp.site_urls`).
"""

from django.urls import include, path
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
    path("api/v1/", include(api_patterns)),
    # Patient representatives' one-time links: public, no login, outside the portfolio page.
    path("feedback/", include("feedback.public_urls")),
]
