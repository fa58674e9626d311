"""Wagtail admin for the assessments app: marking and moderation (`marking_admin`), and the
app's contributions to the site (navigation, evidence counts)."""

from django.db.models import OuterRef
from wagtail import hooks

from portfolio import counts
from portfolio.site import portfolio_url
from reflect import navigation

from . import (
    marking_admin,  # noqa: F401
    policies,
)


@hooks.register(counts.HOOK)
def assessment_counts():
    released = policies.assessments.released()
    return {"assessment_count": released.filter(reflection__learner=OuterRef("pk"))}


@hooks.register(navigation.HOOK)
def marking_nav_items(request):
    """The tutor's marking worklists with their counts, from the same querysets as the
    marking page: reflections to mark, and second markings asked of them."""
    user = request.user
    if not policies.assessments.role_may(user, "add"):
        return []
    home = portfolio_url("marking_home")
    return [
        navigation.NavItem("To mark", home, order=21, count=policies.assessments.to_mark(user).count()),
        navigation.NavItem(
            "Second markings",
            f"{home}#requests-heading",
            order=22,
            count=policies.moderation_requests.waiting_for(user).count(),
        ),
    ]
