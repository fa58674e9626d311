"""Site screens for colleague rounds, under the portfolio page (``/portfolio/feedback/rounds/``).

- ``colleague_rounds``: the rounds the viewer may see (`feedback.policies.rounds`);
- ``colleague_round_new``: a tutor or admin opens a round and sees its links once;
- ``colleague_round``: one round. The learner adds a self-assessment and, after release,
  reads the aggregates and the summary; a tutor reads the individual answers (recorded),
  adds links and releases.

Rules live in `feedback.services.rounds`; these views translate to and from HTML.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.views.decorators.http import require_http_methods

from feedback import instrument, qr
from feedback.policies import invitations
from feedback.policies import rounds as round_policy
from feedback.services import rounds as services
from feedback.views import (
    NOT_APPLICABLE,
    LearnerChoiceField,
    RecipientsMixin,
    _add_service_errors,
    invitable_learners,
)
from portfolio.site import portfolio_url
from portfolio.views.common import portfolio_login_required, render
from reflect import limits
from reflect.errors import Conflict


class RoundForm(RecipientsMixin, forms.Form):
    learner = LearnerChoiceField(
        queryset=None,
        label="Learner",
        empty_label="Choose a learner",
        error_messages={"required": "Choose the learner.", "invalid_choice": "Choose one of your learners."},
    )
    title = forms.CharField(
        max_length=limits.TITLE,
        label="Name of the round",
        help_text="Colleagues see this, e.g. “Colleague feedback, Foundation year 1, spring”.",
        error_messages={"required": "Give the round a name."},
    )
    closes_on = forms.DateField(
        label="Closing date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give the closing date.", "invalid": "Give a real date."},
    )
    emails = forms.CharField(
        required=False,
        max_length=limits.COMMENT,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Colleagues' e-mail addresses",
        help_text="One per line. Each colleague gets their own link.",
    )
    extra_links = forms.IntegerField(
        required=False, min_value=0, max_value=20, initial=0, label="Links without e-mail"
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learner"].queryset = invitable_learners(user)


class SelfAssessmentForm(forms.Form):
    comments = forms.CharField(
        required=False,
        max_length=limits.FEEDBACK_COMMENTS,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Anything you want to add about yourself",
    )

    def __init__(self, *args, instrument_version, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = instrument_version.keys
        choices = [(str(v), t) for v, t in instrument_version.scale] + [
            (NOT_APPLICABLE, instrument.NOT_APPLICABLE_LABEL)
        ]
        for item in instrument_version.items:
            self.fields[f"rating_{item['key']}"] = forms.ChoiceField(
                required=False, choices=choices, widget=forms.RadioSelect, label=item["prompt"]
            )

    def ratings(self) -> dict:
        out = {}
        for key in self.keys:
            value = self.cleaned_data.get(f"rating_{key}")
            if value == NOT_APPLICABLE:
                out[key] = None
            elif value:
                out[key] = int(value)
        return out


class ReleaseForm(forms.Form):
    summary = forms.CharField(
        max_length=limits.COMMENT,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Your summary for the learner",
        help_text="The learner reads this with the combined results. Do not quote anyone.",
        error_messages={"required": "Write a summary for the learner before releasing."},
    )


@portfolio_login_required
def round_list(request):
    user = request.user
    if not round_policy.role_may(user, "view"):
        raise Http404("No colleague rounds here.")
    rows = round_policy.visible(user).select_related("learner").order_by("-created_at")[:100]
    context = {"rows": rows, "can_open": round_policy.role_may(user, "open")}
    return render(request, "feedback/rounds/list.html", context)


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def round_new(request):
    user = request.user
    if not invitations.role_may(user, "add"):
        raise PermissionDenied("Only tutors and programme admins open colleague rounds.")
    created = round_ = None
    form = RoundForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            round_, created = services.open_round(
                form.cleaned_data["learner"],
                user,
                form.cleaned_data["title"],
                form.cleaned_data["closes_on"],
                form.email_list() or [""],
                base_url=request.build_absolute_uri("/"),
                via="site",
            )
        except ValidationError as exc:
            _add_service_errors(form, exc, {"email": "emails"})
        else:
            for n, c in enumerate(created, start=1):
                if not c.invitation.email:
                    c.qr_svg = qr.svg(c.url, label=f"QR code of colleague link {n}")
    response = render(
        request, "feedback/rounds/new.html", {"form": form, "created": created, "round": round_}
    )
    if created:
        response["Cache-Control"] = "no-store"
    return response


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def round_detail(request, pk: int):
    user = request.user
    round_ = round_policy.get(user, pk)  # NotFound → 404 outside scope
    is_learner = round_.learner_id == user.pk
    reads_answers = round_policy.may_read_answers(user, round_)
    self_form = release_form = None
    if is_learner and not round_.is_released:
        self_form = SelfAssessmentForm(
            request.POST if request.POST.get("action") == "self" else None,
            instrument_version=round_.instrument,
            initial={"comments": round_.self_comments}
            | {
                f"rating_{k}": ("na" if v is None else str(v)) for k, v in (round_.self_ratings or {}).items()
            },
        )
        if self_form.is_bound and self_form.is_valid():
            try:
                services.self_assess(
                    round_, user, self_form.ratings(), self_form.cleaned_data["comments"], via="site"
                )
            except ValidationError as exc:
                _add_service_errors(self_form, exc, {"ratings": None})
            else:
                return HttpResponseRedirect(portfolio_url("colleague_round", pk=round_.pk) + "?saved=1")
    answers = []
    if reads_answers:
        services.record_read(round_, user, via="site")
        answers = [
            {"feedback": f, "rows": instrument.rows(f.ratings, f.instrument)}
            for f in services.answers(round_).select_related("instrument", "learner")
        ]
        if not round_.is_released and round_policy.can(user, "release", round_):
            release_form = ReleaseForm(request.POST if request.POST.get("action") == "release" else None)
            if release_form.is_bound and release_form.is_valid():
                try:
                    services.release(round_, user, release_form.cleaned_data["summary"], via="site")
                except ValidationError as exc:
                    _add_service_errors(release_form, exc)
                except Conflict as exc:
                    release_form.add_error(None, exc.message)
                else:
                    return HttpResponseRedirect(portfolio_url("colleague_round", pk=round_.pk))
    report = None
    if round_policy.may_see_report(user, round_):
        report = services.report(round_, user)
    context = {
        "round": round_,
        "is_learner": is_learner,
        "progress": services.progress(round_) if reads_answers else None,
        "answers": answers,
        "report": report,
        "self_form": self_form,
        "release_form": release_form,
        "saved": request.GET.get("saved") == "1",
    }
    return render(request, "feedback/rounds/detail.html", context)
