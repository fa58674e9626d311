""" "Its assessor" sees an assessment only while they hold the tutor role (the role that marks):
an ex-tutor who is now only an examiner sees their old markings as any examiner does
(released ones of learners on their panel), never their old drafts."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from assessments.policies import assessments
from portfolio.models import Allocation
from reflect import roles as R
from tests.factories import PanelFactory, make_published_rubric, mark, submitted_reflection

pytestmark = pytest.mark.django_db
URL = "/api/v1/assessments/"


@pytest.fixture
def marked(world):
    rubric = make_published_rubric(criteria=2, levels=3)
    final = mark(submitted_reflection(world.learner_a), rubric, world.tutor, finalise=True)
    draft = mark(submitted_reflection(world.learner_a), rubric, world.tutor, levels=[0, None])
    return final, draft


def listed(api, user) -> set[int]:
    response = api(user).get(URL)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_an_ex_tutor_now_only_an_examiner_does_not_see_their_old_draft(world, api, marked):
    final, draft = marked
    tutor = world.tutor
    assert listed(api, tutor) == {final.pk, draft.pk}
    # They stop tutoring and sit on learner A's panel instead.
    tutor.groups.remove(Group.objects.get(name=R.TUTOR))
    R.grant(tutor, R.EXAMINER)
    PanelFactory(examiner=tutor, cohort=world.cohort_a)
    assert listed(api, tutor) == {final.pk}  # the released marking, as the panel's examiner
    assert api(tutor).get(f"{URL}{draft.pk}/").status_code == 404
    assert api(tutor).get(f"{URL}{final.pk}/").status_code == 200


def test_a_tutor_still_sees_their_own_draft_after_the_allocation_ends(world, api, marked):
    final, draft = marked
    Allocation.objects.filter(tutor=world.tutor).update(
        ends_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    # Out of the allocation, only the assessor branch is left: their own markings, drafts too.
    assert listed(api, world.tutor) == {final.pk, draft.pk}
    assert api(world.tutor).get(f"{URL}{draft.pk}/").status_code == 200


def test_someone_with_no_branch_sees_none(world, marked):
    assert not assessments.visible(world.patient_rep).exists()
