"""One-time link tokens (feedback links, invitations to choose a password): 256 random bits,
URL-safe; only the SHA-256 hex digest is stored, so a database leak reveals no working link
and the raw token exists only in the e-mail and on screen once.

API tokens (`reflect.tokens`) hash their keys on their own terms (crafted keys are refused,
not failed on)."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits; the design asks for at least 128.


def new_token() -> str:
    """A fresh URL-safe random token (256 bits of entropy, 43 characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(raw: str) -> str:
    """The SHA-256 hex digest that is stored in place of the token."""
    return hashlib.sha256(str(raw).encode("utf-8")).hexdigest()
