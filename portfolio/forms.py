import re

from django import forms
from django.utils.html import escape

from reflect import limits
from rubrics.models import Competency

from .models import Placement, Reflection, Setting
from .reflective_models import get_model


class CsvImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8, with a header row.")
    dry_run = forms.BooleanField(
        label="Dry run: check the file and report problems without importing anything",
        required=False,
        initial=True,
    )


# --- Reflections --------------------------------------------------------------------------
_LOOKS_LIKE_HTML = re.compile(r"<(?:[A-Za-z][A-Za-z0-9]*|/[A-Za-z]|!--)")


def plain_text_as_html(text: str) -> str:
    """What a section box posts without JavaScript, as HTML: text holding no tag becomes
    paragraphs (an empty line between them; a single line break kept as <br>), its characters
    escaped. Text with tags (the editor's HTML) is returned as it came. Either way the
    service then passes it through `sanitize_html`."""
    if not text or _LOOKS_LIKE_HTML.search(text):
        return text
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    return "".join("<p>" + "<br>".join(escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs)


def _themes_queryset():
    return Competency.objects.themes()


class ReflectionForm(forms.Form):
    """The learner's reflection form: details, themes and one rich-text field per section of
    the chosen reflective model (`section_<key>`). Validation of meaning (dates, themes,
    sanitising) happens in `portfolio.services`; errors come back onto these fields."""

    title = forms.CharField(
        max_length=limits.TITLE, help_text="A few words that will remind you what this was about."
    )
    kind = forms.ChoiceField(label="Kind of experience", choices=())
    setting = forms.ChoiceField(label="Setting", choices=(), required=False)
    placement = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Not part of a listed placement",
        help_text="Placements are listed by your programme team. Ask them to add one that is missing.",
    )
    occurred_on = forms.DateField(
        label="Date it happened",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For example 2026-03-14.",
    )
    themes = forms.ModelMultipleChoiceField(
        queryset=None,
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick every social-accountability theme this reflection speaks to.",
    )
    reflective_model = forms.ChoiceField(
        label="Reflective model",
        choices=(),
        help_text="Changing the model shows its sections after you save; text in sections both "
        "models share is kept.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, model_key: str = "free", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Choose…"), *Reflection.Kind.choices]
        self.fields["setting"].choices = [("", "Not stated"), *Setting.choices]
        self.fields["placement"].queryset = Placement.objects.order_by("organisation")
        self.fields["themes"].queryset = _themes_queryset()
        self.fields["reflective_model"].choices = Reflection.Model.choices
        self.model = get_model(model_key)
        for section in self.model.sections:
            self.fields[f"section_{section.key}"] = forms.CharField(
                label=section.heading,
                required=False,
                max_length=limits.REFLECTION_HTML,
                widget=forms.Textarea(attrs={"rows": 8, "data-rich-text": "true"}),
                help_text=section.hint,
            )
            self.fields[f"section_{section.key}"].prompt = section.prompt
        for field in self.fields.values():
            field.findings = []  # the identifier check's, shown beside the field

    def show_findings(self, findings: dict) -> None:
        """Put the identifier check's findings (field name → list) beside their fields."""
        for name, found in findings.items():
            if name in self.fields:
                self.fields[name].findings = found

    def clean(self):
        data = super().clean()
        for section in self.model.sections:
            name = f"section_{section.key}"
            if data.get(name):
                data[name] = plain_text_as_html(data[name])
        return data

    def section_fields(self):
        return [self[f"section_{s.key}"] for s in self.model.sections]

    def to_service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "setting": data.get("setting") or "",
            "placement": data.get("placement"),
            "occurred_on": data["occurred_on"],
            "themes": [c.code for c in data.get("themes") or []],
            "reflective_model": data["reflective_model"],
            "sections": {s.key: data.get(f"section_{s.key}") or "" for s in self.model.sections},
        }

    def add_service_errors(self, error) -> None:
        """Put a service's ValidationError next to the fields it names."""
        for name, messages in getattr(error, "message_dict", {"__all__": error.messages}).items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)

    @classmethod
    def initial_for(cls, reflection) -> dict:
        initial = {
            "title": reflection.title,
            "kind": reflection.kind,
            "setting": reflection.setting,
            "placement": reflection.placement_id,
            "occurred_on": reflection.occurred_on,
            "themes": [t.code for t in reflection.themes.all()],
            "reflective_model": reflection.reflective_model,
            "version": reflection.version,
        }
        for key, html in (reflection.sections or {}).items():
            initial[f"section_{key}"] = html
        return initial


class ReviewCommentForm(forms.Form):
    comment = forms.CharField(
        label="Your comment",
        max_length=limits.COMMENT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Plain text. Say what is good and what to change.",
    )


class RequestChangesForm(ReviewCommentForm):
    """The tutor's request for changes: its own words, so the review page never shows two
    boxes both called "Your comment"."""

    comment = forms.CharField(
        label="What should the learner change?",
        max_length=limits.COMMENT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Plain text. The learner sees this when the reflection comes back to them.",
    )


class SignOffForm(forms.Form):
    comment = forms.CharField(
        label="Closing comment",
        required=False,
        max_length=limits.COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    confirm = forms.BooleanField(
        label="I have read this reflection and sign it off. It will be locked: nobody can change it "
        "afterwards."
    )


class SubmitForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have checked each item above: none of it identifies a patient or carer.",
        required=False,
    )
