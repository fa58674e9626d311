"""Site forms of the educational supervisor's report. Rules: `arcp.services.supervision`."""

from __future__ import annotations

from django import forms

from reflect import limits

from .forms import DATE_WIDGET
from .models import SupervisorReport

HINTS = {
    "progress": "Your overall judgement of the learner's progress in the period.",
    "engagement": "How the learner used supervision, the portfolio and feedback.",
    "concerns": "Anything the panel should know: conduct, health, gaps in evidence. Leave empty if none.",
    "development_needs": "What you and the learner agreed they will work on next.",
}
THEME_HINT = "Your judgement of progress in this theme, with the evidence above."


class SupervisorReportForm(forms.Form):
    """The report: period, recommendation, overall progress, one text per theme (with its
    evidence, `themes`: `arcp.esr_themes.ThemeEvidence` in order), then the other sections."""

    period_from = forms.DateField(
        label="Start of the period the report covers", widget=DATE_WIDGET, help_text="For example 2025-08-01."
    )
    period_to = forms.DateField(label="End of the period", widget=DATE_WIDGET)
    recommendation = forms.ChoiceField(
        label="Your recommendation to the panel",
        choices=SupervisorReport.Recommendation.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.themes = list(themes)
        for name, heading in SupervisorReport.SECTIONS:
            self.fields[name] = forms.CharField(
                label=heading,
                required=name == "progress",
                max_length=limits.LONG_TEXT,
                help_text=HINTS[name],
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        for item in self.themes:
            self.fields[item.field_name] = forms.CharField(
                label=f"Progress in “{item.theme.title}”",
                required=False,
                max_length=limits.LONG_TEXT,
                help_text=THEME_HINT,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def head_fields(self):
        return [self[n] for n in ("period_from", "period_to", "recommendation", "progress")]

    def theme_rows(self):
        """(bound field, its theme's evidence) per theme, in order."""
        return [(self[item.field_name], item) for item in self.themes]

    def tail_fields(self):
        return [self[n] for n, _ in SupervisorReport.SECTIONS if n != "progress"]

    def service_data(self) -> dict:
        """`cleaned_data` as `arcp.services.supervision` takes it (themes by code)."""
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("theme_")}
        data["themes"] = {item.theme.code: self.cleaned_data.get(item.field_name, "") for item in self.themes}
        return data

    @staticmethod
    def initial_from(report: SupervisorReport, themes=()) -> dict:
        names = ["period_from", "period_to", "recommendation", *(n for n, _ in SupervisorReport.SECTIONS)]
        initial = {name: getattr(report, name) for name in names}
        initial.update({item.field_name: item.text for item in themes})
        return initial


class ReportCommentForm(forms.Form):
    comment = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=limits.COMMENT,
        help_text="Optional. The panel reads it with the report; you may change it until it is signed.",
    )
