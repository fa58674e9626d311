"""Marking rules through the services (the one door every screen, the API and the admin use)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments import services
from assessments.models import Assessment, ModerationRequest, Score
from assessments.policies import assessments as assessment_policy
from portfolio.models import Reflection
from reflect import roles as R
from reflect.errors import Conflict, NotFound, StaleVersion
from reflect.models import AuditEvent
from rubrics.models import Level
from tests.factories import (
    AllocationFactory,
    ReflectionFactory,
    RubricFactory,
    UserFactory,
    make_published_rubric,
    mark,
    submitted_reflection,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rubric(db):
    return make_published_rubric(criteria=3, levels=4, weights=[1, 2, Decimal("0.5")])


@pytest.fixture
def reflection(world):
    return submitted_reflection(world.learner_a)


def levels_of(rubric):
    return [list(c.levels.all()) for c in services.rubric_criteria(rubric)]


def test_allocated_tutor_creates_a_draft_pinned_to_the_rubric_version(world, rubric, reflection):
    lv = levels_of(rubric)
    a = services.create_assessment(
        reflection,
        rubric,
        world.tutor,
        [
            {
                "criterion": lv[0][0].criterion_id,
                "level": lv[0][3].pk,
                "comment": "<b>Good</b> <script>x</script>",
            }
        ],
        "Overall <i>fine</i>",
    )
    assert a.status == Assessment.Status.DRAFT and a.rubric_id == rubric.pk and a.version == 1
    # weight 1 × 3 points; the maximum counts every criterion: 1×3 + 2×3 + 0.5×3 = 10.5
    assert a.total == Decimal("3.00") and a.max_score == Decimal("10.50")
    assert a.overall_comment == "Overall fine"
    assert a.scores.get().comment == "Good"
    assert AuditEvent.objects.filter(action="assessment_create", object_id=str(a.pk)).exists()


@pytest.mark.parametrize("who", ["former", "examiner", "admin", "dual", "learner_a"])
def test_only_an_allocated_tutor_may_mark(world, rubric, reflection, who):
    # The former tutor cannot see the reflection at all (404); the others see it or their role
    # may never mark (403).
    with pytest.raises(NotFound if who == "former" else PermissionDenied):
        services.create_assessment(reflection, rubric, getattr(world, who), [])
    assert not Assessment.objects.exists()


def test_a_draft_reflection_cannot_be_marked(world, rubric):
    draft = ReflectionFactory(learner=world.learner_a, status=Reflection.Status.DRAFT)
    # A draft is the learner's alone: for the tutor it does not exist.
    with pytest.raises(NotFound):
        services.create_assessment(draft, rubric, world.tutor, [])
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("status", ["changes_requested", "signed_off"])
def test_non_draft_states_can_be_marked(world, rubric, status):
    r = submitted_reflection(world.learner_a, status=status)
    assert services.create_assessment(r, rubric, world.tutor, []).pk


def test_only_a_published_rubric(world, reflection):
    draft_rubric = RubricFactory()
    with pytest.raises(ValidationError) as e:
        services.create_assessment(reflection, draft_rubric, world.tutor, [])
    assert "published" in str(e.value)
    assert not Assessment.objects.exists()


def test_level_of_another_criterion_or_criterion_of_another_rubric_is_refused(world, rubric, reflection):
    lv = levels_of(rubric)
    other = make_published_rubric(criteria=1)
    bad_inputs = [
        [{"criterion": lv[0][0].criterion_id, "level": lv[1][0].pk}],
        [
            {
                "criterion": services.rubric_criteria(other)[0].pk,
                "level": services.rubric_criteria(other)[0].levels.first().pk,
            }
        ],
        [{"criterion": lv[0][0].criterion_id, "level": lv[0][0].pk}, {"criterion": lv[0][0].criterion_id}],
        [{"criterion": "abc"}],
    ]
    for scores in bad_inputs:
        with pytest.raises(ValidationError):
            services.create_assessment(reflection, rubric, world.tutor, scores)
    assert not Assessment.objects.exists() and not Score.objects.exists()


def test_one_current_assessment_per_marker_rubric_and_reflection(world, rubric, reflection):
    mark(reflection, rubric, world.tutor)
    with pytest.raises(ValidationError):
        mark(reflection, rubric, world.tutor)


def test_finalise_needs_every_criterion_and_lists_the_missing(world, rubric, reflection):
    a = mark(reflection, rubric, world.tutor, levels=[1, None, None])
    with pytest.raises(services.IncompleteAssessment) as e:
        services.finalise(a, world.tutor)
    assert [c.title for c in e.value.missing] == ["Criterion 2", "Criterion 3"]
    a.refresh_from_db()
    assert a.status == "draft" and a.finalised_at is None


def test_finalise_stores_total_by_the_scoring_module(world, rubric, reflection):
    a = mark(reflection, rubric, world.tutor, levels=[3, 2, 1])
    a = services.finalise(a, world.tutor, expected_version=a.version)
    # 1×3 + 2×2 + 0.5×1 = 7.5 of 10.5
    assert a.status == "finalised" and a.total == Decimal("7.50") and a.max_score == Decimal("10.50")
    assert a.finalised_at is not None and a.version == 2
    assert AuditEvent.objects.filter(action="assessment_finalise", object_id=str(a.pk)).exists()


def test_only_the_assessor_may_change_or_finalise(world, rubric, reflection):
    a = mark(reflection, rubric, world.tutor)
    other = UserFactory(roles=(R.TUTOR,))
    AllocationFactory(tutor=other, learner=world.learner_a)
    with pytest.raises(PermissionDenied):
        services.update_assessment(a, other, {"overall_comment": "x"}, a.version)
    with pytest.raises(PermissionDenied):
        services.finalise(a, other)


def test_stale_version_changes_nothing(world, rubric, reflection):
    a = mark(reflection, rubric, world.tutor, levels=0)
    criterion = services.rubric_criteria(rubric)[0]
    top = Level.objects.filter(criterion=criterion).order_by("-points").first()
    services.update_assessment(a, world.tutor, {"overall_comment": "first tab"}, 1)
    with pytest.raises(StaleVersion):
        services.update_assessment(
            a,
            world.tutor,
            {"overall_comment": "second tab", "scores": [{"criterion": criterion.pk, "level": top.pk}]},
            1,
        )
    a.refresh_from_db()
    assert a.overall_comment == "first tab" and a.version == 2
    assert a.scores.get(criterion=criterion).level.points == 0


def test_update_is_partial_and_clears_with_null(world, rubric, reflection):
    a = mark(reflection, rubric, world.tutor, levels=3)
    first = services.rubric_criteria(rubric)[0]
    a = services.update_assessment(a, world.tutor, {"scores": [{"criterion": first.pk, "level": None}]}, 1)
    assert a.scores.get(criterion=first).level is None
    assert a.total == Decimal("7.50")  # 2×3 + 0.5×3
    assert a.scores.filter(level__isnull=False).count() == 2


def test_finalised_is_immutable_through_every_model_door(world, rubric, reflection):
    a = mark(reflection, rubric, world.tutor, finalise=True)
    a.overall_comment = "changed"
    with pytest.raises(ValidationError):
        a.save()
    with pytest.raises(ValidationError):
        a.delete()
    with pytest.raises(ValidationError):
        Assessment.objects.filter(pk=a.pk).update(overall_comment="changed")
    with pytest.raises(ValidationError):
        Assessment.objects.filter(pk=a.pk).delete()
    score = a.scores.first()
    score.comment = "changed"
    with pytest.raises(ValidationError):
        score.save()
    with pytest.raises(ValidationError):
        score.delete()
    with pytest.raises(ValidationError):
        Score.objects.filter(assessment=a).update(comment="changed")
    with pytest.raises(ValidationError):
        Score.objects.create(assessment=a, criterion=services.rubric_criteria(rubric)[0])
    with pytest.raises(Conflict):
        services.update_assessment(a, world.tutor, {"overall_comment": "x"}, a.version)
    with pytest.raises(Conflict):
        services.finalise(a, world.tutor)
    a.refresh_from_db()
    assert a.overall_comment == "Thoughtful piece." and a.version == 2
    assert not a.scores.filter(comment="changed").exists()


def test_two_finalisations_at_once_give_one_finalisation(world, rubric, reflection):
    a = mark(reflection, rubric, world.tutor)
    tab1, tab2 = Assessment.objects.get(pk=a.pk), Assessment.objects.get(pk=a.pk)
    services.finalise(tab1, world.tutor, expected_version=1)
    with pytest.raises(Conflict):
        services.finalise(tab2, world.tutor, expected_version=1)
    assert AuditEvent.objects.filter(action="assessment_finalise").count() == 1


def test_supersede_makes_a_linked_draft_and_keeps_both(world, rubric, reflection):
    old = mark(reflection, rubric, world.tutor, levels=1, finalise=True)
    with pytest.raises(ValidationError):
        services.supersede(old, world.tutor, "  ")
    new = services.supersede(old, world.tutor, "Criterion 2 was <b>misread</b>.")
    assert (
        new.status == "draft"
        and new.supersedes_id == old.pk
        and new.supersede_reason == "Criterion 2 was misread."
    )
    assert [s.level_id for s in new.scores.all()] == [s.level_id for s in old.scores.all()]
    old.refresh_from_db()
    assert old.status == "finalised" and old.is_superseded
    assert list(Assessment.objects.current()) == [new]
    with pytest.raises(Conflict):
        services.supersede(old, world.tutor, "again")
    with pytest.raises(Conflict):
        services.supersede(new, world.tutor, "a draft")
    with pytest.raises(NotFound):  # the former tutor no longer sees the learner
        services.supersede(services.finalise(new, world.tutor), world.former, "not theirs")


def test_supersede_by_admin(world, rubric, reflection):
    old = mark(reflection, rubric, world.tutor, finalise=True)
    new = services.supersede(old, world.admin, "Admin correction")
    assert new.assessor == world.admin


# --- moderation -------------------------------------------------------------------------------
@pytest.fixture
def second(db):
    return UserFactory(username="second_marker", roles=(R.TUTOR,))


def test_only_admin_requests_moderation(world, rubric, reflection, second):
    mark(reflection, rubric, world.tutor, finalise=True)
    with pytest.raises(PermissionDenied):
        services.request_moderation(reflection, rubric, second, world.tutor)
    with pytest.raises(ValidationError):
        services.request_moderation(reflection, rubric, world.tutor, world.admin)  # first marker
    with pytest.raises(ValidationError):
        services.request_moderation(reflection, rubric, world.examiner, world.admin)  # not a tutor
    other = submitted_reflection(world.learner_a)
    with pytest.raises(ValidationError):
        services.request_moderation(other, rubric, second, world.admin)  # nothing to moderate
    req = services.request_moderation(reflection, rubric, second, world.admin)
    assert services.request_moderation(reflection, rubric, second, world.admin) == req
    assert ModerationRequest.objects.count() == 1


def test_second_marker_may_mark_blind_without_allocation(world, rubric, reflection, second):
    first = mark(reflection, rubric, world.tutor, levels=3, finalise=True)
    with pytest.raises(NotFound):  # not allocated and not asked: the reflection is not theirs to see
        mark(reflection, rubric, second)
    services.request_moderation(reflection, rubric, second, world.admin)
    # Blind: the second marker cannot see the first marking before marking
    assert not assessment_policy.visible(second).filter(pk=first.pk).exists()
    other_rubric = make_published_rubric()
    with pytest.raises(ValidationError):
        mark(reflection, other_rubric, second)
    moderation = mark(reflection, rubric, second, levels=1)
    assert moderation.moderation_of == first
    assert ModerationRequest.objects.get().second_assessment == moderation
    # while the pair is open, neither sees the other's
    assert not assessment_policy.visible(second).filter(pk=first.pk).exists()
    assert not assessment_policy.visible(world.tutor).filter(pk=moderation.pk).exists()
    services.finalise(moderation, second)
    assert set(assessment_policy.visible(second)) == {moderation, first}
    assert first in assessment_policy.visible(world.tutor) and moderation in assessment_policy.visible(
        world.tutor
    )
    # the permission was for this reflection only: another one does not exist for them
    with pytest.raises(NotFound):
        mark(submitted_reflection(world.learner_a), rubric, second)


def test_first_marker_does_not_see_a_finalised_second_marking_while_theirs_is_a_draft(
    world, rubric, reflection, second
):
    first = mark(reflection, rubric, world.tutor, levels=3)
    services.request_moderation(reflection, rubric, second, world.admin)
    moderation = mark(reflection, rubric, second, levels=1, finalise=True)
    assert moderation not in assessment_policy.visible(world.tutor)
    assert first not in assessment_policy.visible(second)
    assert {first, moderation} <= set(assessment_policy.visible(world.admin))
    services.finalise(first, world.tutor)
    assert moderation in assessment_policy.visible(world.tutor)


def test_a_tutor_whose_allocation_ended_can_no_longer_change_their_draft(world, rubric, reflection):
    import datetime

    from django.utils import timezone

    a = mark(reflection, rubric, world.tutor)
    world.tutor.allocations_as_tutor.update(ends_on=timezone.localdate() - datetime.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        services.update_assessment(a, world.tutor, {"overall_comment": "x"}, a.version)
    with pytest.raises(PermissionDenied):
        services.finalise(a, world.tutor)
