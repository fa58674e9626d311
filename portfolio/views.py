"""The portfolio's screens for learners, tutors, examiners and admins (not the CMS admin)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.template.response import TemplateResponse

from . import roles as R
from .models import Allocation, Cohort, Panel, Reflection
from .scope import learners_visible_to


def portfolio_login_required(view):
    """Like `login_required`, but inactive users are treated as signed out."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.is_active:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def render(request, template: str, context: dict | None = None, status: int = 200):
    context = {"page": getattr(request, "portfolio_page", None), **(context or {})}
    return TemplateResponse(request, template, context, status=status)


@portfolio_login_required
def dashboard(request):
    """One page per person: a section for each role they hold."""
    user = request.user
    roles = R.roles_of(user)
    context: dict = {"roles": roles, "sections": []}
    if R.LEARNER in roles:
        mine = Reflection.objects.filter(learner=user)
        context["learner"] = {
            "counts": {row["status"]: row["n"] for row in mine.values("status").annotate(n=Count("id"))},
            "recent": mine.order_by("-updated_at")[:5],
            "allocations": Allocation.objects.current().filter(learner=user).select_related("tutor"),
        }
    if R.TUTOR in roles:
        allocated = Allocation.objects.current().filter(tutor=user).values("learner")
        learners = (
            learners_visible_to(user)
            .filter(pk__in=allocated)
            .select_related("enrolment__cohort")
            .annotate(
                waiting=Count("reflections", filter=Q(reflections__status=Reflection.Status.SUBMITTED)),
            )
            .order_by("last_name", "first_name")
        )
        context["tutor"] = {"learners": learners}
    if R.EXAMINER in roles:
        panels = Panel.objects.current().filter(examiner=user).select_related("cohort")
        context["examiner"] = {
            "panels": panels.annotate(learner_count=Count("cohort__enrolments", distinct=True)),
        }
    if R.ADMIN in roles:
        context["admin"] = {
            "cohorts": Cohort.objects.annotate(learner_count=Count("enrolments")).order_by("-year", "name"),
            "submitted": Reflection.objects.filter(status=Reflection.Status.SUBMITTED).count(),
            "learner_count": learners_visible_to(user).count(),
        }
    if R.PATIENT_REP in roles and len(roles) == 1:
        context["patient_rep_only"] = True
    return render(request, "portfolio/dashboard.html", context)
