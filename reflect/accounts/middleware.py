"""Two-factor sign-in required of staff (`REQUIRE_MFA_FOR_STAFF`, roles in `MFA_REQUIRED_ROLES`).

A signed-in admin or examiner who has not set up a second factor reaches only their account
pages (to set it up, or to sign out) and static files; every other page — the Wagtail admin,
the portfolio screens, exports — sends them to the two-factor page with a message saying why.
The API answers such a person 403 (reflect.api.authentication), since it has no pages.

People who have set up a second factor are asked for it by allauth at every sign-in.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from . import services

MESSAGE = (
    "Your role needs two-factor sign-in. Set up an authenticator app (or a security key) to "
    "continue: it takes about two minutes."
)


class RequireStaffMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_set_up(request):
            messages.warning(request, MESSAGE)
            return redirect(reverse("mfa_index"))
        return self.get_response(request)

    @staticmethod
    def _must_set_up(request) -> bool:
        if not getattr(settings, "REQUIRE_MFA_FOR_STAFF", False):
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        path = request.path
        allowed = ("/accounts/", "/api/", settings.STATIC_URL or "/static/")
        if path.startswith(allowed):
            return False
        return services.lacks_required_second_factor(user)
