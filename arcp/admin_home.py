"""The programme's state on a programme admin's Wagtail home page (issue 15: "a programme
admin's Wagtail dashboard shows the programme's state").

Four figures, each counted over what the admin may see (the owning app's policy, as every
list does) and each a link to the list it counts:
- submissions waiting: reflections submitted and not yet reviewed;
- reviews overdue: of those, submitted more than `REFLECT_REVIEW_OVERDUE_DAYS` days ago
  (default 14: two weeks is the turnaround most programmes ask of tutors);
- packs made and outcomes recorded in the last 12 months.
Lives in arcp, the one app that reads all the others.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from wagtail.admin.ui.components import Component

from portfolio.models import Reflection
from portfolio.policies import reflections
from portfolio.site import portfolio_url
from reflect import roles as R

from .policies import exports, reviews

OVERDUE_DAYS_DEFAULT = 14


def overdue_days() -> int:
    return int(getattr(settings, "REFLECT_REVIEW_OVERDUE_DAYS", OVERDUE_DAYS_DEFAULT))


def programme_state(user, now=None) -> list[dict]:
    now = now or timezone.now()
    year_ago = now - datetime.timedelta(days=365)
    waiting = reflections.visible(user).filter(status=Reflection.Status.SUBMITTED)
    overdue = waiting.filter(submitted_at__lt=now - datetime.timedelta(days=overdue_days()))
    queue = portfolio_url("reflection_list") + "?status=submitted"
    return [
        {"label": "Submissions waiting for review", "count": waiting.count(), "url": queue},
        {
            "label": f"Reviews overdue (submitted over {overdue_days()} days ago)",
            "count": overdue.count(),
            "url": queue,
        },
        {
            "label": "ARCP packs made in the last 12 months",
            "count": exports.visible(user).filter(created_at__gte=year_ago).count(),
            "url": portfolio_url("arcp_learner_search"),
        },
        {
            "label": "ARCP outcomes recorded in the last 12 months",
            "count": reviews.visible(user).filter(created_at__gte=year_ago).count(),
            "url": portfolio_url("arcp_learner_search"),
        },
    ]


class ProgrammeStatePanel(Component):
    name = "arcp_programme_state"
    template_name = "arcp/admin/programme_state_panel.html"
    order = 5

    def __init__(self, request):
        self.figures = programme_state(request.user)

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["figures"] = self.figures
        return context


def add_programme_state(request, panels: list) -> None:
    if R.has_role(request.user, R.ADMIN):
        panels.insert(0, ProgrammeStatePanel(request))


# Menus a programme admin never uses here: the portfolio is not a picture or file library,
# and Wagtail's help links to its own editor guide. Superusers (the operators) keep them all.
UNUSED_MENUS = frozenset({"images", "documents", "help"})


def hide_unused_menus(request, menu_items: list) -> None:
    if not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items if item.name not in UNUSED_MENUS]
