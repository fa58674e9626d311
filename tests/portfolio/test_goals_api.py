"""`/api/v1/goals/` (issue 16): the learner's scope, filters, the create rules (a goal due before
its reflection is a 400 and nothing is stored), 404 out of scope, 403 for patient
representatives, and a list whose queries do not grow with its rows."""

from __future__ import annotations

import datetime

import pytest

from portfolio.goal_models import Goal
from portfolio.services import goals as services
from tests.factories import ReflectionFactory

pytestmark = pytest.mark.django_db


def a_goal(learner, what="Read the housing guidance", **kwargs):
    goal = services.create_goal(
        learner,
        {
            "what": what,
            "due_on": datetime.date.today() + datetime.timedelta(days=10),
            "success_measure": "Three adaptations named",
            "themes": ["context"],
            **kwargs,
        },
    )
    return goal


def test_list_shape_scope_and_filters(world, api):
    mine = a_goal(world.learner_a)
    services.review_goal(mine, world.learner_a, "achieved", "Read it twice.")
    services.comment_on_goal(mine, world.tutor, "Well done.")
    a_goal(world.learner_a, what="Still open")
    a_goal(world.learner_b, what="B's goal")
    response = api(world.tutor).get("/api/v1/goals/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and {"next", "previous", "results"} <= set(body)
    row = next(r for r in body["results"] if r["id"] == mine.pk)
    assert row["learner"]["id"] == world.learner_a.pk and row["themes"] == ["context"]
    assert row["status"] == "achieved" and row["review"] == "Read it twice." and row["reviewed_at"]
    assert row["comments"][0]["body"] == "Well done." and row["comments"][0]["author"]["id"] == world.tutor.pk
    assert set(row) == {
        "id", "learner", "reflection", "what", "due_on", "success_measure", "themes", "status",
        "review", "reviewed_at", "comments", "created_at",
    }  # fmt: skip
    only_open = api(world.tutor).get("/api/v1/goals/", {"status": "open"}).json()
    assert [r["what"] for r in only_open["results"]] == ["Still open"]
    assert api(world.admin).get("/api/v1/goals/", {"learner": world.learner_b.pk}).json()["count"] == 1
    assert api(world.tutor).get("/api/v1/goals/", {"learner": world.learner_b.pk}).json()["count"] == 0
    assert api(world.tutor).get("/api/v1/goals/", {"status": "done"}).status_code == 400


@pytest.mark.parametrize("who", ["learner_a", "tutor", "former", "examiner"])
def test_other_learners_goal_is_404(world, api, who):
    theirs = a_goal(world.learner_b)
    client = api(getattr(world, who))
    assert client.get(f"/api/v1/goals/{theirs.pk}/").status_code == 404
    assert theirs.pk not in [r["id"] for r in client.get("/api/v1/goals/").json()["results"]]


def test_examiner_in_cohort_reads(world, api):
    goal = a_goal(world.learner_a)
    response = api(world.examiner).get(f"/api/v1/goals/{goal.pk}/")
    assert response.status_code == 200 and response.json()["what"] == "Read the housing guidance"


def test_patient_rep_and_anonymous(world, api):
    assert api(world.patient_rep).get("/api/v1/goals/").status_code == 403
    assert api(None).get("/api/v1/goals/").status_code == 401


def test_learner_creates_a_goal_from_a_reflection(world, api):
    reflection = ReflectionFactory(learner=world.learner_a, occurred_on=datetime.date(2026, 3, 14))
    client = api(world.learner_a)
    data = {
        "what": "Book interpreters early",
        "due_on": "2026-03-13",
        "success_measure": "Every ED shift",
        "themes": ["equity_power"],
        "reflection": reflection.pk,
    }
    refused = client.post("/api/v1/goals/", data, format="json")
    assert refused.status_code == 400 and "due_on" in refused.json()
    assert not Goal.objects.exists()
    created = client.post("/api/v1/goals/", {**data, "due_on": "2026-04-30"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["reflection"] == reflection.pk and created.json()["status"] == "open"
    others = ReflectionFactory(learner=world.learner_b)
    assert client.post("/api/v1/goals/", {**data, "reflection": others.pk}, format="json").status_code == 404
    assert api(world.tutor).post("/api/v1/goals/", data, format="json").status_code == 403
    assert Goal.objects.count() == 1


def test_the_list_runs_a_constant_number_of_queries(world, api, django_assert_max_num_queries):
    client = api(world.tutor)
    for n in range(2):
        goal = a_goal(world.learner_a, what=f"Goal {n}")
        services.comment_on_goal(goal, world.tutor, "Noted.")
    with django_assert_max_num_queries(20) as few:
        assert client.get("/api/v1/goals/").status_code == 200
    for n in range(12):
        goal = a_goal(world.learner_a, what=f"More {n}")
        services.comment_on_goal(goal, world.tutor, "Noted.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/goals/").json()["count"] == 14


def test_goals_are_in_the_schema(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/goals/"])
    assert "get" in schema["paths"]["/api/v1/goals/{id}/"]
    assert "Goal" in schema["components"]["schemas"]
