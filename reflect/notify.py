"""The one way the apps send e-mail: after the transaction commits, to people who may still
know, with a subject that is one line.

- Nothing is sent for a change that is rolled back (`transaction.on_commit`; outside a
  transaction the mail goes at once).
- `notify(users, ...)` writes to users: inactive people are never told anything, whatever
  the caller passed (a deactivated tutor with a current allocation must not receive
  "Reflection to review" naming the learner). Callers choose recipients from the policies.
- Subjects are made single-line: a title typed with a newline would make Django refuse the
  header (BadHeaderError) and nobody would be told.
- Mail trouble is logged, never raised: it must not undo a state change that happened.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

logger = logging.getLogger(__name__)

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
MAX_SUBJECT = 200


def one_line(text: str, limit: int = MAX_SUBJECT) -> str:
    """`text` with line breaks and control characters turned into single spaces, cut to
    `limit` characters at a word boundary (with an ellipsis)."""
    flat = " ".join(_CONTROL.sub(" ", str(text or "")).split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0] or flat[: limit - 1]
    return cut + "…"


@dataclass
class Delivery:
    """What became of one message: `sent` is None until the transaction commits, then
    True or False."""

    addresses: list[str]
    sent: bool | None = None


def send_to_addresses(addresses: Iterable[str], subject: str, body: str) -> Delivery:
    """Send one message to `addresses` (people without accounts, e.g. feedback links)
    once the transaction commits."""
    recipients = sorted({a.strip() for a in addresses if a and a.strip()})
    delivery = Delivery(recipients)
    if not recipients:
        delivery.sent = False
        return delivery
    subject = one_line(subject)

    def send():
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        except Exception:  # noqa: BLE001 - logged; the state change stands
            logger.exception("Could not send %r to %s", subject, recipients)
            delivery.sent = False
        else:
            delivery.sent = True

    transaction.on_commit(send)
    return delivery


def notify(users: Iterable, subject: str, body: str) -> Delivery:
    """E-mail the active users among `users` who have an address (see the module doc)."""
    addresses = [u.email for u in users if u is not None and u.is_active and u.email]
    return send_to_addresses(addresses, subject, body)
