"""ARCP in the Wagtail admin: the cohort export and panel members' roles (admins only)."""

from django import forms
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portfolio.policies import reflections
from portfolio.site import portfolio_url
from reflect import navigation
from reflect.people import display_name

from . import admin_home
from . import admin_views as av
from .models import PanelMember
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
    the learner search (and from it each learner's timeline) for tutors, examiners, admins."""
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
    if timelines.role_may(user, "view"):
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


class PanelMemberViewSet(SnippetViewSet):
    """Each panel row's role (chair, examiner, lay representative, external assessor). A panel
    row (Programme → ARCP panels) without a role here is an examiner."""

    model = PanelMember
    icon = "clipboard-list"
    menu_label = "ARCP panel roles"
    add_to_admin_menu = True
    menu_order = 205
    list_display = [
        Column("member", label="Member", accessor=lambda m: display_name(m.panel.examiner)),
        Column("cohort", label="Cohort", accessor=lambda m: m.panel.cohort),
        "role",
        Column("opens", label="Opens", accessor=lambda m: m.panel.opens_on),
    ]
    list_filter = ["role"]
    search_fields = ["panel__examiner__username", "panel__examiner__last_name", "panel__cohort__name"]
    copy_view_enabled = False
    panels = [
        FieldPanel(
            "panel",
            widget=forms.Select,
            help_text="The member's panel row (person on a cohort's panel), from Programme → ARCP panels.",
        ),
        FieldPanel(
            "role",
            help_text="Chairs and examiners record outcomes; lay representatives and external assessors "
            "read the panel's papers only.",
        ),
    ]

    def get_queryset(self, request):
        return PanelMember.objects.select_related("panel__examiner", "panel__cohort")


register_snippet(PanelMemberViewSet)
