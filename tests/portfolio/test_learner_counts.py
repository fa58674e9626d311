"""`/api/v1/learners/` counts what a supervisor may see (non-draft reflections, finalised
assessments, feedback not withdrawn), computed per learner by subqueries; zero, not null, when
there is nothing."""

import pytest

from ..factories import FeedbackFactory, ReflectionFactory, make_published_rubric, mark, submitted_reflection

pytestmark = pytest.mark.django_db


def test_counts(world, api):
    rubric = make_published_rubric(criteria=2, levels=2)
    first = submitted_reflection(world.learner_a)
    second = submitted_reflection(world.learner_a)
    ReflectionFactory(learner=world.learner_a)  # a draft: not counted
    mark(first, rubric, world.tutor, finalise=True)
    mark(second, rubric, world.tutor, finalise=True)
    mark(submitted_reflection(world.learner_a), rubric, world.tutor)  # a draft assessment: not counted
    FeedbackFactory(learner=world.learner_a)
    from django.utils import timezone

    withdrawn = FeedbackFactory(learner=world.learner_a)
    type(withdrawn).objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())

    rows = {row["username"]: row for row in api(world.admin).get("/api/v1/learners/").json()["results"]}
    assert rows["learner_a"]["reflection_count"] == 3
    assert rows["learner_a"]["assessment_count"] == 2
    assert rows["learner_a"]["feedback_count"] == 1
    assert (rows["learner_b"]["reflection_count"], rows["learner_b"]["assessment_count"]) == (0, 0)
    assert rows["learner_b"]["feedback_count"] == 0


def test_supervisor_sees_no_drafts_and_learner_sees_own(world, api):
    submitted = submitted_reflection(world.learner_a)
    draft = ReflectionFactory(learner=world.learner_a)
    ids = {r["id"] for r in api(world.examiner).get("/api/v1/reflections/").json()["results"]}
    assert ids == {submitted.pk}
    ids = {r["id"] for r in api(world.learner_a).get("/api/v1/reflections/").json()["results"]}
    assert ids == {submitted.pk, draft.pk}
