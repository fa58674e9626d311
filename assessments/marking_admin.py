"""Marking in the Wagtail admin (programme admins only):

- Assessments: a read-only list and inspect view (no add/edit/delete URLs exist at all; a
  finalised assessment is also immutable in the model, and corrections are made on the site).
- Moderation: agreement per rubric version and marker pair (exact agreement, weighted Cohen's
  kappa, reflections where markers differ by two or more levels), and a form asking a second
  tutor to mark a reflection blind (`services.request_moderation`).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.generic import FormView, TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from reflect import limits
from reflect import roles as R
from reflect.admin import PolicyIndexView, PolicyInspectView, ReadOnlyAdminViewSet, WhenColumn
from reflect.people import display_name

from . import moderation, policies, services
from .models import Assessment, ModerationRequest


class AdminOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not R.has_role(request.user, R.ADMIN):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AdminOnlyMenuItem(MenuItem):
    def is_shown(self, request):
        return R.has_role(request.user, R.ADMIN)


# --- Assessments (read only) -----------------------------------------------------------------
class AssessmentIndexView(PolicyIndexView):
    list_select_related = ("reflection__learner", "rubric", "assessor", "superseded_by")


class AssessmentInspectView(PolicyInspectView):
    inspect_select_related = ("reflection__learner",)

    def learner_of(self, obj):
        return obj.reflection.learner

    def get_fields(self):
        return [
            "reflection",
            "rubric",
            "assessor",
            "status",
            "total",
            "max_score",
            "overall_comment",
            "finalised_at",
            "supersedes",
            "supersede_reason",
            "moderation_of",
            "version",
        ]


def _state(a: Assessment) -> str:
    if a.is_superseded:
        return "Superseded"
    return a.get_status_display()


class AssessmentAdminViewSet(ReadOnlyAdminViewSet):
    model = Assessment
    policy = policies.assessments
    name = "assessments_marking"
    url_prefix = "assessments/marking"
    icon = "tasks"
    menu_label = "Assessments"
    menu_order = 225
    add_to_admin_menu = True
    index_view_class = AssessmentIndexView
    inspect_view_class = AssessmentInspectView
    list_display = [
        # A title column: each row links to the assessment's (read-only) inspect page.
        TitleColumn(
            "reflection",
            label="Reflection",
            accessor=lambda a: a.reflection.title,
            get_url=lambda a: reverse("assessments_marking:inspect", args=[a.pk]),
        ),
        Column("learner", label="Learner", accessor=lambda a: display_name(a.reflection.learner)),
        Column("rubric", label="Rubric", accessor=lambda a: f"{a.rubric.title} v{a.rubric.version}"),
        Column("assessor_name", label="Marker", accessor=lambda a: display_name(a.assessor)),
        Column("state", label="State", accessor=_state),
        Column("total", label="Total", accessor=lambda a: f"{a.total} / {a.max_score}"),
        WhenColumn("finalised_at", label="Finalised", sort_key="finalised_at"),
    ]
    list_filter = ["status"]
    search_fields = ["reflection__title", "overall_comment"]
    search_backend_name = None


# --- Moderation --------------------------------------------------------------------------------
def _percent(value) -> str:
    return "—" if value is None else f"{float(value) * 100:.0f}%"


# Landis JR, Koch GG. The measurement of observer agreement for categorical data.
# Biometrics 1977;33(1):159-174 (the bands most reports of kappa use).
KAPPA_BANDS = [
    (0.0, "poor agreement (less than chance)"),
    (0.2, "slight agreement"),
    (0.4, "fair agreement"),
    (0.6, "moderate agreement"),
    (0.8, "substantial agreement"),
    (1.0, "almost perfect agreement"),
]


def kappa_in_words(value) -> str:
    """A kappa as its reading: 0.05 → "slight agreement" (Landis and Koch's bands)."""
    if value is None:
        return "cannot be worked out yet (too few paired marks, or no variation)"
    v = float(value)
    if v < 0:
        return KAPPA_BANDS[0][1]
    return next(label for upper, label in KAPPA_BANDS[1:] if v <= upper)


def _kappa(value) -> str:
    return "—" if value is None else f"{float(value):.2f}"


class ModerationReportView(AdminOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "assessments/admin/moderation_report.html"
    page_title = "Marking moderation"
    header_icon = "tasks"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = [
            {
                "report": r,
                "marker_a": display_name(r.marker_a),
                "marker_b": display_name(r.marker_b),
                "agreement": _percent(r.exact_agreement),
                "kappa": _kappa(r.kappa),
                "kappa_words": kappa_in_words(r.kappa),
            }
            for r in moderation.report()
        ]
        requests = ModerationRequest.objects.select_related(
            "first_assessment__reflection__learner",
            "first_assessment__rubric",
            "first_assessment__assessor",
            "second_marker",
            "second_assessment",
        )[:100]
        context.update(rows=rows, requests=requests, request_url=reverse("assessments_moderation_request"))
        return context


class ModerationRequestForm(forms.Form):
    first_assessment = forms.ModelChoiceField(
        queryset=Assessment.objects.none(),
        label="Marking to moderate",
        help_text="The first marking (reflection, rubric version, marker); the second uses the same rubric.",
        error_messages={"required": "Choose the marking to moderate."},
    )
    second_marker = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        label="Second marker",
        help_text="A tutor other than the first marker. They may mark this reflection even if not allocated.",
        error_messages={"required": "Choose the second marker."},
    )
    note = forms.CharField(
        label="Note to the second marker",
        required=False,
        max_length=limits.COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        firsts = (
            Assessment.objects.filter(moderation_of__isnull=True, superseded_by__isnull=True)
            .select_related("reflection__learner", "rubric", "assessor")
            .order_by("-created_at")
        )
        self.fields["first_assessment"].queryset = firsts
        self.fields["first_assessment"].label_from_instance = lambda a: (
            f"{a.reflection.title} — {display_name(a.reflection.learner)} — "
            f"{a.rubric.title} v{a.rubric.version} — "
            f"marked by {display_name(a.assessor)} ({a.get_status_display().lower()})"
        )
        self.fields["second_marker"].queryset = (
            get_user_model()
            .objects.filter(groups__name=R.TUTOR, is_active=True)
            .order_by("last_name", "first_name")
        )
        self.fields["second_marker"].label_from_instance = lambda u: f"{display_name(u)} ({u.username})"


class ModerationRequestView(AdminOnlyMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "assessments/admin/moderation_request.html"
    form_class = ModerationRequestForm
    page_title = "Request a blind second marking"
    header_icon = "tasks"

    def form_valid(self, form):
        first = form.cleaned_data["first_assessment"]
        try:
            services.request_moderation(
                first.reflection,
                first.rubric,
                form.cleaned_data["second_marker"],
                self.request.user,
                form.cleaned_data.get("note", ""),
                via="admin",
            )
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                field = key if key in form.fields else None
                for message in errors:
                    form.add_error(field, message)
            return self.form_invalid(form)
        messages.success(
            self.request, "Second marking requested. The tutor will find it on their marking page."
        )
        return redirect("assessments_moderation")


@hooks.register("register_admin_urls")
def register_moderation_urls():
    return [
        path("assessments/moderation/", ModerationReportView.as_view(), name="assessments_moderation"),
        path(
            "assessments/moderation/request/",
            ModerationRequestView.as_view(),
            name="assessments_moderation_request",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_moderation_menu_item():
    return AdminOnlyMenuItem(
        "Moderation",
        reverse("assessments_moderation"),
        name="assessments-moderation",
        icon_name="tasks",
        order=226,
    )


@hooks.register("register_admin_viewset")
def register_assessment_viewset():
    return AssessmentAdminViewSet()
