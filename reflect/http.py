"""Who is asking: the client address used by every per-address rule (the feedback-link guess
limiter, django-axes sign-in lockout, DRF's anonymous throttles)."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address, or None when the request carries none (e.g. `Client.login()`).

    With `TRUSTED_PROXY_COUNT = 0` (the default: the app server faces the clients) this is
    REMOTE_ADDR, and X-Forwarded-For is ignored, since anyone can send it. Behind N reverse
    proxies that each append to X-Forwarded-For, it is the address the outermost proxy saw:
    the N-th entry from the right (DRF's `NUM_PROXIES` rule, which the settings keep equal).
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if not forwarded:
        return remote
    chosen = forwarded[-min(proxies, len(forwarded))]
    try:
        ipaddress.ip_address(chosen)
    except ValueError:  # not an address (a forged or broken header): do not trust it
        return remote
    return chosen
