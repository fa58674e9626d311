"""Every screen under the portfolio page. Each app keeps its own `site_urls`."""

from django.urls import include, path

urlpatterns = [
    path("", include("portfolio.site_urls")),
    path("marking/", include("assessments.site_urls")),
    path("feedback/", include("feedback.site_urls")),
    path("arcp/", include("arcp.app_site_urls")),
]
