"""Site screens for patient-representative feedback.

Public (no login, outside the portfolio page, mounted by `arcp.urls` through
`feedback.public_urls`):
- ``/feedback/<token>/`` (``feedback_respond``): the representative's page; no JavaScript needed;
- ``/feedback/thanks/`` (``feedback_thanks``): the thank-you page.
Under the portfolio page (`feedback.site_urls`, at ``/portfolio/feedback/``):
- ``feedback_list``: feedback received, for the learner and everyone with them in scope;
- ``feedback_invite``: a tutor or admin creates links and sees each one once.

Every rule lives in `feedback.services`; these views only translate to and from HTML.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from feedback import instrument, policies, qr
from feedback import services as services
from feedback.models import Feedback, Instrument, RespondentType
from feedback.policies import invitations
from portfolio.models import Placement
from portfolio.policies import learners
from portfolio.views.common import portfolio_login_required, render
from reflect import audit, limits
from reflect.errors import Gone, NotFound
from reflect.people import display_name

NOT_APPLICABLE = "na"
# Why the person is asked, on the public page, by respondent type.
INTRO = {
    "patient": "{name} is a doctor in training. Your views help them learn to care for people as "
    "whole people, not only their illness.",
    "carer": "{name} is a doctor in training. Carers know things nobody else does; your views help "
    "them learn to work with you.",
    "community_partner": "{name} is a doctor in training. Your views help them learn what your "
    "organisation and the people you work with need from doctors.",
    "placement_supervisor": "{name} is a doctor in training who spent time with your organisation. "
    "Tell us what you saw: you know best what they did there.",
    "colleague": "{name} is a doctor in training and has asked colleagues for feedback. Your answers "
    "are combined with other colleagues' answers: {name} sees only the combined results, never your "
    "own answers or your name.",
}


# --- Forms --------------------------------------------------------------------------------
class RespondForm(forms.Form):
    """The representative's answers. Each statement is optional (skip it, or choose "Does
    not apply"); the service decides what is acceptable."""

    comments = forms.CharField(
        required=False,
        # Refused here, before anything cleans it (issue #13); the service checks again.
        max_length=services.MAX_COMMENTS,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Anything else you would like to say",
        help_text="In your own words. Please do not include anyone's full name or address.",
    )
    respondent_role = forms.ChoiceField(
        choices=Feedback.RespondentRole.choices,
        widget=forms.RadioSelect,
        label="How did you take part?",
        error_messages={"required": "Choose how you took part."},
    )
    anonymous = forms.BooleanField(required=False, label="Give my feedback anonymously")
    respondent_name = forms.CharField(
        required=False,
        max_length=limits.NAME,
        label="Your name (optional)",
        help_text="Leave this empty to stay anonymous. We do not keep it if you tick the box above.",
    )

    def __init__(self, *args, instrument_version: Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument_version
        choices = [(str(v), text) for v, text in instrument_version.scale] + [
            (NOT_APPLICABLE, instrument.NOT_APPLICABLE_LABEL)
        ]
        self.keys = instrument_version.keys
        for it in instrument_version.items:
            self.fields[f"rating_{it['key']}"] = forms.ChoiceField(
                required=False, choices=choices, widget=forms.RadioSelect, label=it["prompt"]
            )
        roles = dict(Feedback.RespondentRole.choices)
        self.fields["respondent_role"].choices = [(r, roles.get(r, r)) for r in instrument_version.roles]

    def rating_fields(self):
        return [self[f"rating_{key}"] for key in self.keys]

    def ratings(self) -> dict:
        out = {}
        for key in self.keys:
            value = self.cleaned_data.get(f"rating_{key}")
            if value == NOT_APPLICABLE:
                out[key] = None
            elif value:
                out[key] = int(value)
        return out


def _add_service_errors(form: forms.Form, exc: ValidationError, field_map: dict | None = None) -> None:
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            target = field_map.get(field, field)
            form.add_error(target if target in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


def _public(response):
    """Headers for pages that carry a token in their URL: never cached, never indexed, and the
    token is not leaked to other sites through the Referer header. ("same-origin", not
    "no-referrer": with no-referrer browsers send `Origin: null` on the form POST and Django's
    CSRF check refuses it.)"""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _too_many(request, exc: services.TooManyGuesses):
    minutes = max(1, round(exc.retry_after / 60))
    response = render(request, "feedback/slow_down.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return _public(response)


def _gone(request, exc: Gone):
    context = {"message": exc.message, "expired": exc.message == services.GONE_EXPIRED}
    return _public(render(request, "feedback/gone.html", context, status=410))


def _not_found(request):
    return _public(render(request, "feedback/not_found.html", status=404))


# --- Public pages -------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def respond(request, token: str):
    """The representative's page: GET shows the statements, POST stores the answers once."""
    try:
        invitation = services.guarded_lookup(request, token, services.invitation_for_token)
    except services.TooManyGuesses as exc:
        return _too_many(request, exc)
    except NotFound:
        return _not_found(request)
    except Gone as exc:
        return _gone(request, exc)

    if request.method == "POST":
        form = RespondForm(request.POST, instrument_version=invitation.instrument)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.submit_feedback(
                    token,
                    form.ratings(),
                    data["comments"],
                    data["anonymous"],
                    data["respondent_role"],
                    data["respondent_name"],
                    via="site",
                )
            except Gone as exc:
                return _gone(request, exc)
            except NotFound:
                return _not_found(request)
            except ValidationError as exc:
                _add_service_errors(form, exc, {"ratings": None})
            else:
                return _public(HttpResponseRedirect(reverse("feedback_thanks")))
    else:
        form = RespondForm(instrument_version=invitation.instrument)
    learner_name = services.learner_first_name(invitation)
    context = {
        "form": form,
        "learner_name": learner_name,
        "invitation": invitation,
        "instrument": invitation.instrument,
        "question": invitation.instrument.question.replace("{name}", learner_name),
        "intro": INTRO.get(invitation.respondent_type, INTRO["patient"]).format(name=learner_name),
        "expires_at": invitation.expires_at,
    }
    return _public(render(request, "feedback/respond.html", context))


@never_cache
def thanks(request):
    return _public(render(request, "feedback/thanks.html"))


# --- Portfolio screens --------------------------------------------------------------------
def invitable_learners(user):
    """Learners `user` may invite feedback for (`feedback.policies.invitations`), by name."""
    return invitations.invitable(user).order_by("last_name", "first_name", "username")


class LearnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


class RecipientsMixin:
    """The people a form invites: its `emails` box (one per line or comma-separated), then one
    link without e-mail per `extra_links` (an empty string each)."""

    def email_list(self) -> list[str]:
        raw = self.cleaned_data.get("emails") or ""
        emails = [part.strip() for line in raw.splitlines() for part in line.split(",") if part.strip()]
        return emails + [""] * (self.cleaned_data.get("extra_links") or 0)


class InviteForm(RecipientsMixin, forms.Form):
    learner = LearnerChoiceField(
        queryset=get_user_model().objects.none(),
        label="Learner",
        empty_label="Choose a learner",
        error_messages={"required": "Choose the learner.", "invalid_choice": "Choose one of your learners."},
    )
    context_title = forms.CharField(
        max_length=limits.TITLE,
        label="What was the session?",
        help_text="The representative sees this, e.g. “Lived-experience session: living with psychosis”.",
        error_messages={"required": "Say what the session was about."},
    )
    occurred_on = forms.DateField(
        label="Date of the session",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give the date of the session.", "invalid": "Give a real date."},
    )
    emails = forms.CharField(
        required=False,
        max_length=limits.COMMENT,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="E-mail addresses",  # the field template adds "(optional)"
        help_text="One per line. Each person gets their own link by e-mail.",
    )
    respondent_type = forms.ChoiceField(
        choices=RespondentType.choices,
        initial=RespondentType.PATIENT,
        required=False,  # patient, as before types existed
        label="Who are you asking?",
        help_text="Each kind of person answers their own short set of statements.",
    )
    placement = forms.ModelChoiceField(
        queryset=Placement.objects.all(),
        required=False,
        label="Placement",
        empty_label="Not about a placement",
        help_text="Choose it if this is about a placement; partner reports count it there.",
    )
    extra_links = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=services.MAX_INVITATIONS_AT_ONCE,
        initial=0,
        label="Links without e-mail",
        help_text="How many links to show you now, to copy and pass on yourself.",
    )
    show_qr = forms.BooleanField(
        required=False,
        label="Show each link without e-mail once as a QR code",
        help_text="For in-person use: the person scans the code on your screen with their phone.",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["learner"].queryset = invitable_learners(user)


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def invite(request):
    """A tutor (allocated learners) or admin invites representatives; the links are shown
    once, on the response to the POST, and never again."""
    user = request.user
    if not invitations.role_may(user, "add"):
        raise PermissionDenied("Only tutors and programme admins invite feedback.")
    created = None
    if request.method == "POST":
        form = InviteForm(request.POST, user=user)
        if form.is_valid():
            try:
                created = services.create_invitations(
                    form.cleaned_data["learner"],
                    user,
                    form.cleaned_data["context_title"],
                    form.cleaned_data["occurred_on"],
                    form.email_list(),
                    base_url=request.build_absolute_uri("/"),
                    via="site",
                    respondent_type=form.cleaned_data["respondent_type"] or RespondentType.PATIENT,
                    placement=form.cleaned_data["placement"],
                )
            except ValidationError as exc:
                _add_service_errors(form, exc, {"email": "emails"})
            except NotFound:
                form.add_error("learner", "Choose one of your learners.")
            else:
                if form.cleaned_data["show_qr"]:
                    for n, c in enumerate(created, start=1):
                        if not c.invitation.email:
                            c.qr_svg = qr.svg(c.url, label=f"QR code of feedback link {n}")
    else:
        initial = {}
        learner_id = request.GET.get("learner")
        if learner_id and learner_id.isdigit():
            initial["learner"] = learner_id
        form = InviteForm(initial=initial, user=user)
    recent = invitations.visible(user).filter(created_by=user).with_status().select_related("learner")[:20]
    context = {"form": form, "created": created, "recent": recent, "link_days": services.link_days()}
    response = render(request, "feedback/invite.html", context)
    if created:
        response["Cache-Control"] = "no-store"
    return response


@portfolio_login_required
def feedback_list(request):
    """Feedback received: the learner's own, or every learner's in the viewer's scope.
    `?learner=<id>` narrows to one learner (404 if out of scope). Withdrawn feedback is
    shown to admins only, marked as withdrawn."""
    user = request.user
    if not policies.feedback.role_may(user, "view"):
        raise Http404("No feedback here.")
    qs = policies.feedback.visible(user).select_related("learner", "withdrawn_by", "instrument")
    learner = None
    learner_id = request.GET.get("learner")
    if learner_id:
        if not learner_id.isdigit():
            raise Http404("No such learner.")
        learner = learners.get(user, learner_id)
        qs = qs.filter(learner=learner)
    items = list(qs[:200])
    audit.record_reads(user, items, via="site")
    entries = [{"feedback": f, "rows": instrument.rows(f.ratings, f.instrument)} for f in items]
    can_invite = invitations.role_may(user, "add")
    context = {
        "entries": entries,
        "learner": learner,
        "can_invite": can_invite,
        "is_admin": policies.feedback.role_may(user, "withdraw"),
    }
    return render(request, "feedback/list.html", context)
