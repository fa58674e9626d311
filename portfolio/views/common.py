"""What the portfolio's screens share: sign-in (`portfolio_login_required`), `render` inside the
PortfolioPage, and the lookups of a reflection through `portfolio.policies.reflections`. Other
apps' screens use the first two as well."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.template.response import TemplateResponse

from reflect.middleware import wants_json

from ..models import Reflection
from ..policies import reflections as policy


def portfolio_login_required(view):
    """Like `login_required`, but inactive users are treated as signed out, and a script's
    request (the autosave) gets a JSON 401 saying so rather than a redirect to a page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.is_active:
            if wants_json(request):
                return JsonResponse(
                    {"detail": "You are signed out. Sign in again to go on.", "signed_out": True}, status=401
                )
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def render(request, template: str, context: dict | None = None, status: int = 200):
    context = {"page": getattr(request, "portfolio_page", None), **(context or {})}
    return TemplateResponse(request, template, context, status=status)


LIST_PAGE_SIZE = 20


def own_reflection(request, pk: int) -> Reflection:
    """The signed-in learner's own reflection, or 404 (others' do not exist here)."""
    return policy.get(request.user, pk, policy.scope(request.user, "change").select_related("placement"))


def visible_reflection(request, pk: int) -> Reflection:
    return policy.get(
        request.user, pk, Reflection.objects.select_related("placement", "learner", "signed_off_by")
    )


def review_events(reflection):
    return reflection.events.select_related("actor").order_by("created_at", "id")
