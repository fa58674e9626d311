"""seed_demo's feedback part: links in every state, several representatives, some anonymous;
running it twice creates nothing new."""

import pytest

from feedback.demo import seed_feedback
from feedback.models import Feedback, FeedbackInvitation
from portfolio.demo import DemoContext
from tests.factories import AllocationFactory, LearnerFactory

pytestmark = pytest.mark.django_db


def test_seed_feedback_is_complete_and_idempotent(world):
    learners = [LearnerFactory() for _ in range(3)]
    for learner in learners:
        AllocationFactory(tutor=world.tutor, learner=learner)
    ctx = DemoContext(
        cohorts=1, learners_per_cohort=3, password="pw", learners=learners, admins=[world.admin]
    )
    seed_feedback(ctx)
    statuses = {i.current_status for i in FeedbackInvitation.objects.with_status()}
    assert statuses == {"open", "used", "expired"}
    feedback = list(Feedback.objects.all())
    assert len({f.respondent_role for f in feedback}) >= 2
    assert any(f.anonymous and f.respondent_name == "" for f in feedback)
    assert any(not f.anonymous and f.respondent_name for f in feedback)
    counts = (FeedbackInvitation.objects.count(), Feedback.objects.count())
    seed_feedback(ctx)
    assert (FeedbackInvitation.objects.count(), Feedback.objects.count()) == counts
