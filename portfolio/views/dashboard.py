"""The dashboard: one page per person, a section for each role they hold."""

from __future__ import annotations

from django.db.models import Count, Q

from reflect import roles as R

from ..models import Allocation, Cohort, Panel, Reflection
from ..policies import learners
from ..policies import reflections as policy
from .common import portfolio_login_required, render


@portfolio_login_required
def dashboard(request):
    """One page per person: a section for each role they hold."""
    user = request.user
    roles = R.roles_of(user)
    context: dict = {"roles": roles, "sections": []}
    if R.LEARNER in roles:
        mine = policy.own(user)
        context["learner"] = {
            "counts": {row["status"]: row["n"] for row in mine.values("status").annotate(n=Count("id"))},
            "recent": mine.order_by("-updated_at")[:5],
            "allocations": Allocation.objects.current().filter(learner=user).select_related("tutor"),
        }
    if R.TUTOR in roles:
        allocated = (
            learners.allocated(user)
            .select_related("enrolment__cohort")
            .annotate(
                waiting=Count("reflections", filter=Q(reflections__status=Reflection.Status.SUBMITTED)),
            )
            .order_by("last_name", "first_name")
        )
        context["tutor"] = {"learners": allocated}
    if R.EXAMINER in roles:
        panels = Panel.objects.current().filter(examiner=user).select_related("cohort")
        context["examiner"] = {
            "panels": panels.annotate(learner_count=Count("cohort__enrolments", distinct=True)),
        }
    if R.ADMIN in roles:
        context["admin"] = {
            "cohorts": Cohort.objects.annotate(learner_count=Count("enrolments")).order_by("-year", "name"),
            "submitted": policy.visible(user).filter(status=Reflection.Status.SUBMITTED).count(),
            "learner_count": learners.visible(user).count(),
        }
    if R.PATIENT_REP in roles and len(roles) == 1:
        context["patient_rep_only"] = True
    return render(request, "portfolio/dashboard.html", context)
