"""Site forms of the ARCP screens. Rules are in `arcp.services`; these only parse input."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from reflect import limits

from .models import ArcpReview
from .services import NO_FAULT_REASONS, OUTCOMES_NEEDING_N, OUTCOMES_NEEDING_U, UNSATISFACTORY_REASONS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    period_from = forms.DateField(
        label="Start of the review period", widget=DATE_WIDGET, help_text="For example 2025-08-01."
    )
    period_to = forms.DateField(
        label="End of the period (evidence cut-off)",
        widget=DATE_WIDGET,
        help_text="Evidence submitted after the end of this day is not in the pack. Today at the latest.",
    )

    @classmethod
    def default_initial(cls) -> dict:
        today = timezone.localdate()
        return {"period_from": today - datetime.timedelta(days=365), "period_to": today}

    def clean(self):
        data = super().clean()
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and end < start:
            self.add_error("period_to", "The end of the period cannot be before its start.")
        if end and end > timezone.localdate():
            self.add_error("period_to", "The evidence cut-off cannot be in the future.")
        return data


class ReviewForm(PeriodForm):
    export = forms.ChoiceField(
        label="The pack the panel judged from", help_text="Make a pack first if none is listed."
    )
    outcome = forms.ChoiceField(
        label="Outcome", choices=[("", "Choose an outcome")] + list(ArcpReview.Outcome.choices)
    )
    reason_codes = forms.MultipleChoiceField(
        label="Reason codes",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=(
            f"Required for outcomes {', '.join(sorted(OUTCOMES_NEEDING_U))} (U codes) and "
            f"{', '.join(sorted(OUTCOMES_NEEDING_N))} (N codes); leave empty for the others."
        ),
        choices=[
            (code, f"{code}: {text}") for code, text in {**UNSATISFACTORY_REASONS, **NO_FAULT_REASONS}.items()
        ],
    )
    comments = forms.CharField(
        label="Comments",
        required=False,
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, exports=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["export"].choices = [("", "Choose a pack")] + [
            (str(e.pk), pack_label(e)) for e in exports
        ]
        self.fields["period_to"].help_text = "The end of the period the panel reviewed."


def pack_label(export) -> str:
    made = timezone.localtime(export.created_at)
    return (
        f"{export.period_from:%d %b %Y} – {export.period_to:%d %b %Y}, made {made:%d %b %Y %H:%M} "
        f"(pack {str(export.pk)[:8]})"
    )


class VerifyForm(forms.Form):
    file = forms.FileField(label="The PDF to check", help_text="An ARCP pack downloaded from this portfolio.")
