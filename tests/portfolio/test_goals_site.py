"""The goals' screens (issue 16): a learner makes a goal from a reflection's action plan
(prefilled), sees it under "My goals" (with the count of open goals in the navigation),
reviews it; the tutor reads and comments; out of scope is 404 on every URL; bad input is a
400 with the error summary and nothing stored; the list's queries do not grow with its rows."""

from __future__ import annotations

import datetime

import pytest

from portfolio.goal_models import Goal, GoalComment
from portfolio.services import goals as services
from reflect.models import AuditEvent
from tests.factories import ReflectionFactory

pytestmark = pytest.mark.django_db

ACTION_PLAN = "<ul><li>Ask every patient I clerk about stairs and heating.</li></ul>"


def gibbs(learner, **kwargs):
    kwargs.setdefault("reflective_model", "gibbs")
    kwargs.setdefault("sections", {"description": "<p>A home visit.</p>", "action_plan": ACTION_PLAN})
    kwargs.setdefault("status", "submitted")
    return ReflectionFactory(learner=learner, **kwargs)


def a_goal(learner, reflection=None, what="Read the falls-prevention housing guidance"):
    return services.create_goal(
        learner,
        {
            "what": what,
            "due_on": datetime.date.today() + datetime.timedelta(days=30),
            "success_measure": "I can name three housing adaptations",
            "themes": ["context"],
            "reflection": reflection,
        },
    )


def test_learner_makes_a_goal_from_the_action_plan(world, portfolio_page, client):
    reflection = gibbs(world.learner_a, occurred_on=datetime.date(2026, 3, 14))
    reflection.themes.set([])
    client.force_login(world.learner_a)
    page = client.get(f"/portfolio/reflections/{reflection.pk}/").content.decode()
    assert "Make a goal from this action plan" in page
    assert f"/portfolio/goals/new/?reflection={reflection.pk}" in page
    form = client.get(f"/portfolio/goals/new/?reflection={reflection.pk}")
    assert form.status_code == 200
    text = form.content.decode()
    assert "Ask every patient I clerk about stairs and heating." in text  # prefilled
    assert f'name="reflection" value="{reflection.pk}"' in text
    response = client.post(
        "/portfolio/goals/new/",
        {
            "what": "Ask about stairs and heating",
            "due_on": "2026-06-30",
            "success_measure": "Ten clerkings record it",
            "themes": ["context", "advocacy"],
            "reflection": reflection.pk,
        },
    )
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert goal.reflection == reflection and goal.learner == world.learner_a
    detail = client.get(response["Location"]).content.decode()
    assert "Ask about stairs and heating" in detail and "Save review" in detail
    # The reflection's page lists it; "My goals" counts it as open.
    assert (
        "Ask about stairs and heating"
        in client.get(f"/portfolio/reflections/{reflection.pk}/").content.decode()
    )
    mine = client.get("/portfolio/goals/").content.decode()
    assert "Ask about stairs and heating" in mine and "1 open goal." in mine
    assert "My goals" in mine


