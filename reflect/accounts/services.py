"""Account services: invitations, API-token revocation, and who must use two-factor sign-in.

Invitations. A person the programme creates (CSV import, the Wagtail admin, the command line)
gets an e-mail with a one-time link to choose their password. Tokens are
``secrets.token_urlsafe(32)`` (256 random bits); only their SHA-256 is stored. A link works
once, for `INVITATION_DAYS` (default 7) days; a new invitation withdraws the earlier ones. The
e-mail is sent after the transaction that created the person commits (`transaction.on_commit`),
so a rolled-back import sends nothing.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from reflect import audit, errors, tokens
from reflect import roles as R
from reflect.link_tokens import hash_token, new_token
from reflect.models import Invitation
from reflect.notify import one_line
from reflect.people import display_name

log = logging.getLogger(__name__)


# --- API tokens -------------------------------------------------------------------------------
def revoke_api_tokens(user) -> int:
    """End every API token of `user` ("sign out everywhere", a password reset or change:
    changing the password revokes them anyway, through `reflect.tokens`' save signals).

    Args:
        user: the person whose tokens end.

    Returns:
        How many tokens were removed.
    """
    return tokens.revoke_all(user, reason="signed out everywhere or password reset", actor=user, via="site")


def sign_out_everywhere(request, user) -> int:
    """End every session of `user` (this one too) and their API tokens.

    Sessions are those recorded at sign-in (allauth.usersessions). Audited.

    Returns:
        How many other sessions were ended.
    """

    ended = 0
    current = getattr(getattr(request, "session", None), "session_key", None)
    for session in UserSession.objects.filter(user_id=user.pk):
        if session.session_key != current:
            session.end()
            ended += 1
    tokens = revoke_api_tokens(user)
    audit.record(user, "sign_out_everywhere", via="site", sessions=ended, tokens=tokens)
    get_adapter(request).logout(request)
    return ended


# --- Two-factor sign-in -------------------------------------------------------------------
def mfa_required(user) -> bool:
    """Whether `user` must sign in with a second factor: `REQUIRE_MFA_FOR_STAFF` is on and they
    hold a role in `MFA_REQUIRED_ROLES` (default admin and examiner; superusers hold admin)."""
    if not getattr(settings, "REQUIRE_MFA_FOR_STAFF", False):
        return False
    if user is None or not user.is_authenticated:
        return False
    required = set(getattr(settings, "MFA_REQUIRED_ROLES", [R.ADMIN, R.EXAMINER]))
    return bool(required & set(R.roles_of(user)))


def second_factors():
    """The authenticators that count as a second factor: an authenticator app (TOTP), or a
    security key should those be enabled; recovery codes alone do not count."""

    return Authenticator.objects.filter(type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])


def has_second_factor(user) -> bool:
    """Whether `user` has set up two-factor sign-in. The API's token authentication reads it
    with the token (`_has_second_factor`), saving a query per request."""
    cached = getattr(user, "_has_second_factor", None)
    if cached is not None:
        return cached
    return second_factors().filter(user=user).exists()


def lacks_required_second_factor(user) -> bool:
    """True when `user` must use two-factor sign-in and has not set it up yet."""
    return mfa_required(user) and not has_second_factor(user)


def verify_second_factor(user, code: str) -> bool:
    """Check a code from `user`'s authenticator app, or one of their unused recovery codes
    (which is then used up). Used by the API token endpoint.

    Args:
        user: the person signing in.
        code: what they typed (spaces are ignored).

    Returns:
        True when the code is right.
    """

    code = "".join(str(code or "").split())
    if not code or len(code) > 64:
        return False
    for authenticator in Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    ):
        if authenticator.wrap().validate_code(code):
            authenticator.record_usage()
            return True
    return False


# --- Invitations: tokens and links ---------------------------------------------------------
def invitation_days() -> int:
    return int(getattr(settings, "INVITATION_DAYS", 7))


def site_base_url(request=None) -> str:
    """The site's root URL for e-mailed links: the request's, else `SITE_BASE_URL`, else
    `WAGTAILADMIN_BASE_URL`."""
    if request is not None:
        return request.build_absolute_uri("/")
    return getattr(settings, "SITE_BASE_URL", "") or settings.WAGTAILADMIN_BASE_URL


def invitation_url(raw_token: str, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("reflect_invitation", args=[raw_token])


# --- Invitations: sending ------------------------------------------------------------------
@dataclass
class SentInvitation:
    invitation: Invitation
    raw_token: str
    link: str


def can_be_invited(user) -> str | None:
    """Why `user` cannot be invited, or None when they can."""
    if not user.is_active:
        return "This account is inactive: activate it before sending an invitation."
    if not (user.email or "").strip():
        return "This person has no e-mail address: add one before sending an invitation."
    return None


@transaction.atomic
def invite(user, *, by=None, request=None, send: bool = True, via: str = "admin") -> SentInvitation:
    """Send `user` a fresh invitation to choose their password; earlier links stop working.

    The e-mail goes out when the surrounding transaction commits.

    Args:
        user: the person (active, with an e-mail address).
        by: who invites (recorded), or None for the system.
        request: the current request, for the link's address (else `SITE_BASE_URL`).
        send: False records the invitation without e-mailing it (demo data); "resend" sends one.
        via: the door, for the audit log ("admin", "import", "command", "demo").

    Returns:
        The invitation, its raw token (never stored) and the link.

    Raises:
        ValidationError: the person is inactive or has no e-mail address.
    """
    reason = can_be_invited(user)
    if reason:
        raise ValidationError(reason)
    now = timezone.now()
    Invitation.objects.filter(user=user).waiting().update(withdrawn_at=now)
    raw = new_token()
    invitation = Invitation.objects.create(
        user=user,
        token_hash=hash_token(raw),
        email=user.email.strip(),
        created_by=by if by is not None and getattr(by, "is_authenticated", False) else None,
        expires_at=now + datetime.timedelta(days=invitation_days()),
    )
    link = invitation_url(raw, site_base_url(request))
    audit.record(by, "invite", obj=invitation, via=via, user=user.get_username())
    if send:
        transaction.on_commit(lambda: _send_invitation(invitation.pk, link))
    return SentInvitation(invitation, raw, link)


def _send_invitation(invitation_pk: int, link: str) -> bool:
    invitation = Invitation.objects.select_related("user", "created_by").filter(pk=invitation_pk).first()
    if invitation is None or invitation.state != "waiting":
        return False
    user = invitation.user
    context = {
        "name": display_name(user),
        "first_name": (user.first_name or display_name(user)).split(" ")[0],
        "username": user.get_username(),
        "email": invitation.email,
        "link": link,
        "days": invitation_days(),
        "expires_at": invitation.expires_at,
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", "Reflect"),
        "inviter": display_name(invitation.created_by) if invitation.created_by else "",
        "sign_in_url": link.split("/accounts/")[0] + reverse("account_login"),
        "sso_names": [app["name"] for app in _sso_apps()],
    }
    subject = one_line(render_to_string("reflect/accounts/email/invitation_subject.txt", context))
    body = render_to_string("reflect/accounts/email/invitation_message.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    except Exception:  # noqa: BLE001 - the admin's list shows it as not sent; they can resend
        log.exception("Could not send invitation %s", invitation.pk)
        return False
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return True


def _sso_apps() -> list[dict]:
    providers = getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}) or {}
    return [app for kind in ("openid_connect", "saml") for app in providers.get(kind, {}).get("APPS", [])]


def invite_new_person(user, *, by=None, request=None, via: str = "admin") -> SentInvitation | None:
    """Invite a person just created by the programme, if they can be invited (active, with an
    e-mail address, no usable password yet); otherwise do nothing and return None."""
    if not user.password:  # saved without a password at all (e.g. the Wagtail admin's form)
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if can_be_invited(user) or user.has_usable_password():
        return None
    return invite(user, by=by, request=request, via=via)


# --- Invitations: using the link -----------------------------------------------------------
def invitation_for_token(raw_token: str) -> Invitation | None:
    """The invitation a link's token belongs to (in any state), or None for an unknown token."""
    if not raw_token or not isinstance(raw_token, str) or len(raw_token) > 100:
        return None
    return Invitation.objects.select_related("user").filter(token_hash=hash_token(raw_token)).first()


def usable_invitation(raw_token: str) -> Invitation | None:
    """The invitation of this token if it can still be used.

    Returns:
        The invitation, or None when the token is unknown.

    Raises:
        errors.Gone: the link was used, replaced by a newer one, or has expired (the message
            says which and what to do), or the account is inactive.
    """
    invitation = invitation_for_token(raw_token)
    if invitation is None:
        return None
    state = invitation.state
    if state == "accepted":
        raise errors.Gone(
            "This invitation has already been used: your password is set. Sign in with it, or use "
            "“Forgotten your password?” on the sign-in page."
        )
    if state == "withdrawn":
        raise errors.Gone(
            "A newer invitation was sent to you after this one, so this link no longer works. Use the "
            "link in the most recent e-mail."
        )
    if state == "expired" or not invitation.user.is_active:
        raise errors.Gone(
            f"This invitation has expired (links work for {invitation_days()} days). Ask your programme "
            "team to send you a new one, or use “Forgotten your password?” on the sign-in page with "
            "the e-mail address this invitation was sent to."
        )
    return invitation


@transaction.atomic
def accept_invitation(raw_token: str, password: str):
    """Set the invited person's password from their link, once.

    Args:
        raw_token: the token from the link.
        password: the new password (checked by the site's password validators).

    Returns:
        The person, with their password set.

    Raises:
        errors.Gone: the link was used, replaced or has expired.
        ValidationError: unknown link, or the password fails a validator (messages say why).
    """
    invitation = usable_invitation(raw_token)
    if invitation is None:
        raise ValidationError("This invitation link is not valid. Check that you copied all of it.")
    # Lock the row: two tabs submitting at once set the password once.
    invitation = Invitation.objects.select_for_update().select_related("user").get(pk=invitation.pk)
    if invitation.state != "waiting":
        raise errors.Gone("This invitation has already been used.")
    user = invitation.user
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    now = timezone.now()
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=now, accepted_how="invitation")
    Invitation.objects.filter(user=user).waiting().exclude(pk=invitation.pk).update(withdrawn_at=now)
    mark_email_verified(user, invitation.email)
    revoke_api_tokens(user)
    audit.record(user, "accept_invitation", obj=invitation, via="site")
    return user


