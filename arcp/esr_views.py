"""The educational supervisor's report on the site: the tutor writes, shares and signs it (with
a confirmation); the learner reads it and comments; the panel reads signed ones.

Thin views: who is `arcp.policies.supervisor_reports`, states are `arcp.services.supervision`.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from portfolio.policies import learners
from portfolio.site import portfolio_url
from portfolio.views import portfolio_login_required, render
from reflect import audit

from . import esr_themes, services
from .esr_forms import ReportCommentForm, SupervisorReportForm
from .models import SupervisorReport
from .policies import supervisor_reports


def _require_tutor(user):
    if not supervisor_reports.role_may(user, "add"):
        raise Http404("Only tutors write supervisor's reports.")


def _to_form(form, exc: ValidationError, user=None) -> None:
    if isinstance(exc, services.PeriodTaken):
        # One report per learner per period: say whose, and link to it if they may open it.
        existing = exc.existing
        if supervisor_reports.visible(user).filter(pk=existing.pk).exists():
            url = portfolio_url("arcp_esr_detail", existing.pk)
            form.add_error(None, format_html('{} <a href="{}">Open it</a>.', exc.message_text, url))
        else:
            form.add_error(None, f"{exc.message_text} Ask its author about it.")
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _default_period(learner) -> dict:
    """From the day after the learner's last signed report (or a year ago) to today."""
    today = timezone.localdate()
    start = today - datetime.timedelta(days=365)
    last = SupervisorReport.objects.filter(learner=learner).signed().order_by("-period_to").first()
    if last is not None and last.period_to < today:
        start = max(start, last.period_to + datetime.timedelta(days=1))
    return {"period_from": start, "period_to": today}


@portfolio_login_required
def report_list(request):
    """Tutor: the reports they wrote, and the learners they may write one for."""
    _require_tutor(request.user)
    mine = list(
        supervisor_reports.visible(request.user)
        .filter(author=request.user)
        .select_related("learner", "learner__enrolment__cohort")
    )
    people = supervisor_reports.writable_learners(request.user).order_by(
        "last_name", "first_name", "username"
    )
    return render(request, "arcp/esr/list.html", {"reports": mine, "learners": people})


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def report_new(request, learner_id: int):
    """Tutor: draft a report for a learner they are allocated to."""
    _require_tutor(request.user)
    learner = learners.get(request.user, learner_id)
    supervisor_reports.require(request.user, "add", learner)
    initial = _default_period(learner)
    period = _period(request, initial["period_from"], initial["period_to"])
    themes = esr_themes.gather(learner, *period, request.user)
    if request.method == "POST":
        form = SupervisorReportForm(request.POST, themes=themes)
        if form.is_valid():
            try:
                report = services.create_report(request.user, learner, form.service_data(), via="site")
            except ValidationError as exc:
                _to_form(form, exc, request.user)
            else:
                messages.success(request, "Draft saved. Share it with the learner when it is ready.")
                return HttpResponseRedirect(portfolio_url("arcp_esr_detail", report.pk))
        status = 400
    else:
        form, status = SupervisorReportForm(initial=initial, themes=themes), 200
    return _form_page(request, form, learner, None, period, status)


def _period(request, start, end) -> tuple[datetime.date, datetime.date]:
    """The period whose evidence the form shows: the one posted if it reads as two dates in
    order, else `start`–`end`."""
    if request.method == "POST":
        try:
            posted = tuple(forms.DateField().clean(request.POST.get(k)) for k in ("period_from", "period_to"))
        except ValidationError:
            return start, end
        if posted[0] <= posted[1] and posted[1] - posted[0] <= services.supervision.LONGEST_PERIOD:
            return posted
    return start, end


