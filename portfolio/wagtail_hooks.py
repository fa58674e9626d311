"""The portfolio's Wagtail admin, declared once: the "Programme" snippets (cohorts, members,
allocations, panels, placements), the read-only "Support" views (reflections, audit log) and
the CSV import.

Programme admins (the `admin` role) get the model permissions for the snippets from migration
0003_admin_permissions; the support views ask the policies (`reflect.admin.ReadOnlyAdminViewSet`).
"""

from django.db.models import Count, OuterRef
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from reflect import audit_words, navigation
from reflect.admin import ReadOnlyAdminViewSet, WhenColumn
from reflect.admin_widgets import CspSnippetChooserViewSet
from reflect.audit import audit_events
from reflect.models import AuditEvent
from reflect.people import display_name

from . import admin_views as av
from . import counts, policies
from .models import Allocation, Cohort, Enrolment, Goal, Panel, Placement, Reflection
from .site import portfolio_url


def _cohort_of(learner):
    enrolment = getattr(learner, "enrolment", None)
    return enrolment.cohort if enrolment else ""


# --- Programme ----------------------------------------------------------------------------
class CohortViewSet(SnippetViewSet):
    model = Cohort
    # Chosen in panel and enrolment forms: a chooser without inline script (the admin's CSP).
    chooser_viewset_class = CspSnippetChooserViewSet
    icon = "group"
    menu_label = "Cohorts"
    list_display = ["name", "programme", "programme_type", "year", Column("members", label="Members")]
    list_filter = ["programme_type", "year"]
    search_fields = ["name", "programme"]
    copy_view_enabled = False
    panels = [
        FieldPanel("name", help_text="A unique name, e.g. 'MBChB Year 4 2026'. Used in CSV imports."),
        FieldRowPanel([FieldPanel("programme"), FieldPanel("year")]),
        FieldPanel("programme_type"),
    ]

    def get_queryset(self, request):
        return Cohort.objects.annotate(members=Count("enrolments"))


class MemberIndexView(SnippetIndexView):
    page_title = "Cohort members"


class EnrolmentViewSet(SnippetViewSet):
    model = Enrolment
    icon = "user"
    menu_label = "Cohort members"
    index_view_class = MemberIndexView
    list_display = [
        "learner",
        Column("name", label="Name", accessor=lambda e: display_name(e.learner)),
        "cohort",
        "joined_on",
    ]
    list_filter = ["cohort"]
    search_fields = ["learner__username", "learner__first_name", "learner__last_name", "learner__email"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel(
                "learner",
                help_text="Only people with the learner role are listed. A learner is in one cohort at a "
                "time: to move them, edit their membership.",
            ),
            FieldPanel("cohort"),
            FieldPanel("joined_on", help_text="Optional: the date the learner joined this cohort."),
        ],
        base_form_class=av.EnrolmentForm,
    )

    def get_queryset(self, request):
        return Enrolment.objects.select_related("learner", "cohort")


class AllocationViewSet(SnippetViewSet):
    model = Allocation
    icon = "link"
    menu_label = "Allocations"
    list_display = [
        "__str__",
        Column("tutor_name", label="Tutor", accessor=lambda a: display_name(a.tutor)),
        Column("learner_name", label="Learner", accessor=lambda a: display_name(a.learner)),
        Column("cohort", label="Cohort", accessor=lambda a: _cohort_of(a.learner)),
        WhenColumn("starts_on", label="Starts", sort_key="starts_on"),
        WhenColumn("ends_on", label="Ends", sort_key="ends_on"),
        Column("state", label="State", accessor=av.date_state),
    ]
    filterset_class = av.AllocationFilterSet
    search_fields = [
        "tutor__username",
        "tutor__first_name",
        "tutor__last_name",
        "learner__username",
        "learner__first_name",
        "learner__last_name",
    ]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("tutor", help_text="Only people with the tutor role are listed."),
                    FieldPanel("learner", help_text="Only people with the learner role are listed."),
                ],
                heading="Who",
            ),
            FieldRowPanel(
                [
                    FieldPanel(
                        "starts_on", help_text="The tutor sees the learner's portfolio from this day."
                    ),
                    FieldPanel(
                        "ends_on",
                        help_text="Leave empty while the allocation runs. From the day after, the tutor "
                        "no longer sees the learner.",
                    ),
                ],
                heading="When",
            ),
        ],
        base_form_class=av.AllocationForm,
    )

    def get_queryset(self, request):
        return Allocation.objects.select_related("tutor", "learner", "learner__enrolment__cohort")


