"""Site forms for goals (a personal development plan). Meaning (dates against the reflection,
themes, "closing needs a review") is checked by `portfolio.services.goals`; its errors come
back onto these fields."""

from __future__ import annotations

from django import forms

from reflect import limits
from rubrics.models import Competency

from .goal_models import GOAL_TEXT, Goal


class ServiceErrorsMixin:
    def add_service_errors(self, error) -> None:
        """Put a service's ValidationError next to the fields it names."""
        for name, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)


class GoalForm(ServiceErrorsMixin, forms.Form):
    what = forms.CharField(
        label="What will you do?",
        max_length=GOAL_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One concrete, checkable step, e.g. “Ask every patient I clerk about their housing”.",
    )
    due_on = forms.DateField(
        label="By when?",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For example 2026-09-30. Not before the reflection's date.",
    )
    success_measure = forms.CharField(
        label="How will you know you have done it?",
        max_length=GOAL_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you or your tutor could check.",
    )
    themes = forms.ModelMultipleChoiceField(
        queryset=None,
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick the social-accountability themes this goal serves.",
    )
    reflection = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = Competency.objects.themes()

    def to_service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "what": data["what"],
            "due_on": data["due_on"],
            "success_measure": data["success_measure"],
            "themes": [c.code for c in data.get("themes") or []],
            "reflection": data.get("reflection"),
        }

    @classmethod
    def initial_for(cls, goal: Goal) -> dict:
        return {
            "what": goal.what,
            "due_on": goal.due_on,
            "success_measure": goal.success_measure,
            "themes": [t.code for t in goal.themes.all()],
        }


class GoalReviewForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(
        label="How did it go?",
        choices=[(s.value, s.label) for s in Goal.CLOSED_STATUSES],
        widget=forms.RadioSelect,
        help_text="Carried forward: it still matters and you will keep working on it.",
    )
    review = forms.CharField(
        label="Your review",
        max_length=limits.COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A few sentences: what you did, what happened, what you learnt.",
    )


class GoalCommentForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(
        label="Your comment",
        max_length=limits.COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Plain text.",
    )
