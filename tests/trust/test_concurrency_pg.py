"""Concurrency with real parallel HTTP requests against a running server (PostgreSQL).

Two threads, lined up with a `threading.Barrier`, send their requests to pytest-django's
`live_server` at the same moment; each request is served on its own server thread with its
own database connection. Exactly one wins; the other gets the contract's answer (409 or
410); nothing is lost or merged. Repeated a few times, since a race may hide once.
"""

from __future__ import annotations

import threading

import pytest
import requests
from django.db import connection

from assessments.models import Assessment, Score
from feedback.models import Feedback
from reflect import roles as R
from tests.factories import (
    AllocationFactory,
    LearnerFactory,
    UserFactory,
    api_token,
    feedback_invitation,
    make_published_rubric,
    mark,
    submitted_reflection,
)

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers with one database-wide lock, so two "
        "requests can never race there and the test would prove nothing",
    ),
]
REPEAT = range(3)


def race(requests_to_send: list) -> list[requests.Response]:
    """Send each (method, url, kwargs) from its own thread, all released at once."""
    barrier = threading.Barrier(len(requests_to_send))
    results: list = [None] * len(requests_to_send)

    def go(n, method, url, kwargs):
        session = requests.Session()
        try:
            barrier.wait(timeout=10)
            results[n] = session.request(method, url, timeout=30, **kwargs)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[n] = exc
        finally:
            session.close()

    threads = [threading.Thread(target=go, args=(n, *r)) for n, r in enumerate(requests_to_send)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert all(isinstance(r, requests.Response) for r in results), results
    return results


def auth(user) -> dict:
    return {"Authorization": f"Token {api_token(user)}"}


@pytest.fixture
def marking(transactional_db):
    learner = LearnerFactory()
    tutor = UserFactory(roles=(R.TUTOR,))
    AllocationFactory(tutor=tutor, learner=learner)
    rubric = make_published_rubric(criteria=3, levels=3)
    assessment = mark(submitted_reflection(learner), rubric, tutor, levels=0)
    return tutor, assessment


@pytest.mark.parametrize("attempt", REPEAT)
def test_two_saves_of_the_same_version_one_wins(live_server, marking, attempt):
    tutor, assessment = marking
    url = f"{live_server.url}/api/v1/assessments/{assessment.pk}/"
    criteria = list(assessment.scores.order_by("criterion__sort_order").values("criterion", "level"))

    def body(who):
        scores = [
            {"criterion": c["criterion"], "level": c["level"], "comment": f"{who} on {c['criterion']}"}
            for c in criteria
        ]
        return {"version": assessment.version, "scores": scores, "overall_comment": f"Overall by {who}"}

    headers = auth(tutor)  # one tutor in two sessions (two tabs)
    responses = race(
        [
            ("PATCH", url, {"json": body("first"), "headers": headers}),
            ("PATCH", url, {"json": body("second"), "headers": headers}),
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409], [(r.status_code, r.text[:200]) for r in responses]
    winner = "first" if responses[0].status_code == 200 else "second"
    loser = responses[1] if winner == "first" else responses[0]
    assert loser.headers["Content-Type"].startswith("application/json")
    stored = Assessment.objects.get(pk=assessment.pk)
    assert stored.overall_comment == f"Overall by {winner}"
    assert stored.version == assessment.version + 1
    comments = set(Score.objects.filter(assessment=stored).values_list("comment", flat=True))
    assert comments == {f"{winner} on {c['criterion']}" for c in criteria}, "nothing merged, nothing lost"


@pytest.mark.parametrize("attempt", REPEAT)
def test_two_finalisations_at_once_one_wins(live_server, marking, attempt):
    tutor, assessment = marking
    url = f"{live_server.url}/api/v1/assessments/{assessment.pk}/finalise/"
    headers = auth(tutor)
    responses = race([("POST", url, {"json": {"version": assessment.version}, "headers": headers})] * 2)
    assert sorted(r.status_code for r in responses) == [200, 409], [r.text[:200] for r in responses]
    stored = Assessment.objects.get(pk=assessment.pk)
    assert stored.status == Assessment.Status.FINALISED
    winner = next(r for r in responses if r.status_code == 200).json()
    assert winner["finalised_at"] is not None
    assert stored.finalised_at.isoformat().replace("+00:00", "Z")[:19] == winner["finalised_at"][:19]
    assert stored.version == assessment.version + 1, "finalised exactly once"


@pytest.mark.parametrize("attempt", REPEAT)
def test_two_submissions_of_one_link_store_exactly_one(live_server, transactional_db, attempt):
    learner = LearnerFactory()
    invitation, raw = feedback_invitation(learner)
    url = f"{live_server.url}/api/v1/feedback/respond/{raw}/"

    def body(n):
        return {
            "ratings": {"listening": 5},
            "comments": f"Answer {n}",
            "anonymous": True,
            "respondent_role": "carer",
        }

    responses = race([("POST", url, {"json": body(1)}), ("POST", url, {"json": body(2)})])
    assert sorted(r.status_code for r in responses) == [201, 410], [r.text[:200] for r in responses]
    [stored] = Feedback.objects.filter(invitation=invitation)
    winner = 1 if responses[0].status_code == 201 else 2
    assert stored.comments == f"Answer {winner}"
