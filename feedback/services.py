"""Patient-representative feedback: the one door for invitations, answers and withdrawals.

The site, the API, the Wagtail admin and seed_demo all call these functions, so the rules
(who may invite, token strength, single use, expiry, plain-text comments, anonymity, audit)
hold whichever door is used.

Tokens: ``secrets.token_urlsafe(32)`` (256 random bits). Only its SHA-256 (hex) is stored, so
a database leak reveals no working link; the raw token exists only in the e-mail and on the
inviter's screen once.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import math
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from feedback import instrument, policies
from feedback.models import Feedback, FeedbackInvitation
from feedback.policies import invitations
from reflect import audit, http, limits
from reflect.errors import Gone, NotFound
from reflect.notify import Delivery, send_to_addresses
from reflect.people import first_name
from reflect.sanitize import to_plain_text

log = logging.getLogger(__name__)

TOKEN_BYTES = 32  # 256 bits; the design asks for at least 128.
MAX_COMMENTS = limits.FEEDBACK_COMMENTS
MAX_INVITATIONS_AT_ONCE = 20
GONE_USED = "This feedback link has already been used. Thank you: your feedback has been received."
GONE_EXPIRED = "This feedback link has expired."


def plain(text) -> str:
    """Plain text through the one sanitiser (`to_plain_text`, which also defuses a ``<`` that
    could still open a tag)."""
    return to_plain_text(text or "")


# --- Tokens -------------------------------------------------------------------------------
def new_token() -> str:
    """A fresh URL-safe random token (256 bits of entropy, 43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(raw: str) -> str:
    """The SHA-256 hex digest stored in `FeedbackInvitation.token_hash`."""
    return hashlib.sha256(str(raw).encode("utf-8")).hexdigest()


def link_days() -> int:
    return int(getattr(settings, "FEEDBACK_LINK_DAYS", 14))


def respond_path(raw_token: str) -> str:
    """The public page of a link, e.g. ``/feedback/<token>/`` (no login needed)."""
    return reverse("feedback_respond", args=[raw_token])


def respond_url(raw_token: str, base_url: str | None = None) -> str:
    """Absolute URL of the public page. `base_url` is the site root the person uses (a view
    passes ``request.build_absolute_uri("/")``); without one, `FEEDBACK_BASE_URL` or
    `WAGTAILADMIN_BASE_URL` from settings."""
    base = base_url or getattr(settings, "FEEDBACK_BASE_URL", "") or settings.WAGTAILADMIN_BASE_URL
    return base.rstrip("/") + respond_path(raw_token)


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


def _send_invitation_email(invitation: FeedbackInvitation, raw_token: str, base_url: str | None) -> Delivery:
    learner = first_name(invitation.learner)
    link = respond_url(raw_token, base_url)
    days = link_days()
    body = (
        "Hello,\n\n"
        f"Thank you for taking part in “{invitation.context_title}” "
        f"on {date_format(invitation.occurred_on, 'j F Y')}.\n\n"
        f"{learner}, a doctor in training, would value your feedback. It takes about five minutes: "
        "a few short statements and a box for anything you want to say in your own words. "
        "You do not need an account or a password, and you can choose to stay anonymous.\n\n"
        f"Open this link to give your feedback:\n{link}\n\n"
        f"The link works once and for {days} days. Please do not forward it.\n\n"
        "Thank you for helping doctors learn from people's real lives.\n"
    )
    # The link is still shown to the inviter to copy if the mail cannot be sent.
    return send_to_addresses([invitation.email], f"Your feedback on {learner}'s session", body)


@dataclass
class CreatedInvitation:
    invitation: FeedbackInvitation
    raw_token: str
    url: str
    delivery: Delivery | None

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

    Returns:
        One `CreatedInvitation` per entry, carrying the raw token: show it once, never store it.

    Raises:
        PermissionDenied: `by` may never invite (not a tutor or admin).
        NotFound: the learner is unknown or outside `by`'s scope.
        ValidationError: bad title, date or e-mail (per-field messages); nothing is created.
    """
    learner = _check_inviter(learner, by)
    title, occurred_on, emails = _clean_invitation_fields(context_title, occurred_on, emails)
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
) -> tuple[FeedbackInvitation, str]:
    """Invite one representative (see `create_invitations` for the rules).

    Returns:
        ``(invitation, raw_token)``; the raw token is not stored anywhere.

    Raises:
        PermissionDenied, NotFound, ValidationError: as `create_invitations`.
    """
    result = create_invitations(
        learner, by, context_title, occurred_on, [email or ""], base_url=base_url, via=via
    )[0]
    result.invitation.email_sent = result.email_sent
    return result.invitation, result.raw_token


# --- Answering ----------------------------------------------------------------------------
def _lookup(raw_token) -> FeedbackInvitation:
    if not raw_token or not isinstance(raw_token, str) or len(raw_token) > 200:
        raise NotFound("No such feedback link.")
    invitation = (
        FeedbackInvitation.objects.select_related("learner").filter(token_hash=hash_token(raw_token)).first()
    )
    if invitation is None:
        raise NotFound("No such feedback link.")
    return invitation


def invitation_for_token(raw_token: str) -> FeedbackInvitation:
    """The open invitation a raw token belongs to.

    Raises:
        NotFound: no invitation has this token.
        Gone: the link was used (message `GONE_USED`) or has expired (`GONE_EXPIRED`).
    """
    invitation = _lookup(raw_token)
    status = invitation.status
    if status == FeedbackInvitation.Status.USED:
        raise Gone(GONE_USED)
    if status == FeedbackInvitation.Status.EXPIRED:
        raise Gone(GONE_EXPIRED)
    return invitation


def clean_answers(ratings, comments, anonymous, respondent_role, respondent_name="") -> dict:
    """Validate and normalise an answer without storing it.

    Returns:
        ``{"ratings", "comments", "anonymous", "respondent_role", "respondent_name"}`` with
        comments and name as plain text; the name is dropped when anonymous.

    Raises:
        ValidationError: per-field messages (``ratings``, ``comments``, ``respondent_role``,
            ``respondent_name``, ``anonymous``, or ``__all__``).
    """
    errors: dict[str, list[str]] = {}
    clean_ratings: dict[str, int | None] = {}
    if ratings is None:
        ratings = {}
    if not isinstance(ratings, dict):
        errors["ratings"] = ["Send the ratings as an object of statement key → 1–5 or null."]
    else:
        allowed = ", ".join(str(v) for v in instrument.SCALE_VALUES)
        for key, value in ratings.items():
            if key not in instrument.KEYS:
                errors.setdefault("ratings", []).append(f"“{key}” is not one of the statements.")
            elif value is None:
                clean_ratings[key] = None
            elif (
                isinstance(value, bool) or not isinstance(value, int) or value not in instrument.SCALE_VALUES
            ):
                errors.setdefault("ratings", []).append(
                    f"“{key}”: {value!r} is not on the scale ({allowed}, or null for “does not apply”)."
                )
            else:
                clean_ratings[key] = value
    raw = comments if isinstance(comments, str) else "" if comments is None else str(comments)
    # The length is checked on what was sent, before anything cleans it (issue #13: cleaning
    # first let one request hold a CPU, and the link stayed open for the next).
    if len(raw) > MAX_COMMENTS:
        errors["comments"] = [
            f"Keep your comments to {MAX_COMMENTS:,} characters or fewer (you wrote {len(raw):,})."
        ]
    text = "" if "comments" in errors else plain(raw)
    if not isinstance(anonymous, bool):
        errors["anonymous"] = ["Say true or false."]
    if respondent_role not in Feedback.RespondentRole.values:
        choices = ", ".join(Feedback.RespondentRole.values)
        errors["respondent_role"] = [f"Choose how you took part ({choices})."]
    name = "" if anonymous is True else respondent_name
    if limits.too_long(name, limits.NAME):
        errors["respondent_name"] = [f"Keep your name to {limits.NAME} characters or fewer."]
    else:
        name = plain(name)
    if not errors and not text and not clean_ratings:
        errors["__all__"] = ["Answer at least one statement or write a comment."]
    if errors:
        raise ValidationError(errors)
    return {
        "ratings": clean_ratings,
        "comments": text,
        "anonymous": anonymous,
        "respondent_role": respondent_role,
        "respondent_name": name,
    }


def submit_feedback(
    raw_token: str,
    ratings: dict,
    comments: str,
    anonymous: bool,
    respondent_role: str,
    respondent_name: str = "",
    *,
    via: str = "",
) -> Feedback:
    """Store a representative's answer and spend the link, exactly once.

    The link is marked used by one conditional UPDATE (``used_at IS NULL AND expires_at >
    now``) inside the transaction; only the request that changed that row creates the
    Feedback, so two simultaneous submissions store one answer (the OneToOne on
    `Feedback.invitation` is the backstop).

    Args:
        raw_token: the token from the link.
        ratings: ``{key: 1..5 or None}``; keys from `feedback.instrument` (missing = not answered).
        comments: free text; all markup is stripped (`portfolio.sanitize.to_plain_text`).
        anonymous: if true, the name is not stored.
        respondent_role: one of `Feedback.RespondentRole`.
        respondent_name: optional; ignored when anonymous.
        via: the door ("site", "api"), for the audit log.

    Returns:
        The stored Feedback.

    Raises:
        NotFound: unknown token.
        Gone: the link was used or has expired (also when another submission won the race).
        ValidationError: bad answers (per-field messages); nothing is stored, the link stays open.
    """
    invitation = invitation_for_token(raw_token)
    data = clean_answers(ratings, comments, anonymous, respondent_role, respondent_name)
    try:
        with transaction.atomic():
            now = timezone.now()
            spent = FeedbackInvitation.objects.filter(
                pk=invitation.pk, used_at__isnull=True, expires_at__gt=now
            ).update(used_at=now)
            if spent != 1:
                raise Gone(GONE_USED)
            feedback = Feedback.objects.create(
                invitation=invitation,
                learner=invitation.learner,
                context_title=invitation.context_title,
                occurred_on=invitation.occurred_on,
                **data,
            )
            audit.record(None, "feedback_submit", learner=invitation.learner, obj=feedback, via=via)
    except IntegrityError:
        raise Gone(GONE_USED) from None
    return feedback


# --- Withdrawal ---------------------------------------------------------------------------
def withdraw(feedback: Feedback, by_admin, reason: str, *, via: str = "admin") -> Feedback:
    """Hide abusive feedback from everyone but admins. Nothing is deleted.

    Args:
        feedback: the feedback to withdraw.
        by_admin: a programme admin.
        reason: why (required; stored as plain text and in the audit log).
        via: the door, for the audit log.

    Returns:
        The feedback, withdrawn.

    Raises:
        NotFound: `by_admin` may not see this feedback.
        PermissionDenied: `by_admin` is not an admin.
        ValidationError: no reason given, or one longer than `limits.COMMENT` (``{"reason": [...]}``).
        Conflict: it was already withdrawn.
    """
    policies.feedback.require(by_admin, "withdraw", feedback)
    limits.require("reason", reason, limits.COMMENT, "the reason")
    text = plain(reason)
    if not text:
        raise ValidationError({"reason": ["Give the reason for withdrawing this feedback."]})
    with transaction.atomic():
        locked = Feedback.objects.select_for_update().get(pk=feedback.pk)
        policies.feedback.require(by_admin, "withdraw", locked, visible=True)
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = by_admin
        locked.withdrawal_reason = text
        locked.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        audit.record(by_admin, "feedback_withdraw", learner=locked.learner, obj=locked, via=via, reason=text)
    return locked


# --- Guessing limiter ---------------------------------------------------------------------
class TooManyGuesses(Exception):
    """Too many failed link lookups from one address; `retry_after` is in seconds."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"Too many attempts; try again in {retry_after} seconds.")


def _limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "FEEDBACK_GUESS_LIMIT", 20)),
        int(getattr(settings, "FEEDBACK_GUESS_WINDOW", 600)),
    )


