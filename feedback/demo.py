"""Demo data for patient-representative feedback (`seed`, run by `seed_demo`).

For a few learners: links in every state (open, used, expired) and answers from several
representatives, some anonymous. Seeded links hold random tokens like every other link
(`services.new_token`): they used to be derived from SECRET_KEY, whose development default is
public, so anyone could compute the open links of a demo site (issue #13). The open ones are
shown once, when they are made (`ctx.feedback_links`, printed by `seed_demo`); only their
hashes are kept. A learner who already has the demo's invitations gets no more, so a second
run creates nothing.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from feedback import demo_types, instrument, services
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
    now = timezone.now()
    for index, learner in enumerate(ctx.learners[:learners]):
        if FeedbackInvitation.objects.filter(learner=learner, context_title__in=SESSIONS).exists():
            continue  # seeded before (its open links were shown then)
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
            raw = services.new_token()
            token_hash = services.hash_token(raw)
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
            elif kind == "open":
                ctx.feedback_links.append(
                    {
                        "learner": learner.username,
                        "url": services.respond_url(raw),
                        "expires_at": invitation.expires_at.isoformat(),
                    }
                )
    ctx.log(f"Feedback: {created} link(s) created; {Feedback.objects.count()} answer(s) in total.")


def seed(ctx) -> None:
    """seed_demo's entry point for this app (called after portfolio and assessments)."""
    seed_feedback(ctx)
    demo_types.seed(ctx)
