"""Security headers and the session idle timeout.

- Content-Security-Policy on every response: the site's (no inline script or style) on the
  site, the API and its docs page (Swagger UI from our own static files, reflect/api/docs.py);
  the admin's on the Wagtail admin, which renders learners' HTML too. The admin's differs
  only where Wagtail's admin needs it: `blob:` images (upload previews) and `frame-ancestors
  'self'` (its preview panel frames our own pages). Its few inline scripts are replaced by
  data attributes read from a static script (reflect/templates/wagtailadmin/...,
  reflect/static/reflect/js/admin-csp.js).
- `Cache-Control: no-store` on every response that may carry personal data: the API (JSON,
  PDFs, ZIPs), the admin, the public feedback pages, and every page a signed-in person gets.
  Static files (served by WhiteNoise before this middleware) and public pages stay cacheable.
- `DomainErrorMiddleware`: a domain `NotFound` is the site's 404.
- `SessionIdleTimeoutMiddleware`: a signed-in session ends after `SESSION_IDLE_TIMEOUT_MINUTES`
  without a request (default 120); any request, the reflection editor's autosave included,
  counts as activity. The absolute lifetime stays `SESSION_COOKIE_AGE`.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse

from .errors import NotFound

SITE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
ADMIN_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
ADMIN_PREFIXES = ("/admin/", "/django-admin/")
# Paths whose every answer may carry personal data, whoever asks.
PRIVATE_PREFIXES = ("/api/", "/feedback/", *ADMIN_PREFIXES)


def is_private(request) -> bool:
    """May the answer to `request` carry personal data (so no cache may keep it)?"""
    user = getattr(request, "user", None)
    return request.path.startswith(PRIVATE_PREFIXES) or bool(user is not None and user.is_authenticated)


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
        # Read from settings on each request (a string join, microseconds): a policy fixed when
        # the handler was built would miss providers configured later (a long-running test
        # server; a settings override), and then the browser blocks the sign-on redirect.
        if request.path.startswith(ADMIN_PREFIXES):
            policy = getattr(settings, "ADMIN_CONTENT_SECURITY_POLICY", ADMIN_CSP)
        else:
            policy = site_policy()
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if is_private(request) and "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        return response


# --- Idle timeout ---------------------------------------------------------------------------
LAST_SEEN = "_reflect_last_seen"
# `LAST_SEEN` is rewritten (a session save) at most this often, not on every request.
TOUCH_SECONDS = 60


def idle_timeout_seconds() -> int:
    return int(float(getattr(settings, "SESSION_IDLE_TIMEOUT_MINUTES", 120)) * 60)


def wants_json(request) -> bool:
    """The API, and the site's scripts (the autosave sends `X-Requested-With: fetch` and
    accepts JSON): answer them JSON, never a page or a redirect."""
    accept = request.headers.get("Accept", "")
    return (
        request.path.startswith("/api/")
        or request.headers.get("X-Requested-With", "") in {"fetch", "XMLHttpRequest"}
        or ("application/json" in accept and "text/html" not in accept)
    )


def signed_out_message(minutes: int) -> str:
    return (
        f"You were signed out after {minutes} minutes without activity, to protect your portfolio. "
        "Sign in again to go on."
    )


class SessionIdleTimeoutMiddleware:
    """Sign out a session that has been idle too long (after AuthenticationMiddleware).

    An expired session is flushed; a page request then goes to the sign-in page with a
    message saying why (and back to the page after signing in); a script's request (the
    autosave) or an API request gets 401 `{"detail": "...signed out..."}`, never HTML.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        timeout = idle_timeout_seconds()
        if timeout > 0 and user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if isinstance(last, int) and now - last > timeout:
                return self._expired(request, timeout // 60)
            if not isinstance(last, int) or now - last >= TOUCH_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)

    def _expired(self, request, minutes: int):
        logout(request)
        if request.path.startswith("/api/"):
            # The API goes on as for anyone without a session: a token still counts, and no
            # credentials at all is DRF's own JSON 401.
            return self.get_response(request)
        text = signed_out_message(minutes)
        if wants_json(request):
            return JsonResponse({"detail": text, "signed_out": True}, status=401)
        messages.warning(request, text)
        if request.path.startswith(ADMIN_PREFIXES):
            return redirect_to_login(request.get_full_path(), login_url="wagtailadmin_login")
        return redirect_to_login(request.get_full_path())


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
