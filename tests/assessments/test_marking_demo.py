"""The marking part of seed_demo: creates what it can, obeys the rules, and is idempotent."""

import pytest

from assessments import demo
from assessments.models import Assessment, ModerationRequest
from portfolio import demo as portfolio_demo
from portfolio.models import Reflection
from tests.factories import submitted_reflection

pytestmark = pytest.mark.django_db


def make_ctx():
    ctx = portfolio_demo.DemoContext(cohorts=1, learners_per_cohort=4, password="pw")
    portfolio_demo.seed(ctx)
    return ctx


def test_without_submitted_reflections_nothing_is_created():
    ctx = make_ctx()
    Reflection.objects.exclude(status=Reflection.Status.DRAFT).delete()
    demo.seed(ctx)
    assert not Assessment.objects.exists()


def test_seed_creates_drafts_finalised_a_correction_and_a_double_marked_set_once():
    ctx = make_ctx()
    for learner in ctx.learners:
        for n in range(3):
            submitted_reflection(learner, title=f"{learner.username} {n}")
    demo.seed(ctx)
    counts = (
        Assessment.objects.count(),
        Assessment.objects.filter(status="draft").count(),
        Assessment.objects.filter(status="finalised").count(),
        Assessment.objects.filter(supersedes__isnull=False).count(),
        Assessment.objects.filter(moderation_of__isnull=False, status="finalised").count(),
        ModerationRequest.objects.count(),
    )
    total, drafts, final, corrections, second, requests = counts
    assert drafts >= 1 and final >= 3 and corrections == 1 and requests >= 2 and second == requests
    demo.seed(make_ctx())
    assert (
        Assessment.objects.count(),
        Assessment.objects.filter(status="draft").count(),
        Assessment.objects.filter(status="finalised").count(),
        Assessment.objects.filter(supersedes__isnull=False).count(),
        Assessment.objects.filter(moderation_of__isnull=False, status="finalised").count(),
        ModerationRequest.objects.count(),
    ) == counts
    from assessments import moderation

    assert moderation.report()
