"""Security headers for the site.

Content-Security-Policy forbids inline script on the site and the API; the Wagtail admin and
the API docs page (Swagger UI from our own static files) need their own policy.
"""

from django.conf import settings
from django.http import Http404

from .errors import NotFound

SITE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
ADMIN_PREFIXES = ("/admin/", "/django-admin/")


def site_policy() -> str:
    """The site's policy; `CSP_FORM_ACTION_EXTRA` (the single sign-on providers' origins, from
    settings) joins `form-action`, since starting sign-on is a form POST that redirects there."""
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", SITE_CSP)
    extra = " ".join(getattr(settings, "CSP_FORM_ACTION_EXTRA", []) or [])
    if extra:
        policy = policy.replace("form-action 'self'", f"form-action 'self' {extra}")
    return policy


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(ADMIN_PREFIXES) and not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", site_policy())
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class DomainErrorMiddleware:
    """The site's edge for domain errors: a `NotFound` from a service or policy is the
    site's 404 page, exactly like a URL that does not exist. (PermissionDenied is Django's
    own 403; views turn Conflict and ValidationError into messages and form errors.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        return None
