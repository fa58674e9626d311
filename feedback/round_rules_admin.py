"""Programme admins set how many colleagues a round needs, and of which roles, per cohort or
per programme type, in the Wagtail admin (Feedback → Colleague round rules). The mix is
edited as one number box per colleague role, not as JSON. A round copies its rule when it
opens, so a change applies to rounds opened from then on (said on the form)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import SnippetViewSet

from portfolio.models import Cohort

from .models import DEFAULT_REQUIRED_MIX, ColleagueRoundRule, Feedback

COLLEAGUE_ROLES = [
    Feedback.RespondentRole.DOCTOR,
    Feedback.RespondentRole.NURSE,
    Feedback.RespondentRole.ALLIED,
    Feedback.RespondentRole.ADMIN_STAFF,
]


def mix_field(role) -> str:
    return f"mix_{role.value}"


class RoundRuleForm(WagtailAdminModelForm):
    programme_type = forms.ChoiceField(
        required=False,
        choices=[("", "— (a cohort is chosen)")] + list(Cohort.ProgrammeType.choices),
        help_text="For every cohort of this programme type that has no rule of its own.",
    )

    class Meta:
        model = ColleagueRoundRule
        fields = ["cohort", "programme_type", "min_responses"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mix = self.instance.required_mix if self.instance.pk else DEFAULT_REQUIRED_MIX
        for role in COLLEAGUE_ROLES:
            self.fields[mix_field(role)] = forms.IntegerField(
                label=f"At least this many: {role.label}",
                min_value=0,
                max_value=50,
                required=False,
                initial=mix.get(role.value, 0),
            )

    def clean(self):
        data = super().clean()
        cohort, programme = data.get("cohort"), data.get("programme_type")
        if bool(cohort) == bool(programme):
            raise ValidationError("Choose either a cohort or a programme type (one, not both).")
        mix = {role.value: data.get(mix_field(role)) or 0 for role in COLLEAGUE_ROLES}
        needed = sum(mix.values())
        minimum = data.get("min_responses") or 0
        if needed > minimum:
            self.add_error(
                "min_responses",
                f"The roles below already need {needed} answers: the minimum must be at least {needed}.",
            )
        if minimum < 3:
            self.add_error(
                "min_responses",
                "At least 3: results are never shown for fewer than three colleagues.",
            )
        if (
            programme
            and ColleagueRoundRule.objects.filter(cohort__isnull=True, programme_type=programme)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("programme_type", "This programme type has a rule already: change that one.")
        self.cleaned_mix = {k: v for k, v in mix.items() if v}
        return data

    def save(self, commit=True):
        self.instance.required_mix = getattr(self, "cleaned_mix", {})
        if self.instance.cohort_id:
            self.instance.programme_type = ""
        return super().save(commit=commit)


class RoundRuleViewSet(SnippetViewSet):
    model = ColleagueRoundRule
    icon = "group"
    menu_label = "Colleague round rules"
    add_to_admin_menu = True
    menu_order = 235
    copy_view_enabled = False
    list_display = [
        Column("target", label="For", accessor=lambda r: r.cohort or r.get_programme_label()),
        "min_responses",
        Column("mix", label="Of which", accessor=lambda r: r.mix_in_words()),
    ]

    def get_form_class(self, for_update=False):
        return RoundRuleForm

    panels = [
        FieldPanel("cohort", help_text="A rule for one cohort wins over its programme type's rule."),
        FieldPanel("programme_type"),
        FieldPanel(
            "min_responses",
            help_text="Answers a round needs before it can be released. Applies to rounds opened "
            "after you save; open rounds keep the rule they started with.",
        ),
        *[FieldPanel(mix_field(role)) for role in COLLEAGUE_ROLES],
    ]