def client_ip(request) -> str:
    """The client's address (`reflect.http.client_ip`: REMOTE_ADDR, or behind
    `TRUSTED_PROXY_COUNT` proxies the address the outermost one saw)."""
    return http.client_ip(request) or "unknown"


def _key(ip: str) -> str:
    return "feedback-guess:" + hashlib.sha256(ip.encode()).hexdigest()[:32]


def check_guess_limit(ip: str) -> None:
    """Refuse an address that failed too many lookups in the current window.

    Raises:
        TooManyGuesses: with the seconds left in the window.
    """
    limit, window = _limits()
    state = cache.get(_key(ip))
    if state and state[0] >= limit:
        retry = max(1, math.ceil(state[1] + window - time.time()))
        raise TooManyGuesses(retry)


def record_failed_lookup(ip: str) -> None:
    """Count a lookup of an unknown token against `ip` (window starts at the first failure)."""
    limit, window = _limits()
    key = _key(ip)
    now = time.time()
    state = cache.get(key)
    if not state or state[1] + window <= now:
        state = (0, now)
    state = (state[0] + 1, state[1])
    cache.set(key, state, timeout=max(1, math.ceil(state[1] + window - now)))


def guarded_lookup(request, raw_token: str, fn, *args, **kwargs):
    """Run `fn(raw_token, ...)` for a public request, counting unknown tokens against the
    client's address. Both doors (site page and API) go through here.

    Raises:
        TooManyGuesses: the address is over the limit (before any lookup is made).
        NotFound, Gone, ValidationError: whatever `fn` raises.
    """
    ip = client_ip(request)
    check_guess_limit(ip)
    try:
        return fn(raw_token, *args, **kwargs)
    except NotFound:
        record_failed_lookup(ip)
        raise


def learner_first_name(invitation: FeedbackInvitation) -> str:
    """What the representative sees of the learner: the first name only."""
    return first_name(invitation.learner)
