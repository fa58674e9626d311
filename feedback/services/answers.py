"""Answers: opening a link, checking an answer and storing it (the link is spent exactly once),
what the representative sees of the learner, and an admin's withdrawal of abusive feedback."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from reflect import audit, limits
from reflect.errors import Gone, NotFound
from reflect.link_tokens import hash_token
from reflect.people import first_name

from .. import policies
from ..models import Feedback, FeedbackInvitation, Instrument
from .links import plain

MAX_COMMENTS = limits.FEEDBACK_COMMENTS
GONE_USED = "This feedback link has already been used. Thank you: your feedback has been received."
GONE_EXPIRED = "This feedback link has expired."
GONE_ROUND_CLOSED = (
    "This round of colleague feedback has closed, so the link no longer works. Thank you all the same."
)


# --- Answering ----------------------------------------------------------------------------
def _lookup(raw_token) -> FeedbackInvitation:
    if not raw_token or not isinstance(raw_token, str) or len(raw_token) > 200:
        raise NotFound("No such feedback link.")
    invitation = (
        FeedbackInvitation.objects.select_related("learner", "instrument", "round")
        .filter(token_hash=hash_token(raw_token))
        .first()
    )
    if invitation is None:
        raise NotFound("No such feedback link.")
    return invitation


def invitation_for_token(raw_token: str) -> FeedbackInvitation:
    """The open invitation a raw token belongs to.

    Raises:
        NotFound: no invitation has this token.
        Gone: the link was used (message `GONE_USED`), has expired (`GONE_EXPIRED`), or
            belongs to a colleague round that has closed (`GONE_ROUND_CLOSED`).
    """
    invitation = _lookup(raw_token)
    status = invitation.status
    if status == FeedbackInvitation.Status.USED:
        raise Gone(GONE_USED)
    if status == FeedbackInvitation.Status.EXPIRED:
        raise Gone(GONE_EXPIRED)
    if invitation.round is not None and invitation.round.is_closed:
        raise Gone(GONE_ROUND_CLOSED)
    return invitation


def clean_answers(
    ratings, comments, anonymous, respondent_role, respondent_name="", instrument: Instrument | None = None
) -> dict:
    """Validate and normalise an answer without storing it, against `instrument` (the link's
    version; the current patient instrument if None): its statement keys, its scale and the
    roles it offers.

    Returns:
        ``{"ratings", "comments", "anonymous", "respondent_role", "respondent_name"}`` with
        comments and name as plain text; the name is dropped when anonymous.

    Raises:
        ValidationError: per-field messages (``ratings``, ``comments``, ``respondent_role``,
            ``respondent_name``, ``anonymous``, or ``__all__``).
    """
    if instrument is None:
        instrument = Instrument.objects.current("patient")
    keys, values = set(instrument.keys), instrument.scale_values
    errors: dict[str, list[str]] = {}
    clean_ratings: dict[str, int | None] = {}
    if ratings is None:
        ratings = {}
    if not isinstance(ratings, dict):
        errors["ratings"] = ["Send the ratings as an object of statement key → 1–5 or null."]
    else:
        allowed = ", ".join(str(v) for v in values)
        for key, value in ratings.items():
            if key not in keys:
                errors.setdefault("ratings", []).append(f"“{key}” is not one of the statements.")
            elif value is None:
                clean_ratings[key] = None
            elif isinstance(value, bool) or not isinstance(value, int) or value not in values:
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
    if respondent_role not in instrument.roles:
        choices = ", ".join(instrument.roles)
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
        ratings: ``{key: value or None}``; keys and values of the link's instrument version
            (missing = not answered).
        comments: free text; all markup is stripped (`portfolio.sanitize.to_plain_text`).
        anonymous: if true, the name is not stored.
        respondent_role: one of the roles the link's instrument offers.
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
    data = clean_answers(
        ratings, comments, anonymous, respondent_role, respondent_name, instrument=invitation.instrument
    )
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
                respondent_type=invitation.respondent_type,
                instrument=invitation.instrument,
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


def learner_first_name(invitation: FeedbackInvitation) -> str:
    """What the representative sees of the learner: the first name only."""
    return first_name(invitation.learner)
