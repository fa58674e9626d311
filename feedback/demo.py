"""Demo data for patient-representative feedback, called from `assessments.demo.seed`.

For a few learners: links in every state (open, used, expired) and answers from several
representatives, some anonymous. Each seeded link's token is derived from a fixed string and
the installation's SECRET_KEY (HMAC), so a second run finds the same invitations by their
hash and creates nothing new, while the tokens cannot be read off this source file.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac

from django.conf import settings
from django.utils import timezone

from feedback import instrument, services
from feedback.models import Feedback, FeedbackInvitation
from portfolio.models import Allocation

SESSIONS = [
    "Lived-experience session: living with psychosis",
    "Community placement debrief: food bank drop-in",
    "Carers' panel: looking after a parent with dementia",
]

# (kind, role, anonymous, name, ratings bias, comment)
PLAN = [
    (
        "used",
        "patient_representative",
        False,
        "Maureen Doyle",
        4,
        "She asked how I get to appointments and whether I can afford the bus. Nobody asks that.",
    ),
    (
        "used",
        "carer",
        True,
        "",
        3,
        "Kind and patient with my dad. Could explain the medicines more slowly, without the long words.",
    ),
    (
        "used",
        "community_member",
        False,
        "Kwabena Owusu",
        5,
        "Listened to the whole group, not just the loudest voices, and followed up on the housing question.",
    ),
    ("open", "", False, "", 0, ""),
    ("expired", "", False, "", 0, ""),
]


def demo_token(learner, n: int) -> str:
    """A deterministic, secret-keyed token for the n-th seeded link of `learner`."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"demo-feedback:{learner.username}:{n}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _ratings(ctx, bias: int) -> dict:
    ratings = {}
    for n, key in enumerate(instrument.KEYS):
        if n == len(instrument.KEYS) - 1 and bias == 3:
            ratings[key] = None  # "does not apply"
            continue
        ratings[key] = max(1, min(5, bias + ctx.rng.choice((-1, 0, 0, 1))))
    return ratings


def seed_feedback(ctx, learners: int = 4) -> None:
    """Create the feedback demo (see the module docstring). Idempotent.

    Args:
        ctx: the `portfolio.demo.DemoContext` of the run.
        learners: how many learners get feedback links.
    """
    created = 0
    first_open = None
    now = timezone.now()
    for index, learner in enumerate(ctx.learners[:learners]):
        allocation = (
            Allocation.objects.current()
            .filter(learner=learner)
            .select_related("tutor")
            .order_by("pk")
            .first()
        )
        inviter = allocation.tutor if allocation else (ctx.admins[0] if ctx.admins else None)
        if inviter is None:
            continue
        for n, (kind, role, anonymous, name, bias, comment) in enumerate(PLAN):
            if index % 2 == 1 and n == 2:
                continue  # not every learner has three answers
            raw = demo_token(learner, n)
            token_hash = services.hash_token(raw)
            if FeedbackInvitation.objects.filter(token_hash=token_hash).exists():
                if kind == "open" and first_open is None:
                    first_open = raw
                continue
            occurred_on = ctx.today - datetime.timedelta(days=5 + 7 * n + index)
            invitation = FeedbackInvitation.objects.create(
                learner=learner,
                created_by=inviter,
                context_title=SESSIONS[(index + n) % len(SESSIONS)],
                occurred_on=occurred_on,
                email=f"rep{index + 1}_{n + 1}@example.org" if n % 2 == 0 else "",
                token_hash=token_hash,
                expires_at=now + datetime.timedelta(days=services.link_days()),
            )
            created += 1
            if kind == "used":
                services.submit_feedback(raw, _ratings(ctx, bias), comment, anonymous, role, name, via="seed")
            elif kind == "expired":
                FeedbackInvitation.objects.filter(pk=invitation.pk).update(
                    expires_at=now - datetime.timedelta(days=1)
                )
            elif kind == "open" and first_open is None:
                first_open = raw
    ctx.log(
        f"Feedback: {created} link(s) created; {Feedback.objects.count()} answer(s) in total."
        + (f" Try an open link: {services.respond_path(first_open)}" if first_open else "")
    )


def seed(ctx) -> None:
    """seed_demo's entry point for this app (called after portfolio and assessments)."""
    seed_feedback(ctx)
