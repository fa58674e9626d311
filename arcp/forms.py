"""Site forms of the ARCP screens. Rules are in `arcp.services`; these only parse input."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from reflect import limits

from . import codes

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


class ReviewForm(forms.Form):
    """The panel's outcome. The period is the chosen pack's (never typed again); the reason
    codes offered are those of the learner's programme type, grouped by the outcomes they go
    with (`arcp.codes`); the service checks the combination."""

    export = forms.ChoiceField(
        label="The pack the panel judged from",
        help_text="The review period is the pack's period. Make a pack first if none is listed.",
    )
    outcome = forms.ChoiceField(label="Outcome")
    reason_codes = forms.MultipleChoiceField(
        label="Reason codes", required=False, widget=forms.CheckboxSelectMultiple
    )
    next_review_on = forms.DateField(
        label="Date of the next review",
        required=False,
        widget=DATE_WIDGET,
        help_text="Required for outcomes 2 to 5.",
    )
    actions = forms.CharField(
        label="Actions for the learner",
        required=False,
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the learner is to do before the next review.",
    )
    comments = forms.CharField(
        label="Comments",
        required=False,
        max_length=limits.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, exports=(), programme_type=None, correcting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.packs = {str(e.pk): e for e in exports}
        self.programme_type = programme_type
        self.fields["export"].choices = [("", "Choose a pack")] + [
            (pk, pack_label(e)) for pk, e in self.packs.items()
        ]
        self.fields["outcome"].choices = [("", "Choose an outcome")] + [
            (o.code, o.label) for o in codes.outcomes_for(programme_type)
        ]
        self.groups = code_groups(programme_type)
        self.fields["reason_codes"].choices = [
            (c["code"], c["label"]) for g in self.groups for c in g["codes"]
        ]
        self.correcting = correcting
        if correcting is not None:
            self.fields["correction_reason"] = forms.CharField(
                label="Why the recorded outcome is being corrected",
                max_length=limits.LONG_TEXT,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="Kept with both records and shown in the outcome's history.",
            )

    def pack(self):
        return self.packs.get(self.cleaned_data.get("export", ""))


def code_groups(programme_type) -> list[dict]:
    """The reason codes of a programme in families, each code with the outcomes it fits."""
    outcomes = [o.code for o in codes.outcomes_for(programme_type)]
    fits: dict[str, list[str]] = {}
    for outcome in outcomes:
        for code in codes.codes_for(programme_type, outcome):
            fits.setdefault(code.code, []).append(outcome)
    groups = []
    for family in ("U", "C", "N"):
        members = [c for c in codes.REASON_CODES.values() if c.family == family and c.code in fits]
        if not members:
            continue
        group_outcomes = list(dict.fromkeys(o for c in members for o in fits[c.code]))
        groups.append(
            {
                "family": family,
                "title": codes.FAMILY_NAMES[family],
                "outcomes": group_outcomes,
                "outcomes_text": ", ".join(
                    "no outcome" if o == codes.NO_OUTCOME else o for o in group_outcomes
                ),
                "codes": [
                    {"code": c.code, "label": codes.label_of(c.code), "outcomes": fits[c.code]}
                    for c in members
                ],
                "source": codes.SOURCES[family],
            }
        )
    return groups


def pack_label(export) -> str:
    made = timezone.localtime(export.created_at)
    return (
        f"{export.period_from:%d %b %Y} – {export.period_to:%d %b %Y}, made {made:%d %b %Y %H:%M} "
        f"(pack {str(export.pk)[:8]})"
    )


class VerifyForm(forms.Form):
    file = forms.FileField(label="The PDF to check", help_text="An ARCP pack downloaded from this portfolio.")


class ResponseForm(forms.Form):
    """The learner's written response to an outcome (the rules: `services.respond_to_review`)."""

    response = forms.CharField(
        label="Your response",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=limits.COMMENT,
        help_text="Shown to the panel beside the outcome. You send one response; it is not changed later.",
    )


class AppealForm(forms.Form):
    """The learner's request for a review (outcome 2) or appeal (3, 4): `services.request_appeal`."""

    reason = forms.CharField(
        label="Your reasons",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=limits.COMMENT,
        help_text="Say why the outcome should be looked at again and what the panel may have missed.",
    )
