"""Site forms of the educational supervisor's report. Rules: `arcp.services.supervision`."""

from __future__ import annotations

from django import forms

from reflect import limits

from .forms import DATE_WIDGET
from .models import SupervisorReport

HINTS = {
    "progress": "Progress in each of the eight social-accountability themes, with the evidence: "
    "reflections, marks and feedback in the period.",
    "engagement": "How the learner used supervision, the portfolio and feedback.",
    "concerns": "Anything the panel should know: conduct, health, gaps in evidence. Leave empty if none.",
    "development_needs": "What you and the learner agreed they will work on next.",
}


class SupervisorReportForm(forms.Form):
    period_from = forms.DateField(
        label="Start of the period the report covers", widget=DATE_WIDGET, help_text="For example 2025-08-01."
    )
    period_to = forms.DateField(label="End of the period", widget=DATE_WIDGET)
    recommendation = forms.ChoiceField(
        label="Your recommendation to the panel",
        choices=SupervisorReport.Recommendation.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, heading in SupervisorReport.SECTIONS:
            self.fields[name] = forms.CharField(
                label=heading,
                required=name == "progress",
                max_length=limits.LONG_TEXT,
                help_text=HINTS[name],
                widget=forms.Textarea(attrs={"rows": 6 if name == "progress" else 4}),
            )

    @classmethod
    def initial_from(cls, report: SupervisorReport) -> dict:
        names = ["period_from", "period_to", "recommendation", *(n for n, _ in SupervisorReport.SECTIONS)]
        return {name: getattr(report, name) for name in names}


class ReportCommentForm(forms.Form):
    comment = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=limits.COMMENT,
        help_text="Optional. The panel reads it with the report; you may change it until it is signed.",
    )
