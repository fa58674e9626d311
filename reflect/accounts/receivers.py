"""Signal receivers of the account pages (connected in ReflectConfig.ready)."""

from __future__ import annotations

from allauth.account import signals as allauth_signals
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from reflect import audit

from . import services


@receiver(allauth_signals.password_reset)
def after_password_reset(sender, request, user, **kwargs):
    """A reset through the e-mailed link: the old password is gone; so are API tokens. The
    person proved they read the account's mail, which also settles a waiting invitation."""
    services.revoke_api_tokens(user)
    services.close_waiting_invitations(user, "password_reset")
    services.mark_email_verified(user, user.email)
    audit.record(user, "password_reset", via="site")


@receiver(allauth_signals.password_changed)
@receiver(allauth_signals.password_set)
def after_password_changed(sender, request, user, **kwargs):
    services.revoke_api_tokens(user)
    audit.record(user, "password_change", via="site")


@receiver(user_logged_in)
def after_sign_in(sender, request, user, **kwargs):
    services.close_waiting_invitations(user, "sign_in")
