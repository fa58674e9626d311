"""Single sign-on rules: who a provider's sign-in belongs to, and which roles it may add.

- People are matched by a VERIFIED e-mail address (the provider says `email_verified`, or the
  provider is configured as trusted for e-mail: ``<PREFIX>_TRUST_EMAIL``) to the e-mail of an
  active account the programme created. Single sign-on never creates an account: an unknown
  address is refused with a page saying what to do, as is an address two accounts share.
- Once matched, the provider's account is linked to the person (allauth's SocialAccount), so
  later sign-ins follow the provider's stable identifier.
- Roles come from the programme. A provider adds a role only through the documented mapping
  (``<PREFIX>_ROLE_CLAIM`` / ``_ROLE_ATTRIBUTE`` and ``<PREFIX>_ROLE_MAP``); it never removes
  one, and without a mapping it grants nothing.
- Refusals count as failed sign-ins for django-axes (against the e-mail's account when there
  is one), and an account locked out by failed passwords cannot sign in through a provider
  from the same address until the cool-off ends.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from allauth.core.exceptions import ImmediateHttpResponse
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import render

from reflect import audit
from reflect import roles as R

from . import services

log = logging.getLogger(__name__)

REFUSAL_TEMPLATE = "reflect/accounts/sso_refused.html"


@dataclass(frozen=True)
class Refusal:
    reason: str  # "unverified", "unknown", "ambiguous", "not_yours"
    email: str


def provider_config(sociallogin) -> dict:
    """Our settings of the provider this sign-in came through (`reflect` in the app settings)."""
    try:
        app = sociallogin.account.get_provider().app
    except Exception:  # noqa: BLE001 - a provider without an app has no settings of ours
        return {}
    return (app.settings or {}).get("reflect", {}) or {}


def provider_name(sociallogin) -> str:
    try:
        return sociallogin.account.get_provider().name
    except Exception:  # noqa: BLE001
        return "your organisation's sign-in"


def verified_emails(sociallogin) -> list[str]:
    """The provider's addresses for this person that count as verified, lower-cased."""
    trust = bool(provider_config(sociallogin).get("trust_email"))
    emails: list[str] = []
    for address in sociallogin.email_addresses:
        email = (address.email or "").strip().lower()
        if email and (address.verified is True or trust) and email not in emails:
            emails.append(email)
    return emails


def any_email(sociallogin) -> str:
    for address in sociallogin.email_addresses:
        if address.email:
            return address.email.strip().lower()
    return ""


def match_account(emails: list[str]):
    """The one active account whose e-mail is one of `emails`.

    Returns:
        ``(user, None)`` or ``(None, Refusal reason)``: "unknown" when no active account has
        any of the addresses, "ambiguous" when more than one has.
    """
    User = get_user_model()
    for email in emails:
        users = list(User.objects.filter(email__iexact=email, is_active=True)[:2])
        if len(users) == 1:
            return users[0], None
        if len(users) > 1:
            return None, "ambiguous"
    return None, "unknown"


def provider_values(sociallogin, claim: str) -> list[str]:
    """The values of `claim` (an OIDC claim or a SAML attribute) in this sign-in's data."""
    data = sociallogin.account.extra_data or {}
    if isinstance(data, dict) and ("userinfo" in data or "id_token" in data):
        merged = {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    else:
        merged = data if isinstance(data, dict) else {}
    value = merged.get(claim)
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def mapped_roles(sociallogin) -> set[str]:
    """The roles the documented mapping gives for this sign-in (empty without a mapping)."""
    config = provider_config(sociallogin)
    claim, mapping = config.get("role_claim"), config.get("role_map") or {}
    if not claim or not mapping:
        return set()
    roles = set()
    for value in provider_values(sociallogin, claim):
        role = mapping.get(value)
        if role is None:
            continue
        if role not in R.ALL_ROLES:
            log.warning("SSO role map names an unknown role %r (ignored)", role)
            continue
        roles.add(role)
    return roles


def grant_mapped_roles(user, sociallogin) -> list[str]:
    """Add the mapped roles `user` does not hold yet (never removes one). Audited."""
    new = sorted(mapped_roles(sociallogin) - set(R.roles_of(user)))
    if new:
        R.grant(user, *new)
        audit.record(
            None,
            "sso_grant_roles",
            via="site",
            user=user.get_username(),
            roles=new,
            provider=provider_name(sociallogin),
        )
    return new


def _refuse(request, sociallogin, refusal: Refusal):
    """Count the failure for django-axes, record it, and answer with the refusal page."""
    name = provider_name(sociallogin)
    if refusal.email:
        user_login_failed.send(sender=__name__, credentials={"username": refusal.email}, request=request)
    audit.record(None, "sso_refused", via="site", provider=name, reason=refusal.reason, email=refusal.email)
    response = render(
        request,
        REFUSAL_TEMPLATE,
        {"reason": refusal.reason, "email": refusal.email, "provider_name": name},
        status=403,
    )
    raise ImmediateHttpResponse(response)


def _refuse_if_locked(request, sociallogin, user) -> None:
    if not AxesProxyHandler.is_allowed(request, {"username": user.get_username()}):
        request.axes_locked_out = True  # AxesMiddleware answers with the lockout page
        response = render(request, "registration/locked_out.html", {}, status=429)
        raise ImmediateHttpResponse(response)


def pre_social_login(request, sociallogin) -> None:
    """allauth's hook after the provider has authenticated the person, before sign-in.

    Raises:
        ImmediateHttpResponse: the refusal page (403) or the lockout page (429).
    """
    process = (sociallogin.state or {}).get("process")
    if sociallogin.is_existing:  # a provider account already linked to a person
        user = sociallogin.user
        if process == "connect" and request.user.is_authenticated and request.user.pk != user.pk:
            _refuse(request, sociallogin, Refusal("not_yours", any_email(sociallogin)))
        if user.is_active:
            _refuse_if_locked(request, sociallogin, user)
            services.close_waiting_invitations(user, "sso")
            grant_mapped_roles(user, sociallogin)
        return
    emails = verified_emails(sociallogin)
    if not emails:
        _refuse(request, sociallogin, Refusal("unverified", any_email(sociallogin)))
    user, reason = match_account(emails)
    if user is None:
        _refuse(request, sociallogin, Refusal(reason, emails[0]))
    if process == "connect":
        if not request.user.is_authenticated or request.user.pk != user.pk:
            _refuse(request, sociallogin, Refusal("not_yours", emails[0]))
        return  # allauth links the provider account to the signed-in person
    _refuse_if_locked(request, sociallogin, user)
    sociallogin.connect(request, user)
    audit.record(user, "sso_linked", via="site", provider=provider_name(sociallogin))
    services.close_waiting_invitations(user, "sso")
    grant_mapped_roles(user, sociallogin)
