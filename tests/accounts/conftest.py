"""Helpers of the account tests."""

from __future__ import annotations

import re

import pytest


def link_in(message, path_start: str = "/accounts/") -> str:
    """The site-relative path of the first link to our site in an e-mail's text."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_start) + r"\S+)", message.body)
    assert match, f"no {path_start} link in:\n{message.body}"
    return match.group(1)


def totp_code(secret: str) -> str:
    """The current code of an authenticator app holding `secret` (allauth's own maths)."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


@pytest.fixture
def enrol_totp():
    """`enrol_totp(user)` → the TOTP secret; also gives the person recovery codes."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    def enrol(user):
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)
        return secret

    return enrol
