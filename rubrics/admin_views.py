"""Wagtail admin screens for rubrics beyond the snippet CRUD: marking-grid preview, publish and
retire (with confirmation), next version, compare versions, JSON export and import.

Only programme admins (the `admin` group; superusers count) reach any of them. Every state
change goes through `rubrics.services`; these views only ask and show.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.permission_policies.base import BasePermissionPolicy

from reflect import safejson
from reflect.uploads import LimitedUploadMixin, in_words, setting_limit

from . import services
from .compare import compare_rubrics
from .models import Rubric
from .scoring import max_score

ADMIN_GROUP = "admin"
MAX_IMPORT_BYTES = 1024 * 1024  # default of the RUBRIC_IMPORT_MAX_BYTES setting
IMPORT_LIMIT = setting_limit("RUBRIC_IMPORT_MAX_BYTES", MAX_IMPORT_BYTES)
# A rubric file nests six levels (rubric, criteria, criterion, levels, level, a competency).
IMPORT_MAX_DEPTH = 8


# --- Who may do what ----------------------------------------------------------------------
def is_rubrics_admin(user) -> bool:
    """Programme admins: active, and superuser or in the `admin` group."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=ADMIN_GROUP).exists()


class RubricsAdminPolicy(BasePermissionPolicy):
    """Programme admins may do everything with frameworks and rubrics in the admin; nobody
    else may do anything. (What a rubric's status allows is decided by the model layer.)"""

    def user_has_permission(self, user, action):
        return is_rubrics_admin(user)

    def user_has_any_permission(self, user, actions):
        return is_rubrics_admin(user)

    def users_with_any_permission(self, actions):
        User = get_user_model()
        return User.objects.filter(
            Q(is_superuser=True) | Q(groups__name=ADMIN_GROUP), is_active=True
        ).distinct()


def level_columns(criteria) -> range:
    """Column numbers of a marking grid: as many as the criterion with most levels. Each
    criterion gets `grid_padding`, the empty cells that square off its shorter row."""
    width = max((len(c.levels.all()) for c in criteria), default=0)
    for criterion in criteria:
        criterion.grid_padding = range(width - len(criterion.levels.all()))
    return range(1, width + 1)


def edit_url(rubric: Rubric) -> str:
    return reverse("wagtailsnippets_rubrics_rubric:edit", args=[rubric.pk])


def index_url() -> str:
    return reverse("wagtailsnippets_rubrics_rubric:list")


class AdminOnlyMixin(WagtailAdminTemplateMixin):
    header_icon = "table"

    def dispatch(self, request, *args, **kwargs):
        if not is_rubrics_admin(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": index_url(), "label": "Rubrics"},
            {"url": "", "label": self.get_page_title()},
        ]


class RubricViewMixin(AdminOnlyMixin):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.rubric = get_object_or_404(Rubric.objects.with_content(), pk=kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.rubric)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        criteria = list(self.rubric.criteria.all())
        context.update(
            rubric=self.rubric,
            criteria=criteria,
            level_columns=level_columns(criteria),
            edit_url=edit_url(self.rubric),
            index_url=index_url(),
            other_versions=Rubric.objects.filter(slug=self.rubric.slug).exclude(pk=self.rubric.pk),
        )
        return context


# --- Marking-grid preview -------------------------------------------------------------------
class GridView(RubricViewMixin, TemplateView):
    """The rubric as a marker will see it: criteria down, levels across."""

    template_name = "rubrics/admin/grid.html"
    page_title = "Marking grid"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["problems"] = services.validation_problems(self.rubric) if self.rubric.is_draft else []
        context["max_score"] = max_score(self.rubric)
        return context


# --- Publish / retire / next version -------------------------------------------------------
class ConfirmView(RubricViewMixin, TemplateView):
    """GET: explain and ask; POST: call the service, report every problem or redirect."""

    template_name = "rubrics/admin/confirm.html"
    allowed_status: str = ""
    action_label = ""

    def get_problems(self) -> list[str]:
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("problems", self.get_problems())
        context["action_label"] = self.action_label
        context["allowed"] = self.rubric.status == self.allowed_status
        return context

    def post(self, request, *args, **kwargs):
        try:
            return self.perform()
        except ValidationError as error:
            return self.render_to_response(self.get_context_data(problems=error.messages), status=400)


class PublishView(ConfirmView):
    page_title = "Publish rubric"
    action_label = "Publish"
    allowed_status = Rubric.Status.DRAFT

    def get_problems(self):
        if not self.rubric.is_draft:
            return [
                f"Only a draft can be published; this rubric is {self.rubric.get_status_display().lower()}."
            ]
        return services.validation_problems(self.rubric)

    def perform(self):
        published = services.publish(self.rubric, by=self.request.user)
        messages.success(
            self.request,
            f'"{published.title}" version {published.version} is published. Its content is now frozen '
            f"(content hash {published.content_hash[:12]}…).",
        )
        return redirect(reverse("rubrics_admin_grid", args=[published.pk]))


