"""ARCP fixtures: a learner's year of evidence, with things that must and must not appear."""

import datetime

import pytest
from django.utils import timezone

from portfolio.models import Placement, Reflection, ReviewEvent
from reflect import roles as R
from tests.factories import (
    ArcpReviewFactory,
    arcp_feedback,
    arcp_finalised_assessment,
    arcp_reflection,
    make_published_rubric,
)

BODY = (
    "<h2>What happened</h2><p>I joined the outreach team at a night shelter and met a man whose "
    "leg ulcer had not healed for a year because he could not keep appointments without an address."
    "</p><h2>So what</h2><p>Housing is a clinical problem. <strong>Continuity</strong> needs a "
    "postal address.</p><ul><li>Ask where people sleep.</li><li>Offer drop-in dressings.</li></ul>"
)


def aware(day: datetime.date, hour: int = 17) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def pack_world(world):
    """learner_a's evidence. Period: 300 days ago → yesterday (cut-off)."""
    w = world
    today = timezone.localdate()
    w.period_from = today - datetime.timedelta(days=300)
    w.period_to = today - datetime.timedelta(days=1)
    w.learner_a.first_name, w.learner_a.last_name = "Amara", "Okafor"
    w.learner_a.save()
    w.rubric = make_published_rubric(criteria=3, levels=4, title="Social accountability reflection")
    placement = Placement.objects.create(
        organisation="St Mungo's outreach", type="third_sector", place="Bristol"
    )
    specs = [
        (
            "Night shelter dressings clinic",
            Reflection.Kind.THIRD_SECTOR,
            "third_sector",
            200,
            ("third_sector_lmic", "equity_power"),
            Reflection.Status.SIGNED_OFF,
        ),
        (
            "A carer's view of discharge planning",
            Reflection.Kind.LIVED_EXPERIENCE,
            "community",
            120,
            ("lived_experience", "advocacy"),
            Reflection.Status.SUBMITTED,
        ),
        (
            "Audit of interpreter use in clinic",
            Reflection.Kind.COMMUNITY_PLACEMENT,
            "primary_care",
            60,
            ("change_agent",),
            Reflection.Status.CHANGES_REQUESTED,
        ),
        (
            "Late batch: food bank referral pathways",
            Reflection.Kind.COMMUNITY_PLACEMENT,
            "community",
            5,
            ("community_working",),
            Reflection.Status.SUBMITTED,
        ),
    ]
    w.in_period = []
    for title, kind, setting, days_ago, themes, status in specs:
        occurred = today - datetime.timedelta(days=days_ago)
        r = arcp_reflection(
            w.learner_a,
            occurred,
            status=status,
            themes=themes,
            title=title,
            kind=kind,
            setting=setting,
            body_html=BODY,
            placement=placement if kind == Reflection.Kind.THIRD_SECTOR else None,
        )
        # Written on the day it happened (the late batch: 5 days before the cut-off).
        Reflection.objects.filter(pk=r.pk).update(created_at=aware(occurred, 9))
        w.in_period.append(r)
    w.signed = w.in_period[0]
    ReviewEvent.objects.create(
        reflection=w.signed,
        actor=w.tutor,
        action=ReviewEvent.Action.SIGNED_OFF,
        comment="Excellent link to housing policy.",
    )
    ReviewEvent.objects.filter(reflection=w.signed).update(
        created_at=aware(today - datetime.timedelta(days=180))
    )
    w.out_of_period = arcp_reflection(
        w.learner_a,
        today - datetime.timedelta(days=400),
        title="OLD ONE outside the period",
        themes=("context",),
    )
    w.draft = arcp_reflection(
        w.learner_a,
        today - datetime.timedelta(days=30),
        status=Reflection.Status.DRAFT,
        title="DRAFT never shown",
    )
    w.after_cutoff = arcp_reflection(
        w.learner_a,
        today - datetime.timedelta(days=20),
        title="SUBMITTED AFTER the cut-off",
        submitted_at=timezone.now(),
    )
    w.other_learner = arcp_reflection(
        w.learner_b, today - datetime.timedelta(days=30), title="Learner B's own"
    )

    # Assessments: levels 3 ("Level 3") on the first, then a supersede on the second.
    w.assessment = arcp_finalised_assessment(
        w.in_period[0],
        w.rubric,
        w.tutor,
        level_index=2,
        finalised_at=aware(today - datetime.timedelta(days=190)),
    )
    old = arcp_finalised_assessment(
        w.in_period[1],
        w.rubric,
        w.tutor,
        level_index=0,
        finalised_at=aware(today - datetime.timedelta(days=110)),
    )
    w.replacement = arcp_finalised_assessment(
        w.in_period[1],
        w.rubric,
        w.tutor,
        level_index=1,
        finalised_at=aware(today - datetime.timedelta(days=100)),
        supersedes=old,
        supersede_reason="Marked against the wrong criterion descriptors.",
    )
    w.superseded = old

    # Feedback: one named on the carer session's day, one anonymous (name must not leak), one withdrawn.
    arcp_feedback(
        w.learner_a, w.in_period[1].occurred_on, name="Maureen Doyle", context_title="Carers' forum"
    )
    arcp_feedback(
        w.learner_a,
        today - datetime.timedelta(days=90),
        anonymous=True,
        context_title="Homeless health drop-in",
        comments="Spoke to me like a person.",
    )
    w.withdrawn = arcp_feedback(
        w.learner_a,
        today - datetime.timedelta(days=80),
        name="Withdrawn Person",
        withdrawn=True,
        context_title="WITHDRAWN session",
    )

    # A previous outcome (last year), by another examiner.
    w.previous = ArcpReviewFactory(
        export__learner=w.learner_a,
        export__period_from=today - datetime.timedelta(days=730),
        export__period_to=today - datetime.timedelta(days=366),
        outcome="2",
        reason_codes=["U2"],
        comments="More community exposure needed.",
        examiner=w.examiner,
    )
    assert R.has_role(w.learner_a, R.LEARNER)
    return w
