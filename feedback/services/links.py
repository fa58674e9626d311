"""Feedback links: the public page's URL, and the limiter on guessing tokens (both public
doors, site page and API, look links up through `guarded_lookup`). Tokens and their stored
hashes are `reflect.link_tokens`."""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from reflect import http
from reflect.errors import NotFound
from reflect.sanitize import to_plain_text


def plain(text) -> str:
    """Plain text through the one sanitiser (`to_plain_text`, which also defuses a ``<`` that
    could still open a tag)."""
    return to_plain_text(text or "")


# --- URLs ---------------------------------------------------------------------------------
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
