"""Patient-representative feedback: the one door for invitations, answers and withdrawals.

The site, the API, the Wagtail admin and seed_demo all call these functions, so the rules
(who may invite, token strength, single use, expiry, plain-text comments, anonymity, audit)
hold whichever door is used.

Tokens: ``secrets.token_urlsafe(32)`` (256 random bits). Only its SHA-256 (hex) is stored, so
a database leak reveals no working link; the raw token exists only in the e-mail and on the
inviter's screen once.

By concern:

- `links`: tokens, their hashes and public URLs, and the limiter on guessing them;
- `inviting`: who may invite, the invitation's fields, the links made and e-mailed;
- `answers`: opening a link, checking and storing an answer (once), and withdrawal.
"""

from reflect.link_tokens import TOKEN_BYTES, hash_token, new_token

from . import instruments
from .answers import (
    GONE_EXPIRED,
    GONE_ROUND_CLOSED,
    GONE_USED,
    MAX_COMMENTS,
    clean_answers,
    invitation_for_token,
    learner_first_name,
    submit_feedback,
    withdraw,
)
from .inviting import MAX_INVITATIONS_AT_ONCE, CreatedInvitation, create_invitation, create_invitations
from .links import (
    TooManyGuesses,
    check_guess_limit,
    client_ip,
    guarded_lookup,
    link_days,
    plain,
    record_failed_lookup,
    respond_path,
    respond_url,
)

__all__ = [
    "GONE_EXPIRED",
    "GONE_ROUND_CLOSED",
    "GONE_USED",
    "MAX_COMMENTS",
    "MAX_INVITATIONS_AT_ONCE",
    "TOKEN_BYTES",
    "instruments",
    "CreatedInvitation",
    "TooManyGuesses",
    "check_guess_limit",
    "clean_answers",
    "client_ip",
    "create_invitation",
    "create_invitations",
    "guarded_lookup",
    "hash_token",
    "invitation_for_token",
    "learner_first_name",
    "link_days",
    "new_token",
    "plain",
    "record_failed_lookup",
    "respond_path",
    "respond_url",
    "submit_feedback",
    "withdraw",
]