def _form_page(request, form, learner, report, period, status):
    context = {
        "form": form,
        "learner": learner,
        "report": report,
        "evidence_from": period[0],
        "evidence_to": period[1],
    }
    return render(request, "arcp/esr/form.html", context, status=status)


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def report_edit(request, pk: int):
    """The author changes a draft or shared report (never a signed one)."""
    report = supervisor_reports.get(request.user, pk, SupervisorReport.objects.select_related("learner"))
    supervisor_reports.require(request.user, "edit", report, visible=True)
    if report.is_signed:
        return _detail(
            request, report, error="This report is signed: a signed report is not changed.", status=400
        )
    period = _period(request, report.period_from, report.period_to)
    themes = esr_themes.gather(report.learner, *period, request.user, report.theme_texts())
    if request.method == "POST":
        form = SupervisorReportForm(request.POST, themes=themes)
        if form.is_valid():
            try:
                services.update_report(request.user, report.pk, form.service_data(), via="site")
            except ValidationError as exc:
                _to_form(form, exc, request.user)
            else:
                messages.success(request, "Report saved.")
                return HttpResponseRedirect(portfolio_url("arcp_esr_detail", report.pk))
        status = 400
    else:
        initial = SupervisorReportForm.initial_from(report, themes)
        form, status = SupervisorReportForm(initial=initial, themes=themes), 200
    return _form_page(request, form, report.learner, report, period, status)


def _detail(request, report, *, comment_form=None, error: str = "", status: int = 200):
    user = request.user
    context = {
        "report": report,
        "themes": esr_themes.for_report(report, user),
        "error": error,
        "comment_form": comment_form or ReportCommentForm(initial={"comment": report.learner_comment}),
        "may_comment": supervisor_reports.can(user, "comment", report) and report.status == "shared",
        "may_edit": supervisor_reports.can(user, "edit", report) and not report.is_signed,
        "may_share": supervisor_reports.can(user, "share", report) and report.status == "draft",
        "may_sign": supervisor_reports.can(user, "sign", report) and report.status == "shared",
    }
    return render(request, "arcp/esr/detail.html", context, status=status)


@portfolio_login_required
def report_detail(request, pk: int):
    """Anyone who may see the report (see the policy): read it."""
    report = supervisor_reports.get(
        request.user,
        pk,
        SupervisorReport.objects.select_related("learner", "author", "learner__enrolment__cohort"),
    )
    audit.record(request.user, "read", learner=report.learner, obj=report, via="site")
    return _detail(request, report)


def _transition(request, pk: int, step):
    """POST of share or sign: the service decides; a wrong state is a 400 on the page."""
    try:
        report = step(request.user, pk, via="site")
    except ValidationError as exc:
        report = supervisor_reports.get(
            request.user, pk, SupervisorReport.objects.select_related("learner", "author")
        )
        return None, _detail(request, report, error=" ".join(exc.messages), status=400)
    return report, None


@portfolio_login_required
@require_http_methods(["POST"])
def report_share(request, pk: int):
    report, refused = _transition(request, pk, services.share_report)
    if refused:
        return refused
    messages.success(request, "Shared with the learner: they can read it and add a comment.")
    return HttpResponseRedirect(portfolio_url("arcp_esr_detail", report.pk))


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def report_sign(request, pk: int):
    """GET: the confirmation page (signing freezes the report); POST: sign."""
    report = supervisor_reports.get(
        request.user, pk, SupervisorReport.objects.select_related("learner", "author")
    )
    supervisor_reports.require(request.user, "sign", report, visible=True)
    if request.method == "GET":
        if report.status != "shared":
            message = (
                "Share the report with the learner before you sign it."
                if report.status == "draft"
                else "This report is already signed."
            )
            return _detail(request, report, error=message, status=400)
        return render(request, "arcp/esr/sign_confirm.html", {"report": report})
    report, refused = _transition(request, pk, services.sign_report)
    if refused:
        return refused
    messages.success(request, "Report signed. It is frozen now, and the ARCP panel can read it.")
    return HttpResponseRedirect(portfolio_url("arcp_esr_detail", report.pk))


@portfolio_login_required
@require_http_methods(["POST"])
def report_comment(request, pk: int):
    """The learner's comment on a shared report."""
    form = ReportCommentForm(request.POST)
    try:
        report = services.comment_on_report(request.user, pk, request.POST.get("comment", ""), via="site")
    except ValidationError as exc:
        form.is_valid()
        if not (hasattr(exc, "error_dict") and "comment" in form.errors):
            _to_form(form, exc)
        report = supervisor_reports.get(
            request.user, pk, SupervisorReport.objects.select_related("learner", "author")
        )
        return _detail(request, report, comment_form=form, status=400)
    messages.success(request, "Your comment was saved with the report.")
    return HttpResponseRedirect(portfolio_url("arcp_esr_detail", report.pk))
