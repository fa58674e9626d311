"""`/api/v1/docs/`: Swagger UI from the project's own static files (drf-spectacular-sidecar,
pinned in pyproject.toml) under the site's Content-Security-Policy.

drf-spectacular's split view serves the page and its start-up script separately (the script
at `?script`, same origin), so the page has no inline script; our template also moves the
page's few style rules into a stylesheet, so it has no inline style either.
"""

from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "reflect/api/swagger_ui.html"
