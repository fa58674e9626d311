"""Error handlers: JSON under /api/, the site's own friendly pages elsewhere."""

from django.views import defaults

from reflect.api import exceptions as api


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
