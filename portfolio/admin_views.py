"""Wagtail admin views for programme admins: forms and filters of the programme snippets, the
read-only support views (reflections, audit log) and the CSV import.

The viewsets themselves are declared once, in `wagtail_hooks.py`.
"""

from __future__ import annotations

import secrets

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.forms import CheckboxSelectMultiple
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.generic import FormView
from wagtail.admin.filters import DateRangePickerWidget, MultipleUserFilter, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from reflect import dates
from reflect import roles as R
from reflect.admin import PolicyIndexView, PolicyInspectView
from reflect.models import AuditEvent
from reflect.people import display_name
from reflect.sanitize import sanitize_html
from reflect.uploads import LimitedUploadMixin, in_words, setting_limit

from .csv_import import ALLOCATION_COLUMNS, IMPORTERS, MAX_BYTES, MEMBER_COLUMNS, max_bytes
from .models import Allocation, Cohort, Panel, Reflection

User = get_user_model()


# --- Programme snippet forms --------------------------------------------------------------
class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = display_name(obj)
        return name if name == obj.get_username() else f"{name} ({obj.get_username()})"


class RoleLimitedForm(WagtailAdminModelForm):
    """Offers only people holding the right role in each person field (`role_fields`), plus the
    person already chosen, so that e.g. only tutors can be allocated as tutors."""

    role_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, role in self.role_fields.items():
            if name not in self.fields:
                continue
            current = Q(groups__name=role, is_active=True)
            if self.instance.pk and getattr(self.instance, f"{name}_id", None):
                current |= Q(pk=getattr(self.instance, f"{name}_id"))
            old = self.fields[name]
            people = User.objects.filter(current).distinct()
            self.fields[name] = PersonChoiceField(
                queryset=people.order_by("last_name", "first_name", "username"),
                required=old.required,
                label=old.label,
                help_text=old.help_text,
                widget=old.widget,
            )


class EnrolmentForm(RoleLimitedForm):
    role_fields = {"learner": R.LEARNER}


class AllocationForm(RoleLimitedForm):
    role_fields = {"tutor": R.TUTOR, "learner": R.LEARNER}

    def clean(self):
        cleaned = super().clean()
        tutor, learner = cleaned.get("tutor"), cleaned.get("learner")
        if tutor and learner and tutor.pk == learner.pk:
            self.add_error("learner", "A tutor cannot be allocated to themselves.")
        return cleaned


class PanelForm(RoleLimitedForm):
    role_fields = {"examiner": R.EXAMINER}


# --- Programme snippet filters ------------------------------------------------------------
DATE_STATE_CHOICES = [("current", "Current"), ("upcoming", "Not started yet"), ("ended", "Ended")]


def _filter_by_state(queryset, value, start: str, end: str):
    today = dates.today()
    if value == "current":
        return queryset.filter(dates.current(start=start, end=end, on=today))
    if value == "upcoming":
        return queryset.filter(**{f"{start}__gt": today})
    if value == "ended":
        return queryset.filter(**{f"{end}__lt": today})
    return queryset


def date_state(instance, start: str = "starts_on", end: str = "ends_on") -> str:
    today = dates.today()
    if getattr(instance, start) > today:
        return "Not started yet"
    if getattr(instance, end) is not None and getattr(instance, end) < today:
        return "Ended"
    return "Current"


class AllocationFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label="State", choices=DATE_STATE_CHOICES, method="filter_state", empty_label="Any"
    )
    cohort = django_filters.ModelChoiceFilter(
        label="Learner's cohort", field_name="learner__enrolment__cohort", queryset=Cohort.objects.all()
    )

    class Meta:
        model = Allocation
        fields = []

    def filter_state(self, queryset, name, value):
        return _filter_by_state(queryset, value, "starts_on", "ends_on")


class PanelFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label="Review window", choices=DATE_STATE_CHOICES, method="filter_state", empty_label="Any"
    )

    class Meta:
        model = Panel
        fields = ["cohort", "role"]

    def filter_state(self, queryset, name, value):
        return _filter_by_state(queryset, value, "opens_on", "closes_on")


# --- Reflections (read-only, for support) -------------------------------------------------
class ReflectionFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label="Status", choices=Reflection.Status.choices, empty_label="Any")
    kind = django_filters.ChoiceFilter(label="Kind", choices=Reflection.Kind.choices, empty_label="Any")
    cohort = django_filters.ModelChoiceFilter(
        label="Cohort", field_name="learner__enrolment__cohort", queryset=Cohort.objects.all()
    )

    class Meta:
        model = Reflection
        fields = []


class ReflectionIndexView(PolicyIndexView):
    """Reflections the policy lets the admin see (`portfolio.policies.reflections`): every
    learner's non-draft reflections, never drafts."""

    list_select_related = ("learner", "learner__enrolment__cohort")


