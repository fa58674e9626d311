"""Forms of the timeline, learner search and cohort coverage screens: they only parse input."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from portfolio.models import Reflection
from reflect import limits
from rubrics.models import Competency

from .forms import DATE_WIDGET
from .timeline import KINDS


def _check_period(form, data):
    start, end = data.get("period_from"), data.get("period_to")
    if start and end and end < start:
        form.add_error("period_to", "The end of the period cannot be before its start.")
    return data


class TimelineFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of entry", choices=[("", "Everything"), *KINDS], required=False)
    theme = forms.ChoiceField(label="Theme", required=False)
    status = forms.ChoiceField(
        label="Reflection status", choices=[("", "Any status"), *Reflection.Status.choices], required=False
    )
    period_from = forms.DateField(label="From", widget=DATE_WIDGET, required=False)
    period_to = forms.DateField(label="To", widget=DATE_WIDGET, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", "Any theme")] + [
            (t.code, t.title) for t in Competency.objects.themes()
        ]

    def clean(self):
        return _check_period(self, super().clean())


class LearnerSearchForm(forms.Form):
    q = forms.CharField(label="Learner's name", required=False, max_length=limits.SEARCH)


class CoverageForm(forms.Form):
    cohort = forms.ModelChoiceField(label="Cohort", queryset=None, empty_label=None)
    period_from = forms.DateField(label="From", widget=DATE_WIDGET)
    period_to = forms.DateField(label="To", widget=DATE_WIDGET)

    def __init__(self, *args, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts.order_by("name")

    @staticmethod
    def default_initial() -> dict:
        today = timezone.localdate()
        return {"period_from": today - datetime.timedelta(days=365), "period_to": today}

    def clean(self):
        return _check_period(self, super().clean())
