"""Error handlers: JSON under /api/, the site's own friendly pages elsewhere.

A host site names them in its root URL conf (README, "Add it to an existing Wagtail site"):

    handler400 = "reflect.error_views.bad_request"
    handler403 = "reflect.error_views.permission_denied"
    handler404 = "reflect.error_views.page_not_found"
    handler500 = "reflect.error_views.server_error"

and `reflect.settings` sets CSRF_FAILURE_VIEW to `csrf_failure`.
"""

from django.views import csrf, defaults

from .api import exceptions as api
from .middleware import wants_json


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    return api.api_400(request) if _is_api(request) else defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    return api.api_403(request) if _is_api(request) else defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    return api.api_404(request) if _is_api(request) else defaults.page_not_found(request, exception)


def server_error(request):
    return api.api_500(request) if _is_api(request) else defaults.server_error(request)


def csrf_failure(request, reason=""):
    """A failed CSRF check: JSON 403 for the API and the site's scripts (the autosave), so
    they can say what happened; Django's page for everything else."""
    if wants_json(request):
        return api.json_error(
            request,
            403,
            "This page's security token is out of date (you may have signed in again elsewhere): "
            "copy any text you need and reload the page.",
        )
    return csrf.csrf_failure(request, reason)
