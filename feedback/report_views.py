"""The partner report screen for programme admins (``/portfolio/feedback/partners/``), with
``?format=csv`` for the spreadsheet. The numbers come from `feedback.services.reports`."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse

from feedback.policies import partner_reports
from feedback.services import reports
from portfolio.views.common import portfolio_login_required, render
from rubrics.models import Competency


class PeriodForm(forms.Form):
    start = forms.DateField(
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give a real date."},
    )
    end = forms.DateField(
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give a real date."},
    )


@portfolio_login_required
def partner_report(request):
    if not partner_reports.may_view(request.user):
        raise Http404("No such page.")
    today = datetime.date.today()
    data = request.GET if "start" in request.GET else {"start": today.replace(month=1, day=1), "end": today}
    form = PeriodForm(data)
    report = None
    if form.is_valid():
        try:
            report = reports.partner_report(
                request.user, form.cleaned_data["start"], form.cleaned_data["end"]
            )
        except ValidationError as exc:
            form.add_error("end", exc.messages)
    if report is not None and request.GET.get("format") == "csv":
        response = HttpResponse(reports.as_csv(report), content_type="text/csv; charset=utf-8")
        name = f"partner-report-{report.period_from}-{report.period_to}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    titles = dict(Competency.objects.themes().values_list("code", "title"))
    sections = []
    for row in report.rows if report else []:
        answered = {kind for kind, n in row.responses.items() if n}
        sections.append(
            {
                "row": row,
                "themes": [(titles.get(code, code), n) for code, n in row.themes.items() if n],
                "statements": [
                    (s["prompt"], row.means[s["key"]]) for s in report.statements if s["type"] in answered
                ],
            }
        )
    context = {"form": form, "report": report, "sections": sections, "floor": reports.FLOOR}
    return render(request, "feedback/partner_report.html", context)
