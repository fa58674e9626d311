"""API tokens: issued per sign-in, expiring, revocable, hashed at rest.

- `issue` makes a new token at every `POST /api/v1/auth/token/` (the key is shown once);
  each lasts `API_TOKEN_TTL_HOURS` (default 24) and a person holds at most
  `API_TOKEN_MAX_PER_USER` (default 10) live ones: the oldest go first.
- `authenticate` finds a token by the SHA-256 of the key sent, with its person's roles in
  the same query (`reflect.api.authentication.TokenAuthentication`).
- A person sees and revokes their own tokens (`tokens_of`, `revoke`, `revoke_all`) on the
  site (`/accounts/api-tokens/`) and through the API (`/api/v1/auth/tokens/`).
- Every token of a person is revoked when their password changes (by any door: Django's
  forms, the Wagtail admin, `changepassword`, a reset) and when their account is deactivated:
  `revoke_on_credential_change` below, on the user model's save signals.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from reflect import audit
from reflect import roles as R
from reflect.models import ApiToken

PREFIX_LENGTH = 8
# `last_used_at` is written at most this often per token (not on every request).
TOUCH_INTERVAL = datetime.timedelta(minutes=5)


class TokenError(Exception):
    """The key sent is unknown, expired, or its person is inactive (`message` says which)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def ttl() -> datetime.timedelta:
    return datetime.timedelta(hours=float(getattr(settings, "API_TOKEN_TTL_HOURS", 24)))


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def issue(user, *, client: str = "") -> tuple[ApiToken, str]:
    """A new token for `user` (who has just proved their password).

    Args:
        user: an active user.
        client: the User-Agent of the request, to help the person recognise the token.

    Returns:
        (the stored token, the key): the key exists only here; it is never stored.
    """
    now = timezone.now()
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_key(key),
        prefix=key[:PREFIX_LENGTH],
        created_at=now,
        expires_at=now + ttl(),
        client=(client or "")[:200],
    )
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    keep = int(getattr(settings, "API_TOKEN_MAX_PER_USER", 10))
    surplus = ApiToken.objects.filter(user=user).order_by("-created_at", "-pk").values_list("pk", flat=True)
    old = list(surplus[keep:])
    if old:
        ApiToken.objects.filter(pk__in=old).delete()
    return token, key


def authenticate(key: str, annotations: dict | None = None) -> ApiToken:
    """The live token whose key is `key`, with `token.user` loaded and the user's roles read
    in the same query (they fill the cache `reflect.roles.roles_of` keeps on the user);
    `annotations` are more facts about the person read in that query (e.g. a second factor).

    Raises:
        TokenError: unknown or expired key, or an inactive person.
    """
    membership = get_user_model().groups.through.objects.filter(user_id=OuterRef("user_id"))
    flags = {f"has_role_{role}": Exists(membership.filter(group__name=role)) for role in R.ALL_ROLES}
    flags.update(annotations or {})
    try:
        token = ApiToken.objects.select_related("user").annotate(**flags).get(key_hash=hash_key(key))
    except ApiToken.DoesNotExist:
        raise TokenError("Invalid token.") from None
    now = timezone.now()
    if token.expires_at <= now:
        token.delete()
        raise TokenError("This token has expired: ask for a new one at POST /api/v1/auth/token/.")
    user = token.user
    if not user.is_active:
        raise TokenError("User inactive or deleted.")
    user._portfolio_roles = [
        role
        for role in R.ALL_ROLES
        if getattr(token, f"has_role_{role}") or (role == R.ADMIN and user.is_superuser)
    ]
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(user):
    """The live tokens of `user`, newest first."""
    return ApiToken.objects.filter(user=user, expires_at__gt=timezone.now()).order_by("-created_at", "-pk")


@transaction.atomic
def revoke(user, token_id, *, via: str) -> bool:
    """Revoke one of `user`'s own tokens.

    Args:
        user: the person revoking; only their own tokens can be revoked.
        token_id: the token's id (a UUID, or its text).
        via: the door: "api" or "site".

    Returns:
        True when a token of theirs was revoked; False when they have none with that id
        (someone else's token counts as none).
    """
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if deleted:
        audit.record(user, "revoke-api-token", via=via, token=str(token_id))
    return bool(deleted)


@transaction.atomic
def revoke_all(user, *, reason: str, actor=None, via: str = "") -> int:
    """Revoke every token of `user`.

    Args:
        user: whose tokens.
        reason: recorded in the audit log ("revoked by its owner", "password changed", ...).
        actor: who did it (None when the system did, e.g. on a password change).
        via: the door.

    Returns:
        How many tokens were revoked.
    """
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    if deleted:
        audit.record(actor, "revoke-api-tokens", via=via, user=user.pk, count=deleted, reason=reason)
    return deleted


# --- Revocation when credentials change ---------------------------------------------------
_PENDING = "_reflect_revoke_api_tokens"


def note_credential_change(sender, instance, raw=False, update_fields=None, **kwargs):
    """`pre_save` of the user model: notice a changed password hash or a deactivation.

    Compares with the stored row, so every door that changes a password counts, whatever it
    calls. A saved `last_login` (every sign-in) is skipped without a query. Django's hash
    upgrade on sign-in (the same password re-hashed with newer parameters:
    `AbstractBaseUser.check_password` saves `password` alone with `_password` cleared) is not
    a change of password.
    """
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is None:
        return
    reasons = []
    rehash = (
        update_fields is not None
        and set(update_fields) == {"password"}
        and getattr(instance, "_password", None) is None
    )
    if stored["password"] != instance.password and not rehash:
        reasons.append("password changed")
    if stored["is_active"] and not instance.is_active:
        reasons.append("account deactivated")
    setattr(instance, _PENDING, reasons)


def revoke_on_credential_change(sender, instance, created=False, raw=False, **kwargs):
    """`post_save` of the user model: revoke every token after a change noted above."""
    reasons = getattr(instance, _PENDING, None)
    if not reasons:
        return
    setattr(instance, _PENDING, None)
    revoke_all(instance, reason=", ".join(reasons))
