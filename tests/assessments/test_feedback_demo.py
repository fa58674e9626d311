"""seed_demo's feedback part: links in every state, several representatives, some anonymous;
running it twice creates nothing new; the links are random, not derived from SECRET_KEY."""

import base64
import hashlib
import hmac

import pytest
from django.conf import settings

from feedback import services
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


def test_seeded_links_are_random_and_shown_once(world):
    """They were an HMAC of SECRET_KEY, whose development default is public: anyone could
    compute the open links of a demo site (issue #13, item 3)."""
    learners = [LearnerFactory() for _ in range(2)]
    for learner in learners:
        AllocationFactory(tutor=world.tutor, learner=learner)
    ctx = DemoContext(
        cohorts=1, learners_per_cohort=2, password="pw", learners=learners, admins=[world.admin]
    )
    seed_feedback(ctx)

    def derived(learner, n):  # what the old seeder used as the token
        digest = hmac.new(
            settings.SECRET_KEY.encode(), f"demo-feedback:{learner.username}:{n}".encode(), hashlib.sha256
        ).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    guessable = {services.hash_token(derived(learner, n)) for learner in learners for n in range(10)}
    assert not FeedbackInvitation.objects.filter(token_hash__in=guessable).exists()
    # Each open link is shown once, and works.
    assert {link["learner"] for link in ctx.feedback_links} == {learner.username for learner in learners}
    for link in ctx.feedback_links:
        token = link["url"].rstrip("/").rsplit("/", 1)[1]
        assert services.invitation_for_token(token).learner.username == link["learner"]
    again = DemoContext(
        cohorts=1, learners_per_cohort=2, password="pw", learners=learners, admins=[world.admin]
    )
    seed_feedback(again)
    assert again.feedback_links == []
