"""Goals (a personal development plan, issue 16): the service's rules (a goal cannot be due
before its reflection; closing needs a review; a reviewed goal is final), the scope (the
learner's own; the allocated tutor reads and comments; examiners in their cohorts; everyone
else 404) and the site's screens."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portfolio.goal_models import Goal, GoalComment
from portfolio.policies import goals as goal_policy
from portfolio.services import goals as services
from reflect.errors import Conflict, NotFound
from reflect.models import AuditEvent
from tests.factories import ReflectionFactory

pytestmark = pytest.mark.django_db

ACTION_PLAN = "<ul><li>Ask every patient I clerk about stairs and heating.</li></ul>"


def gibbs(learner, **kwargs):
    kwargs.setdefault("reflective_model", "gibbs")
    kwargs.setdefault("sections", {"description": "<p>A home visit.</p>", "action_plan": ACTION_PLAN})
    return ReflectionFactory(learner=learner, **kwargs)


def goal_data(reflection=None, **overrides):
    data = {
        "what": "Ask every patient I clerk about their housing",
        "due_on": datetime.date.today() + datetime.timedelta(days=30),
        "success_measure": "My next ten clerkings record stairs and heating",
        "themes": ["context", "advocacy"],
        "reflection": reflection,
    }
    data.update(overrides)
    return data


def a_goal(learner, **overrides):
    return services.create_goal(learner, goal_data(**overrides))


# --- Service rules ---------------------------------------------------------------------------
def test_a_goal_from_a_reflection_keeps_its_fields_and_is_audited(world):
    reflection = gibbs(world.learner_a)
    goal = services.create_goal(world.learner_a, goal_data(reflection.pk), via="site")
    goal.refresh_from_db()
    assert goal.status == Goal.Status.OPEN and goal.reflection == reflection
    assert sorted(t.code for t in goal.themes.all()) == ["advocacy", "context"]
    assert AuditEvent.objects.filter(action="goal_create", object_id=str(goal.pk)).exists()


def test_a_goal_due_before_its_reflection_is_refused_and_nothing_stored(world):
    reflection = gibbs(world.learner_a, occurred_on=datetime.date(2026, 3, 14))
    with pytest.raises(ValidationError) as caught:
        services.create_goal(world.learner_a, goal_data(reflection, due_on=datetime.date(2026, 3, 13)))
    assert "14 March 2026" in caught.value.message_dict["due_on"][0]
    assert not Goal.objects.exists()
    # The same day is fine.
    services.create_goal(world.learner_a, goal_data(reflection, due_on=datetime.date(2026, 3, 14)))


def test_a_change_cannot_move_the_date_before_the_reflection(world):
    reflection = gibbs(world.learner_a, occurred_on=datetime.date(2026, 3, 14))
    goal = a_goal(world.learner_a, reflection=reflection)
    with pytest.raises(ValidationError):
        services.update_goal(goal, world.learner_a, {"due_on": datetime.date(2026, 1, 1), "what": "Other"})
    goal.refresh_from_db()
    assert goal.what == "Ask every patient I clerk about their housing"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"what": "  "}, "what"),
        ({"success_measure": ""}, "success_measure"),
        ({"due_on": "tomorrow"}, "due_on"),
        ({"due_on": None}, "due_on"),
        ({"themes": ["nope"]}, "themes"),
        ({"what": "x" * 2001}, "what"),
    ],
)
def test_bad_fields_are_named_and_nothing_stored(world, overrides, field):
    with pytest.raises(ValidationError) as caught:
        services.create_goal(world.learner_a, goal_data(**overrides))
    assert field in caught.value.message_dict
    assert not Goal.objects.exists()


def test_only_learners_set_goals_and_only_from_their_own_reflections(world):
    with pytest.raises(PermissionDenied):
        services.create_goal(world.tutor, goal_data())
    others = gibbs(world.learner_b)
    with pytest.raises(NotFound):
        services.create_goal(world.learner_a, goal_data(others.pk))
    assert not Goal.objects.exists()


@pytest.mark.parametrize("status", ["achieved", "partly_achieved", "carried_forward"])
def test_closing_needs_a_review_text(world, status):
    goal = a_goal(world.learner_a)
    with pytest.raises(ValidationError) as caught:
        services.review_goal(goal, world.learner_a, status, "   ")
    assert "review" in caught.value.message_dict
    goal.refresh_from_db()
    assert goal.status == "open" and goal.reviewed_at is None
    services.review_goal(goal, world.learner_a, status, "Did it on every clerking for a month.")
    goal.refresh_from_db()
    assert goal.status == status and goal.reviewed_at is not None
    assert goal.review == "Did it on every clerking for a month."


def test_a_review_must_close_the_goal_and_a_reviewed_goal_is_final(world):
    goal = a_goal(world.learner_a)
    with pytest.raises(ValidationError) as caught:
        services.review_goal(goal, world.learner_a, "open", "Still going")
    assert "status" in caught.value.message_dict
    services.review_goal(goal, world.learner_a, "achieved", "Done.")
    with pytest.raises(Conflict):
        services.review_goal(goal, world.learner_a, "carried_forward", "Again")
    with pytest.raises(Conflict):
        services.update_goal(goal, world.learner_a, {"what": "Changed afterwards"})


def test_the_tutor_reads_and_comments_but_cannot_change_or_review(world):
    goal = a_goal(world.learner_a)
    assert goal_policy.is_visible(world.tutor, goal)
    comment = services.comment_on_goal(goal, world.tutor, "Good: make it ten patients, not 'every'.")
    services.comment_on_goal(goal, world.learner_a, "Agreed.")
    assert [c.author for c in goal.comments.all()] == [world.tutor, world.learner_a]
    assert comment.body.startswith("Good")
    with pytest.raises(PermissionDenied):
        services.review_goal(goal, world.tutor, "achieved", "I say so")
    with pytest.raises(PermissionDenied):
        services.update_goal(goal, world.tutor, {"what": "Tutor's words"})
    with pytest.raises(ValidationError):
        services.comment_on_goal(goal, world.tutor, "  ")
    assert GoalComment.objects.count() == 2


def test_examiners_read_but_do_not_comment(world):
    goal = a_goal(world.learner_a)
    assert goal_policy.is_visible(world.examiner, goal)
    with pytest.raises(PermissionDenied):
        services.comment_on_goal(goal, world.examiner, "From the panel")


@pytest.mark.parametrize("who", ["learner_b", "former", "patient_rep"])
def test_out_of_scope_people_see_no_goal_and_cannot_comment(world, who):
    goal = a_goal(world.learner_a)
    person = getattr(world, who)
    assert not goal_policy.visible(person).exists()
    with pytest.raises((NotFound, PermissionDenied)):
        services.comment_on_goal(goal, person, "Hello")


def test_scope_by_role(world):
    mine, theirs = a_goal(world.learner_a), a_goal(world.learner_b)

    def seen(user):
        return set(goal_policy.visible(user).values_list("pk", flat=True))

    assert seen(world.learner_a) == {mine.pk}
    assert seen(world.tutor) == {mine.pk}
    assert seen(world.examiner) == {mine.pk}
    assert seen(world.dual) == {mine.pk, theirs.pk}  # tutor of B, examiner of A
    assert seen(world.admin) == {mine.pk, theirs.pk}
    assert seen(world.former) == set() and seen(world.patient_rep) == set()


# --- Demo data -------------------------------------------------------------------------------
def test_seed_demo_has_goals_in_every_status_and_is_idempotent():
    import io

    from django.core.management import call_command

    def run():
        call_command("seed_demo", "--cohorts", "2", "--learners-per-cohort", "2", "--password", "s3cret-Demo",
                     stdout=io.StringIO())  # fmt: skip

    run()
    statuses = set(Goal.objects.values_list("status", flat=True))
    assert statuses == set(Goal.Status.values)
    assert all(g.review for g in Goal.objects.exclude(status="open"))
    assert GoalComment.objects.exists()
    assert all(g.reflection_id and g.due_on >= g.reflection.occurred_on for g in Goal.objects.all())
    before = (Goal.objects.count(), GoalComment.objects.count())
    run()
    assert (Goal.objects.count(), GoalComment.objects.count()) == before