class PanelViewSet(SnippetViewSet):
    model = Panel
    icon = "clipboard-list"
    menu_label = "ARCP panels"
    list_display = [
        "__str__",
        Column("examiner_name", label="Member", accessor=lambda p: display_name(p.examiner)),
        "role",
        "cohort",
        WhenColumn("opens_on", label="Opens", sort_key="opens_on"),
        WhenColumn("closes_on", label="Closes", sort_key="closes_on"),
        Column("state", label="Review window", accessor=lambda p: av.date_state(p, "opens_on", "closes_on")),
    ]
    filterset_class = av.PanelFilterSet
    search_fields = ["examiner__username", "examiner__first_name", "examiner__last_name", "cohort__name"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("examiner", help_text="Only people with the examiner role are listed."),
            FieldPanel("cohort", help_text="The cohort whose learners this panel reviews."),
            FieldPanel(
                "role",
                help_text="The chair records outcomes (where no chair is named, the examiners do); "
                "chairs and examiners read the portfolios of the cohort's learners; lay "
                "representatives and external assessors read the learners' ARCP packs only.",
            ),
            FieldRowPanel(
                [
                    FieldPanel("opens_on", help_text="First day of the review window."),
                    FieldPanel("closes_on", help_text="Last day of the review window; empty if open-ended."),
                ],
                heading="Review window",
            ),
        ],
        base_form_class=av.PanelForm,
    )

    def get_queryset(self, request):
        return Panel.objects.select_related("examiner", "cohort")


class PlacementViewSet(SnippetViewSet):
    model = Placement
    icon = "site"
    menu_label = "Placements"
    list_display = ["organisation", "type", "place", "starts_on", "ends_on"]
    list_filter = ["type"]
    search_fields = ["organisation", "place", "contact"]
    panels = [
        FieldPanel("organisation", help_text="e.g. the food bank, GP practice or charity hosting learners."),
        FieldRowPanel([FieldPanel("type"), FieldPanel("place")]),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")], heading="Dates (optional)"),
        FieldPanel("contact"),
    ]


class ProgrammeViewSetGroup(SnippetViewSetGroup):
    menu_label = "Programme"
    menu_icon = "group"
    menu_order = 200
    items = (CohortViewSet, EnrolmentViewSet, AllocationViewSet, PanelViewSet, PlacementViewSet)


register_snippet(ProgrammeViewSetGroup)


# --- Support (read-only) ------------------------------------------------------------------
class ReflectionViewSet(ReadOnlyAdminViewSet):
    model = Reflection
    policy = policies.reflections
    name = "portfolio_reflections"
    url_prefix = "portfolio/reflections"
    icon = "doc-full"
    menu_label = "Reflections"
    index_view_class = av.ReflectionIndexView
    inspect_view_class = av.ReflectionInspectView
    list_display = [
        "title",
        Column("learner_name", label="Learner", accessor=lambda r: display_name(r.learner)),
        Column("cohort", label="Cohort", accessor=lambda r: _cohort_of(r.learner)),
        "kind",
        "status",
        WhenColumn("occurred_on", label="Occurred", sort_key="occurred_on"),
        WhenColumn("submitted_at", label="Submitted", sort_key="submitted_at"),
    ]
    filterset_class = av.ReflectionFilterSet
    search_fields = ["title"]
    search_backend_name = None  # plain ORM search on the scoped queryset
    list_per_page = 50