class ReflectionInspectView(PolicyInspectView):
    """One reflection, read-only. Every view of it is recorded in the audit log."""

    template_name = "portfolio/admin/reflection_inspect.html"
    inspect_select_related = ("learner", "learner__enrolment__cohort", "placement", "signed_off_by")

    def get_fields(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reflection = self.object
        enrolment = getattr(reflection.learner, "enrolment", None)
        context.update(
            reflection=reflection,
            learner_name=display_name(reflection.learner),
            cohort=enrolment.cohort if enrolment else None,
            # Stored HTML was sanitised on the way in; sanitise again on the way out so the
            # admin never renders anything the one sanitiser would not allow.
            body=mark_safe(sanitize_html(reflection.body_html)),  # noqa: S308
            themes=list(reflection.themes.all()),
            events=list(reflection.events.select_related("actor")),
        )
        return context


# --- Audit log (read-only) ----------------------------------------------------------------
class AuditEventFilterSet(WagtailFilterSet):
    learner = MultipleUserFilter(label="Learner", widget=CheckboxSelectMultiple)
    actor = MultipleUserFilter(label="Actor", widget=CheckboxSelectMultiple)
    action = django_filters.MultipleChoiceFilter(label="Action", widget=CheckboxSelectMultiple)
    created_at = django_filters.DateFromToRangeFilter(label="Date", widget=DateRangePickerWidget)

    class Meta:
        model = AuditEvent
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        events = AuditEvent.objects.all()
        people = User.objects.order_by("last_name", "first_name", "username")
        self.filters["learner"].extra["queryset"] = people.filter(
            pk__in=events.exclude(learner=None).values("learner")
        )
        self.filters["actor"].extra["queryset"] = people.filter(
            pk__in=events.exclude(actor=None).values("actor")
        )
        actions = events.order_by("action").values_list("action", flat=True).distinct()
        self.filters["action"].extra["choices"] = [(a, a) for a in actions]


class AuditEventIndexView(PolicyIndexView):
    list_select_related = ("actor", "learner")


class AuditEventInspectView(PolicyInspectView):
    def learner_of(self, obj):
        return None  # the log itself, not a read of the learner's portfolio


# --- CSV import ---------------------------------------------------------------------------
IMPORT_KINDS = {
    "members": {
        "label": "Cohort members",
        "permission": "portfolio.add_enrolment",
        "columns": MEMBER_COLUMNS,
    },
    "allocations": {
        "label": "Tutor allocations",
        "permission": "portfolio.add_allocation",
        "columns": ALLOCATION_COLUMNS,
    },
}
SESSION_KEY = "portfolio_csv_import"


def importable_kinds(user) -> list[str]:
    """The CSV imports `user` may run: the permission question every import screen asks."""
    if not user.is_active:
        return []
    return [kind for kind, spec in IMPORT_KINDS.items() if user.has_perm(spec["permission"])]


class CsvImportMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(importable_kinds(request.user))


class CsvImportForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", widget=forms.RadioSelect)
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV with a header row (in Excel: Save as → 'CSV UTF-8').",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label="Dry run: check the file and show what would change, without importing",
        required=False,
        initial=True,
    )

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text += f" At most {in_words(max_bytes())}."
        self.fields["kind"].choices = [(k, IMPORT_KINDS[k]["label"]) for k in kinds]
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(
                f"The file is larger than {in_words(max_bytes())}; split it into several files."
            )
        return upload


class CsvImportView(LimitedUploadMixin, WagtailAdminTemplateMixin, FormView):
    """Upload a CSV of cohort members or allocations; dry run first, then "Import now".

    After a clean dry run the file's text waits in the session under a one-time token, so the
    admin imports exactly what they checked; the import re-checks every row anyway.
    """

    template_name = "portfolio/admin/csv_import.html"
    page_title = "Import CSV"
    header_icon = "upload"
    form_class = CsvImportForm
    upload_limit = setting_limit("CSV_IMPORT_MAX_BYTES", MAX_BYTES)  # refused before it is read

    def dispatch(self, request, *args, **kwargs):
        self.kinds = importable_kinds(request.user)
        if not self.kinds:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "kinds": self.kinds}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kinds"] = [
            {"key": k, **IMPORT_KINDS[k], "header": ",".join(IMPORT_KINDS[k]["columns"])} for k in self.kinds
        ]
        context["action_url"] = reverse("portfolio_csv_import")
        return context

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        kind = form.cleaned_data["kind"]
        data = form.cleaned_data["file"].read()
        dry_run = form.cleaned_data["dry_run"]
        report = IMPORTERS[kind](data, dry_run=dry_run, actor=self.request.user)
        token = ""
        if dry_run and report.ok:
            token = secrets.token_urlsafe(16)
            # The importer has already proved the bytes are UTF-8.
            self.request.session[SESSION_KEY] = {
                "token": token,
                "kind": kind,
                "text": data.decode("utf-8-sig"),
                "filename": form.cleaned_data["file"].name,
            }
        self._announce(report)
        return self.render_to_response(
            self.get_context_data(
                form=self.get_form_class()(kinds=self.kinds, initial={"kind": kind}),
                report=report,
                token=token,
            )
        )

    def confirm(self, request):
        pending = request.session.get(SESSION_KEY)
        if not pending or not secrets.compare_digest(pending["token"], request.POST.get("token", "")):
            messages.error(request, "There is no checked file waiting to be imported. Upload it again.")
            return self.render_to_response(self.get_context_data())
        if pending["kind"] not in self.kinds:
            raise PermissionDenied
        del request.session[SESSION_KEY]
        report = IMPORTERS[pending["kind"]](pending["text"], dry_run=False, actor=request.user)
        self._announce(report)
        return self.render_to_response(self.get_context_data(report=report))

    def _announce(self, report):
        label = IMPORT_KINDS[report.kind]["label"].lower()
        counts = ", ".join(f"{n} {action}" for action, n in sorted(report.counts().items())) or "no rows"
        if not report.ok:
            messages.error(
                self.request,
                f"The file has {len(report.errors)} problem(s); nothing was imported. "
                "Fix them and try again.",
            )
        elif report.applied:
            messages.success(self.request, f"Imported {label}: {counts}.")
        else:
            messages.info(
                self.request, f"Dry run of {label}: the file is clean ({counts}). Nothing imported yet."
            )