class RetireView(ConfirmView):
    page_title = "Retire rubric"
    action_label = "Retire"
    allowed_status = Rubric.Status.PUBLISHED

    def get_problems(self):
        if self.rubric.status != Rubric.Status.PUBLISHED:
            return [
                "Only a published rubric can be retired; "
                f"this one is {self.rubric.get_status_display().lower()}."
            ]
        return []

    def perform(self):
        retired = services.retire(self.rubric, by=self.request.user)
        messages.success(self.request, f'"{retired.title}" version {retired.version} is retired.')
        return redirect(index_url())


class NewVersionView(ConfirmView):
    """Where "Edit" on a published or retired rubric leads: its content cannot change, so
    editing means making the next version as a draft (one confirming click)."""

    page_title = "Edit as a new version"
    action_label = "Create the next version as a draft"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("existing_draft", services.draft_of(self.rubric.slug))
        context = super().get_context_data(**kwargs)
        context["allowed"] = not self.rubric.is_draft and context["existing_draft"] is None
        return context

    def get(self, request, *args, **kwargs):
        if self.rubric.is_draft:
            return redirect(edit_url(self.rubric))
        return super().get(request, *args, **kwargs)

    def perform(self):
        existing = services.draft_of(self.rubric.slug)
        if existing is not None:
            messages.info(self.request, f"Version {existing.version} is already a draft: edit it.")
            return redirect(edit_url(existing))
        draft = services.new_version(self.rubric)
        messages.success(
            self.request,
            f'Version {draft.version} of "{draft.title}" is a new draft: edit it, then publish it.',
        )
        return redirect(edit_url(draft))


class CompareView(RubricViewMixin, TemplateView):
    """Two versions of the same rubric side by side (`?with=<id>`; default: the previous one)."""

    template_name = "rubrics/admin/compare.html"
    page_title = "Compare versions"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        others = list(context["other_versions"])
        chosen = self.request.GET.get("with")
        other = None
        if chosen and chosen.isdigit():
            other = next((r for r in others if r.pk == int(chosen)), None)
        if other is None:
            other = self.rubric.previous_version or (others[0] if others else None)
        context["other"] = other
        if other is not None:
            old, new = sorted(
                [Rubric.objects.with_content().get(pk=other.pk), self.rubric], key=lambda r: r.version
            )
            context.update(old=old, new=new, diff=compare_rubrics(old, new))
            context["old_criteria"] = list(old.criteria.all())
            context["new_criteria"] = list(new.criteria.all())
            context["old_columns"] = level_columns(context["old_criteria"])
            context["new_columns"] = level_columns(context["new_criteria"])
        return context


# --- Export / import ------------------------------------------------------------------------
def export_view(request, pk: int) -> HttpResponse:
    """Download the rubric as JSON in the documented format (rubrics/SCHEMA.md)."""
    if not is_rubrics_admin(request.user):
        raise PermissionDenied
    rubric = get_object_or_404(Rubric.objects.with_content(), pk=pk)
    body = json.dumps(services.export_json(rubric), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{rubric.slug}-v{rubric.version}.json"'
    return response


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Rubric file (JSON)",
        help_text="A file exported from this admin, or written to the documented format.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )


class ImportView(AdminOnlyMixin, LimitedUploadMixin, FormView):
    """Upload a rubric as JSON: every problem is listed with its JSON path, and nothing is
    imported unless the whole file is clean. A clean file becomes a new draft."""

    template_name = "rubrics/admin/import.html"
    page_title = "Import a rubric"
    header_icon = "upload"
    form_class = ImportForm
    upload_limit = IMPORT_LIMIT  # refused before it is read (reflect.uploads)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["file"].help_text += f" At most {in_words(IMPORT_LIMIT())}."
        return form

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        problems: list[str] = []
        data = None
        if upload.size > IMPORT_LIMIT():
            problems.append(f"The file is too large: it can be at most {in_words(IMPORT_LIMIT())}.")
        else:
            try:
                # Depth-limited, no NaN or infinite numbers: a crafted file is a 400, never a 500.
                data = safejson.loads(upload.read(), max_depth=IMPORT_MAX_DEPTH)
            except safejson.JSONError as error:
                problems.append(f"The file is not valid JSON: {error}")
        if not problems:
            try:
                rubric = services.import_json(data)
            except ValidationError as error:
                problems = error.messages
            else:
                messages.success(
                    self.request,
                    f'Imported "{rubric.title}" as version {rubric.version} (a draft): '
                    "check it, then publish it.",
                )
                return redirect(edit_url(rubric))
        return self.render_to_response(self.get_context_data(form=form, problems=problems), status=400)