class AuditEventViewSet(ReadOnlyAdminViewSet):
    model = AuditEvent
    policy = audit_events
    name = "portfolio_audit"
    url_prefix = "portfolio/audit"
    icon = "history"
    menu_label = "Audit log"
    index_view_class = av.AuditEventIndexView
    inspect_view_class = av.AuditEventInspectView
    list_display = [
        WhenColumn("created_at", label="When", sort_key="created_at"),
        Column("what", label="What happened", accessor=audit_words.describe),
        Column("via", label="Where", accessor=lambda e: audit_words.via_in_words(e.via)),
    ]
    filterset_class = av.AuditEventFilterSet
    list_per_page = 50
    inspect_view_fields = [
        "created_at",
        "actor",
        "action",
        "learner",
        "object_type",
        "object_id",
        "via",
        "detail",
    ]


class SupportViewSetGroup(ModelViewSetGroup):
    menu_label = "Support"
    menu_icon = "help"
    menu_order = 210
    items = (ReflectionViewSet, AuditEventViewSet)


@hooks.register("register_admin_viewset")
def register_support_viewsets():
    return SupportViewSetGroup()


# --- CSV import ---------------------------------------------------------------------------
@hooks.register("register_admin_urls")
def register_csv_import_urls():
    return [path("portfolio/import/", av.CsvImportView.as_view(), name="portfolio_csv_import")]


@hooks.register("register_admin_menu_item")
def register_csv_import_menu_item():
    return av.CsvImportMenuItem(
        "Import CSV",
        reverse("portfolio_csv_import"),
        name="portfolio-csv-import",
        icon_name="upload",
        order=220,
    )


# --- Site navigation ----------------------------------------------------------------------
@hooks.register(navigation.HOOK)
def portfolio_nav_items(request):
    """Dashboard for everyone; a learner's own reflections and "New reflection"; the
    reflections of the learners in scope for tutors, examiners and admins (none for lay
    representatives and external assessors: no learner scope, `learners.reads_packs_only`);
    the tutor's review queue with its count (the same queryset as the queue)."""
    user = request.user
    reflections = policies.reflections
    items = [navigation.NavItem("Dashboard", portfolio_url("dashboard"), order=0, exact=True)]
    if reflections.role_may(user, "add"):
        items.append(navigation.NavItem("My reflections", portfolio_url("reflection_list"), order=10))
        items.append(navigation.NavItem("New reflection", portfolio_url("reflection_create"), order=11))
    elif reflections.role_may(user, "view") and not policies.learners.reads_packs_only(user):
        items.append(navigation.NavItem("Learners' reflections", portfolio_url("reflection_list"), order=10))
    if reflections.role_may(user, "review"):
        waiting = reflections.scope(user, "review").filter(status=Reflection.Status.SUBMITTED).count()
        queue = portfolio_url("review_queue")
        items.append(navigation.NavItem("Review queue", queue, order=20, count=waiting))
    return items


@hooks.register(navigation.HOOK)
def goal_nav_items(request):
    """A learner's own plan ("My goals", with the count of open goals); the goals of the
    learners in scope for tutors, examiners and admins (not lay or external panel members)."""
    user = request.user
    goals = policies.goals
    if goals.role_may(user, "add"):
        open_goals = goals.own(user).filter(status=Goal.Status.OPEN).count()
        return [navigation.NavItem("My goals", portfolio_url("goal_list"), order=12, count=open_goals)]
    if goals.role_may(user, "view") and not policies.learners.reads_packs_only(user):
        return [navigation.NavItem("Learners' goals", portfolio_url("goal_list"), order=13)]
    return []


@hooks.register(counts.HOOK)
def reflection_counts():
    released = Reflection.objects.exclude(status=Reflection.Status.DRAFT)
    return {"reflection_count": released.filter(learner=OuterRef("pk"))}
