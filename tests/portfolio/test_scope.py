"""The one scope rule, for every role, two-role users, ended allocations/panels, inactive users."""

import datetime

import pytest
from django.utils import timezone

from portfolio.models import Reflection
from portfolio.policies import learners
from portfolio.policies import reflections as reflection_policy
from reflect import roles as R

from ..factories import AllocationFactory, LearnerFactory, PanelFactory, ReflectionFactory, UserFactory

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(qs.values_list("username", flat=True))


def test_learner_sees_only_themself(world):
    assert names(learners.visible(world.learner_a)) == ["learner_a"]


def test_tutor_sees_allocated_learners_only(world):
    assert names(learners.visible(world.tutor)) == ["learner_a"]


def test_ended_allocation_grants_nothing(world):
    assert names(learners.visible(world.former)) == []


def test_future_allocation_grants_nothing_yet(world):
    tutor = UserFactory(roles=(R.TUTOR,))
    AllocationFactory(
        tutor=tutor, learner=world.learner_a, starts_on=timezone.localdate() + datetime.timedelta(days=3)
    )
    assert names(learners.visible(tutor)) == []


def test_examiner_sees_panel_cohort_only(world):
    assert names(learners.visible(world.examiner)) == ["learner_a"]


def test_closed_panel_grants_nothing(world):
    examiner = UserFactory(roles=(R.EXAMINER,))
    today = timezone.localdate()
    PanelFactory(
        examiner=examiner,
        cohort=world.cohort_b,
        opens_on=today - datetime.timedelta(days=60),
        closes_on=today - datetime.timedelta(days=1),
    )
    assert names(learners.visible(examiner)) == []


def test_admin_sees_every_learner(world):
    assert names(learners.visible(world.admin)) == ["learner_a", "learner_b"]


def test_patient_rep_sees_nobody(world):
    assert names(learners.visible(world.patient_rep)) == []


def test_two_role_user_sees_the_union(world):
    # dual: tutor of learner_b, examiner of cohort A (learner_a)
    assert names(learners.visible(world.dual)) == ["learner_a", "learner_b"]


def test_inactive_users_see_nothing(world):
    for user in (world.learner_a, world.tutor, world.examiner, world.admin):
        user.is_active = False
        user.save()
        if hasattr(user, "_portfolio_roles"):
            del user._portfolio_roles
        assert names(learners.visible(user)) == []


def test_inactive_learners_are_not_visible(world):
    world.learner_a.is_active = False
    world.learner_a.save()
    assert names(learners.visible(world.admin)) == ["learner_b"]


def test_tutor_role_removed_stops_access(world):
    world.tutor.groups.clear()
    assert names(learners.visible(world.tutor)) == []


def test_reflection_scope_hides_drafts_from_others(world):
    draft = ReflectionFactory(learner=world.learner_a, status=Reflection.Status.DRAFT)
    submitted = ReflectionFactory(learner=world.learner_a, status=Reflection.Status.SUBMITTED)
    other = ReflectionFactory(learner=world.learner_b, status=Reflection.Status.SUBMITTED)
    assert set(reflection_policy.visible(world.learner_a)) == {draft, submitted}
    assert set(reflection_policy.visible(world.tutor)) == {submitted}
    assert set(reflection_policy.visible(world.examiner)) == {submitted}
    assert set(reflection_policy.visible(world.admin)) == {submitted, other}
    assert set(reflection_policy.visible(world.patient_rep)) == set()
    assert set(reflection_policy.visible(world.former)) == set()


def test_learner_who_is_also_tutor_sees_own_drafts_but_not_allocated_drafts():
    person = LearnerFactory(roles=(R.LEARNER, R.TUTOR))
    other = LearnerFactory()
    AllocationFactory(tutor=person, learner=other)
    mine = ReflectionFactory(learner=person)
    theirs_draft = ReflectionFactory(learner=other)
    theirs_sub = ReflectionFactory(learner=other, status=Reflection.Status.SUBMITTED)
    visible = set(reflection_policy.visible(person))
    assert mine in visible and theirs_sub in visible and theirs_draft not in visible
