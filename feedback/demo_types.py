"""Demo data for the respondent types beyond patients, and colleague rounds (run by
`seed_demo` after `feedback.demo`).

- Carers, community partners and placement supervisors each answer three links (at a
  placement, so the partner report has figures to show).
- Two colleague rounds: one released (the rules met, read, summarised, with the learner's
  self-assessment), one still open below its minimum.

Idempotent: a learner who already has the demo's sessions or rounds gets nothing more.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from portfolio.models import Allocation, Placement

from . import services
from .models import ColleagueRound, Feedback, FeedbackInvitation, Instrument, RespondentType
from .services import rounds

TYPED_SESSIONS = {
    RespondentType.CARER: ("Carers' café: living with dementia at home", ["carer", "family_member", "carer"]),
    RespondentType.COMMUNITY_PARTNER: (
        "Community placement: food bank drop-in",
        ["project_lead", "volunteer", "staff_member"],
    ),
    RespondentType.PLACEMENT_SUPERVISOR: (
        "Placement with the night shelter team",
        ["placement_supervisor", "project_lead", "staff_member"],
    ),
}
TYPED_COMMENTS = [
    "Turned up when they said they would and asked good questions.",
    "Spoke to people as equals. Our volunteers noticed.",
    "Could say more in team meetings; what they did say was useful.",
]
RELEASED = "Colleague feedback, autumn (demo)"
BELOW_MINIMUM = "Colleague feedback, spring (demo)"
RELEASED_ROLES = ["doctor", "doctor", "doctor", "nurse", "nurse", "allied_health", "admin_staff", "nurse"]
BELOW_ROLES = ["doctor", "nurse", "allied_health"]


def _inviter(ctx, learner):
    allocation = (
        Allocation.objects.current().filter(learner=learner).select_related("tutor").order_by("pk").first()
    )
    return allocation.tutor if allocation else None


def _ratings(ctx, kind: str, bias: int) -> dict:
    version = Instrument.objects.current(kind)
    return {key: max(1, min(5, bias + ctx.rng.choice((-1, 0, 0, 1)))) for key in version.keys}


def _answer_links(ctx, kind, created, roles, bias):
    for n, (c, role) in enumerate(zip(created, roles, strict=False)):
        services.submit_feedback(
            c.raw_token,
            _ratings(ctx, kind, bias),
            TYPED_COMMENTS[n % len(TYPED_COMMENTS)] if kind != RespondentType.COLLEAGUE or n % 3 == 0 else "",
            kind == RespondentType.COLLEAGUE or n % 2 == 1,
            role,
            "" if n % 2 else f"Demo {role.replace('_', ' ')} {n + 1}",
            via="seed",
        )


def seed_typed(ctx, learners: int = 2) -> int:
    """Three answers of each non-patient, non-colleague type for the first `learners`."""
    made = 0
    placement = Placement.objects.order_by("pk").first()
    for learner in ctx.learners[:learners]:
        by = _inviter(ctx, learner)
        titles = [title for title, _ in TYPED_SESSIONS.values()]
        if (
            by is None
            or FeedbackInvitation.objects.filter(learner=learner, context_title__in=titles).exists()
        ):
            continue
        for kind, (title, roles) in TYPED_SESSIONS.items():
            created = services.create_invitations(
                learner,
                by,
                title,
                ctx.today - datetime.timedelta(days=10),
                [""] * len(roles),
                via="seed",
                respondent_type=kind,
                placement=placement if kind != RespondentType.CARER else None,
            )
            _answer_links(ctx, kind, created, roles, 4)
            made += len(created)
    return made


def seed_rounds(ctx) -> int:
    """One released round (first learner) and one below its minimum (second learner)."""
    made = 0
    plan = [(RELEASED, RELEASED_ROLES, True), (BELOW_MINIMUM, BELOW_ROLES, False)]
    for learner, (title, roles, release) in zip(ctx.learners[:2], plan, strict=False):
        by = _inviter(ctx, learner)
        if by is None or ColleagueRound.objects.filter(learner=learner, title=title).exists():
            continue
        round_, created = rounds.open_round(
            learner, by, title, ctx.today + datetime.timedelta(days=21), [""] * (len(roles) + 1), via="seed"
        )
        _answer_links(ctx, RespondentType.COLLEAGUE, created, roles, 4)
        rounds.self_assess(
            round_, learner, _ratings(ctx, RespondentType.COLLEAGUE, 3), "I find handovers hard."
        )
        if release:
            rounds.record_read(round_, by, via="seed")
            rounds.release(
                round_,
                by,
                "Colleagues describe you as kind and reliable. Several would like you to speak up sooner "
                "when you are worried; let us plan how at our next meeting.",
                via="seed",
            )
        made += 1
    return made


def seed(ctx) -> None:
    typed = seed_typed(ctx)
    made = seed_rounds(ctx)
    ctx.log(
        f"Feedback of every type: {typed} typed link(s) answered, {made} colleague round(s) made; "
        f"{Feedback.objects.count()} answer(s) in total at {timezone.now():%H:%M}."
    )