def test_a_goal_dated_before_its_reflection_is_a_form_error(world, portfolio_page, client):
    reflection = gibbs(world.learner_a, occurred_on=datetime.date(2026, 3, 14))
    client.force_login(world.learner_a)
    response = client.post(
        "/portfolio/goals/new/",
        {"what": "W", "due_on": "2026-03-01", "success_measure": "M", "reflection": reflection.pk},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert 'class="error-summary"' in text and 'href="#id_due_on"' in text
    assert "14 March 2026" in text
    assert 'aria-describedby="id_due_on_helptext"' in text or "id_due_on_error" in text
    assert not Goal.objects.exists()


def test_review_needs_text_then_closes_the_goal(world, portfolio_page, client):
    goal = a_goal(world.learner_a)
    client.force_login(world.learner_a)
    url = f"/portfolio/goals/{goal.pk}/review/"
    response = client.post(url, {"status": "achieved", "review": ""})
    assert response.status_code == 400 and b"error-summary" in response.content
    goal.refresh_from_db()
    assert goal.status == "open"
    assert client.post(url, {"status": "partly_achieved", "review": "Half of them."}).status_code == 302
    goal.refresh_from_db()
    assert goal.status == "partly_achieved" and goal.review == "Half of them."
    page = client.get(f"/portfolio/goals/{goal.pk}/").content.decode()
    assert "Half of them." in page and "Save review" not in page
    assert client.get(f"/portfolio/goals/{goal.pk}/edit/").status_code == 302  # closed: back to the goal


def test_tutor_sees_the_learners_goals_and_comments(world, portfolio_page, client):
    draft = ReflectionFactory(learner=world.learner_a, title="A private draft")
    goal = a_goal(world.learner_a, reflection=draft)
    client.force_login(world.tutor)
    listing = client.get(f"/portfolio/goals/?learner={world.learner_a.pk}").content.decode()
    assert goal.what in listing
    page = client.get(f"/portfolio/goals/{goal.pk}/").content.decode()
    assert "Add comment" in page and "Save review" not in page and "Change this goal" not in page
    # The draft the goal came from is not shown to the tutor, and not linked.
    assert "A private draft" not in page and "A reflection not shared with you" in page
    response = client.post(f"/portfolio/goals/{goal.pk}/comment/", {"body": "Make it measurable."})
    assert response.status_code == 302
    assert GoalComment.objects.get().author == world.tutor
    assert AuditEvent.objects.filter(actor=world.tutor, action="read", object_type="Goal").exists()
    # The tutor cannot review or change it (the policy says who).
    assert (
        client.post(f"/portfolio/goals/{goal.pk}/review/", {"status": "achieved", "review": "x"}).status_code
        == 403
    )
    assert client.get(f"/portfolio/goals/{goal.pk}/edit/").status_code == 404
    goal.refresh_from_db()
    assert goal.status == "open"
    # The timeline links to the learner's goals.
    timeline = client.get(f"/portfolio/arcp/learners/{world.learner_a.pk}/").content.decode()
    assert f"/portfolio/goals/?learner={world.learner_a.pk}" in timeline


def test_examiner_reads_without_a_comment_form(world, portfolio_page, client):
    goal = a_goal(world.learner_a)
    client.force_login(world.examiner)
    page = client.get(f"/portfolio/goals/{goal.pk}/")
    assert page.status_code == 200 and b"Add comment" not in page.content


GOAL_URLS = [
    ("get", "/portfolio/goals/{pk}/"),
    ("get", "/portfolio/goals/{pk}/edit/"),
    ("post", "/portfolio/goals/{pk}/edit/"),
    ("post", "/portfolio/goals/{pk}/review/"),
    ("post", "/portfolio/goals/{pk}/comment/"),
]


@pytest.mark.parametrize("who", ["learner_a", "tutor", "former", "examiner", "patient_rep"])
def test_other_learners_goals_are_404_everywhere(world, portfolio_page, client, who):
    goal = a_goal(world.learner_b, what="B's own goal")
    reflection = gibbs(world.learner_b)
    client.force_login(getattr(world, who))
    payload = {"status": "achieved", "review": "x", "body": "x", "what": "Hijack", "due_on": "2030-01-01"}
    for method, url in GOAL_URLS:
        response = getattr(client, method)(url.format(pk=goal.pk), payload)
        assert response.status_code == 404, (who, method, url)
    assert client.get(f"/portfolio/goals/?learner={world.learner_b.pk}").status_code == 404
    assert b"B's own goal" not in client.get("/portfolio/goals/").content
    if who == "learner_a":
        assert client.get(f"/portfolio/goals/new/?reflection={reflection.pk}").status_code == 404
    goal.refresh_from_db()
    assert goal.status == "open" and goal.what == "B's own goal" and not goal.comments.exists()


def test_the_list_runs_a_constant_number_of_queries(
    world, portfolio_page, client, django_assert_max_num_queries
):
    for n in range(3):
        a_goal(world.learner_a, what=f"Goal {n}")
    client.force_login(world.tutor)
    with django_assert_max_num_queries(30) as few:
        assert client.get("/portfolio/goals/").status_code == 200
    for n in range(15):
        a_goal(world.learner_a, what=f"More {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/portfolio/goals/")
    assert response.status_code == 200 and b"More 14" in response.content