def close_waiting_invitations(user, how: str) -> int:
    """Mark `user`'s waiting invitations accepted because they signed in another way first
    (`how`: "password_reset", "sso", "sign_in"). Returns how many were closed."""
    return Invitation.objects.filter(user=user).waiting().update(accepted_at=timezone.now(), accepted_how=how)


def mark_email_verified(user, email: str) -> None:
    """The person proved they read mail at `email` (they used a link sent there): record the
    account's address as verified. An address already verified for another account stays
    unverified here (allauth keeps verified addresses unique; single sign-on refuses an
    address two accounts share anyway)."""
    email = (email or "").strip()
    if not email or email.lower() != (user.email or "").strip().lower():
        return
    taken = EmailAddress.objects.filter(email__iexact=email, verified=True).exclude(user=user).exists()
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
        EmailAddress.objects.create(user=user, email=email, primary=not has_primary, verified=not taken)
    elif not address.verified and not taken:
        address.verified = True
        address.save(update_fields=["verified"])


# --- Invitation list (admin) ---------------------------------------------------------------
def latest_invitations():
    """Each invited person's newest invitation (the admin's list of who has not accepted)."""

    newest = Invitation.objects.filter(user=OuterRef("user")).order_by("-created_at", "-id").values("id")[:1]
    return Invitation.objects.filter(id=Subquery(newest)).select_related("user", "created_by")
