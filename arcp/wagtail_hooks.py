"""ARCP in the Wagtail admin (the cohort export, admins only) and the site navigation.

Panel members' roles are set on each panel row (Programme → ARCP panels, `portfolio`)."""

from django.urls import path, reverse
from wagtail import hooks

from portfolio.policies import learners, reflections
from portfolio.site import portfolio_url
from reflect import navigation

from . import admin_home
from . import admin_views as av
from .policies import cohort_exports, reviews, supervisor_reports, timelines


@hooks.register("register_admin_urls")
def register_arcp_admin_urls():
    return [
        path("arcp/cohort-export/", av.CohortExportView.as_view(), name="arcp_cohort_export"),
        path(
            "arcp/cohort-export/<int:pk>/",
            av.CohortExportProgressView.as_view(),
            name="arcp_cohort_export_progress",
        ),
        path(
            "arcp/cohort-export/<int:pk>/status/", av.cohort_export_status, name="arcp_cohort_export_status"
        ),
        path(
            "arcp/cohort-export/<int:pk>/download/",
            av.cohort_export_download,
            name="arcp_cohort_export_download",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_arcp_menu_item():
    return av.CohortExportMenuItem(
        "ARCP cohort export",
        reverse("arcp_cohort_export"),
        name="arcp-cohort-export",
        icon_name="download",
        order=230,
    )


@hooks.register(navigation.HOOK)
def arcp_nav_items(request):
    """A learner's own ARCP pack and outcomes; an examiner's panels; verifying a pack for
    examiners and programme admins (anyone signed in may verify, from their pack page too);
    tutors' supervisor's reports;
    the learner search (and from it each learner's timeline) for tutors, examiners, admins
    (not for lay representatives and external assessors, who have no learner scope)."""
    user = request.user
    items = []
    if reflections.role_may(user, "add"):
        items.append(navigation.NavItem("My ARCP", portfolio_url("arcp_my_pack"), order=40))
    if reviews.role_may(user, "add"):
        items.append(navigation.NavItem("ARCP panels", portfolio_url("arcp_panel"), order=41))
    if reviews.role_may(user, "add") or cohort_exports.role_may(user, "add"):
        items.append(navigation.NavItem("Verify a pack", portfolio_url("arcp_verify"), order=42))
    if supervisor_reports.role_may(user, "add"):
        items.append(navigation.NavItem("Supervisor's reports", portfolio_url("arcp_esr_list"), order=36))
    if timelines.role_may(user, "view") and not learners.reads_packs_only(user):
        # The cohort heatmap is reached from the learner search (its page links to it).
        coverage = (portfolio_url("arcp_cohort_coverage"),)
        items.append(
            navigation.NavItem("Learners", portfolio_url("arcp_learner_search"), order=35, also=coverage)
        )
    return items


# The programme's state on an admin's Wagtail home, above "Your work" (reflect.admin_home),
# and no menus they never use.
hooks.register("construct_homepage_panels", admin_home.add_programme_state, order=110)
hooks.register("construct_main_menu", admin_home.hide_unused_menus)
