"""Wagtail admin: cohort ARCP exports (pick a cohort and period → background task → ZIP)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import FormView, TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portfolio.models import Cohort

from . import cohort
from .forms import PeriodForm
from .models import CohortExport
from .policies import cohort_exports


def _require_admin(user):
    if not cohort_exports.role_may(user, "add"):
        raise PermissionDenied


class CohortExportMenuItem(MenuItem):
    def is_shown(self, request):
        return cohort_exports.role_may(request.user, "add")


class CohortExportForm(PeriodForm):
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.order_by("-year", "name"), label="Cohort")
    field_order = ["cohort", "period_from", "period_to"]


WORKER_NOTE = (
    "No task worker has picked this export up yet. Exports run in the background: a worker "
    "must be running beside the web server (`python manage.py db_worker`; `make run` starts "
    "one). The export starts as soon as one does; nothing is lost meanwhile."
)


def status_payload(job: CohortExport) -> dict:
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "done": job.done,
        "total": job.total,
        "error": job.error,
        "worker_note": WORKER_NOTE if job.waiting_for_worker() else "",
        "download_url": reverse("arcp_cohort_export_download", args=[job.pk]) if job.zip_file else None,
    }


class CohortExportView(WagtailAdminTemplateMixin, FormView):
    template_name = "arcp/admin/cohort_export.html"
    page_title = "ARCP cohort export"
    header_icon = "download"
    form_class = CohortExportForm

    def dispatch(self, request, *args, **kwargs):
        _require_admin(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return PeriodForm.default_initial()

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["jobs"] = CohortExport.objects.select_related("cohort", "requested_by")[:20]
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            job = cohort.start_cohort_export(
                data["cohort"], data["period_from"], data["period_to"], self.request.user
            )
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        return HttpResponseRedirect(reverse("arcp_cohort_export_progress", args=[job.pk]))


class CohortExportProgressView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "arcp/admin/cohort_export_progress.html"
    page_title = "ARCP cohort export: progress"
    header_icon = "download"

    def dispatch(self, request, *args, **kwargs):
        _require_admin(request.user)
        self.job = get_object_or_404(CohortExport.objects.select_related("cohort"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("arcp_cohort_export"), "label": "ARCP cohort export"},
            {"url": "", "label": str(self.job.cohort)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["job"] = self.job
        context["status"] = status_payload(self.job)
        context["status_url"] = reverse("arcp_cohort_export_status", args=[self.job.pk])
        context["running"] = self.job.status in (CohortExport.Status.QUEUED, CohortExport.Status.RUNNING)
        return context


def cohort_export_status(request, pk: int):
    """JSON progress for the polling script."""
    _require_admin(request.user)
    return JsonResponse(status_payload(get_object_or_404(CohortExport, pk=pk)))


def cohort_export_download(request, pk: int):
    _require_admin(request.user)
    job = get_object_or_404(CohortExport, pk=pk)
    if not job.zip_file:
        raise Http404("Not ready.")
    return FileResponse(
        job.zip_file.open("rb"), as_attachment=True, filename=job.zip_file.name.rsplit("/", 1)[-1]
    )
