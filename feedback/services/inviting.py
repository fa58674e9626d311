"""Inviting representatives: who may invite for which learner, the invitation's fields, and
the links made (each shown once) and e-mailed after the rows are committed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from portfolio.models import Placement
from reflect import audit, limits
from reflect.errors import NotFound
from reflect.link_tokens import hash_token, new_token
from reflect.notify import Delivery, send_to_addresses
from reflect.people import first_name

from ..models import FeedbackInvitation, RespondentType
from ..policies import invitations
from .instruments import current as current_instrument
from .links import link_days, plain, respond_url

MAX_INVITATIONS_AT_ONCE = 20


# --- Inviting -----------------------------------------------------------------------------
def _check_inviter(learner_id_or_user, by):
    """Return the learner `by` may invite feedback for (`feedback.policies.invitations`).

    Raises:
        PermissionDenied: `by` is neither a tutor nor an admin (their role may never invite).
        NotFound: the learner does not exist, is not a learner, or (for a tutor) is not
            currently allocated to them: out of scope looks exactly like not found.
    """
    if not invitations.role_may(by, "add"):
        raise PermissionDenied(invitations.denied_message(by, "add", None))
    pk = getattr(learner_id_or_user, "pk", learner_id_or_user)
    try:
        learner = invitations.invitable(by).filter(pk=int(pk)).first() if pk else None
    except (TypeError, ValueError):
        learner = None
    if learner is None:
        raise NotFound("No such learner.")
    invitations.require(by, "add", learner, visible=True)
    return learner


def _clean_invitation_fields(
    context_title, occurred_on, emails: list[str]
) -> tuple[str, datetime.date, list]:
    errors: dict[str, list[str]] = {}
    # Lengths of the raw input first: nothing is cleaned that is refused anyway.
    too_long = limits.check(errors, "context_title", context_title, limits.TITLE, "the title")
    title = "" if too_long else plain(context_title)
    if not title and not too_long:
        errors.setdefault("context_title", []).append("Say what the session was about.")
    if isinstance(occurred_on, str):
        try:
            occurred_on = datetime.date.fromisoformat(occurred_on)
        except ValueError:
            occurred_on = None
    if not isinstance(occurred_on, datetime.date):
        errors.setdefault("occurred_on", []).append("Give the date of the session as YYYY-MM-DD.")
    cleaned_emails = []
    for email in emails:
        email = (email or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.setdefault("email", []).append(f"“{email}” is not a valid e-mail address.")
                continue
        cleaned_emails.append(email)
    if not cleaned_emails and "email" not in errors:
        errors.setdefault("email", []).append("Ask for at least one link.")
    if len(cleaned_emails) > MAX_INVITATIONS_AT_ONCE:
        errors.setdefault("email", []).append(f"Invite at most {MAX_INVITATIONS_AT_ONCE} people at once.")
    if errors:
        raise ValidationError(errors)
    return title, occurred_on, cleaned_emails


# Why this person is asked, in the e-mail, by respondent type.
_EMAIL_OPENING = {
    RespondentType.PATIENT: "Thank you for taking part in “{title}” on {date}.",
    RespondentType.CARER: "Thank you for meeting {learner} at “{title}” on {date}, "
    "with the person you look after.",
    RespondentType.COMMUNITY_PARTNER: "Thank you for welcoming {learner} to “{title}” on {date}.",
    RespondentType.PLACEMENT_SUPERVISOR: "Thank you for supervising {learner} on their placement “{title}” "
    "(from {date}).",
    RespondentType.COLLEAGUE: "{learner} has asked colleagues for feedback as part of “{title}”. "
    "Your answers are put together with other colleagues' answers; {learner} sees only the "
    "combined results, never your own answers or your name.",
}


def _sender_name(invitation: FeedbackInvitation) -> str:
    by = invitation.created_by
    return (by.get_full_name() or by.get_username()) if by is not None else "The programme team"


def _send_invitation_email(invitation: FeedbackInvitation, raw_token: str, base_url: str | None) -> Delivery:
    learner = first_name(invitation.learner)
    link = respond_url(raw_token, base_url)
    days = link_days()
    opening = _EMAIL_OPENING.get(invitation.respondent_type, _EMAIL_OPENING[RespondentType.PATIENT]).format(
        learner=learner, title=invitation.context_title, date=date_format(invitation.occurred_on, "j F Y")
    )
    body = (
        "Hello,\n\n"
        f"{opening}\n\n"
        f"{_sender_name(invitation)}, {learner}'s tutor, is asking on their behalf.\n\n"
        f"{learner}, a doctor in training, would value your feedback. It takes about five minutes: "
        "a few short statements and a box for anything you want to say in your own words. "
        "You do not need an account or a password, and you can choose to stay anonymous.\n\n"
        f"Open this link to give your feedback:\n{link}\n\n"
        f"The link works once and for {days} days. Please do not forward it.\n\n"
        "Thank you for helping doctors learn from people's real lives.\n"
    )
    # The link is still shown to the inviter to copy if the mail cannot be sent.
    return send_to_addresses([invitation.email], f"Your feedback on {learner}'s session", body)


def _placement(value):
    """A placement, its id, or None (ValidationError for an unknown id)."""
    if value is None or value == "" or isinstance(value, Placement):
        return value or None
    try:
        found = Placement.objects.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise ValidationError({"placement": ["No such placement."]})
    return found


@dataclass
class CreatedInvitation:
    invitation: FeedbackInvitation
    raw_token: str
    url: str
    delivery: Delivery | None
    qr_svg: str = ""  # set by the site when the link is shown as a QR code

    @property
    def email_sent(self) -> bool:
        """True once the mail went (or is queued to go when the transaction commits)."""
        return self.delivery is not None and self.delivery.sent is not False


def create_invitations(
    learner,
    by,
    context_title: str,
    occurred_on,
    emails: list[str],
    *,
    base_url: str | None = None,
    via: str = "",
    respondent_type: str = RespondentType.PATIENT,
    placement=None,
    round=None,
) -> list[CreatedInvitation]:
    """Invite several representatives to give feedback on one session, each with their own
    link. An empty string in `emails` makes a link without e-mail (to copy and pass on).

    Args:
        learner: the learner (a user or a user id).
        by: the inviter: a tutor currently allocated to the learner, or an admin.
        context_title: what the session was, e.g. "Lived-experience session: living with psychosis".
        occurred_on: the date of the session (a date or "YYYY-MM-DD").
        emails: one entry per link; a valid address gets the link by e-mail.
        base_url: site root for the absolute link (see `respond_url`).
        via: the door ("site", "api", ...), for the audit log.
        respondent_type: who is asked (`RespondentType`); the link asks the current
            instrument of that type, and keeps that version.
        placement: the `portfolio.Placement` this is about, if any (partner reports group by it).
        round: the `ColleagueRound` the links belong to (colleague links only).

    Returns:
        One `CreatedInvitation` per entry, carrying the raw token: show it once, never store it.

    Raises:
        PermissionDenied: `by` may never invite (not a tutor or admin).
        NotFound: the learner is unknown or outside `by`'s scope.
        ValidationError: bad title, date or e-mail (per-field messages); nothing is created.
    """
    learner = _check_inviter(learner, by)
    title, occurred_on, emails = _clean_invitation_fields(context_title, occurred_on, emails)
    instrument = current_instrument(respondent_type)
    placement = _placement(placement)
    if round is not None and (respondent_type != RespondentType.COLLEAGUE or round.learner_id != learner.pk):
        raise ValidationError({"round": ["A round takes colleague links for its own learner only."]})
    expires_at = timezone.now() + datetime.timedelta(days=link_days())
    created: list[tuple[FeedbackInvitation, str]] = []
    with transaction.atomic():
        for email in emails:
            raw = new_token()
            invitation = FeedbackInvitation.objects.create(
                learner=learner,
                created_by=by,
                context_title=title,
                occurred_on=occurred_on,
                email=email,
                token_hash=hash_token(raw),
                expires_at=expires_at,
                respondent_type=respondent_type,
                instrument=instrument,
                placement=placement,
                round=round,
            )
            audit.record(by, "feedback_invite", learner=learner, obj=invitation, via=via, emailed=bool(email))
            created.append((invitation, raw))
    # Mail goes out after the rows are committed; a mail failure leaves the link to be copied.
    results = []
    for invitation, raw in created:
        delivery = _send_invitation_email(invitation, raw, base_url) if invitation.email else None
        results.append(CreatedInvitation(invitation, raw, respond_url(raw, base_url), delivery))
    return results


def create_invitation(
    learner,
    by,
    context_title: str,
    occurred_on,
    email: str = "",
    *,
    base_url: str | None = None,
    via: str = "",
    respondent_type: str = RespondentType.PATIENT,
    placement=None,
    round=None,
) -> tuple[FeedbackInvitation, str]:
    """Invite one representative (see `create_invitations` for the rules).

    Returns:
        ``(invitation, raw_token)``; the raw token is not stored anywhere.

    Raises:
        PermissionDenied, NotFound, ValidationError: as `create_invitations`.
    """
    result = create_invitations(
        learner,
        by,
        context_title,
        occurred_on,
        [email or ""],
        base_url=base_url,
        via=via,
        respondent_type=respondent_type,
        placement=placement,
        round=round,
    )[0]
    result.invitation.email_sent = result.email_sent
    return result.invitation, result.raw_token
