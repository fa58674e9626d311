"""Two submissions of the same link at the same moment store exactly one answer.

Needs real concurrent transactions, so it runs on PostgreSQL only (SQLite serialises writers
with a database-wide lock, which would prove nothing)."""

import threading

import pytest
from django.db import connection, connections

from feedback import services as fb
from feedback.models import Feedback, Instrument
from reflect.errors import Gone
from tests.factories import LearnerFactory, feedback_invitation

pytestmark = [
    # The project's `transactional_db` (tests/conftest.py) restores the migrated data afterwards;
    # a bare `django_db(transaction=True)` flushes it and breaks later transactional tests on PostgreSQL.
    pytest.mark.usefixtures("transactional_db"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite cannot run two write transactions at the same moment",
    ),
]


@pytest.mark.parametrize(
    "threads, kind",
    [
        (2, "patient"),
        (6, "patient"),
        (2, "carer"),
        (2, "community_partner"),
        (2, "placement_supervisor"),
        (2, "colleague"),
    ],
)
def test_simultaneous_submissions_store_exactly_one(threads, kind):
    learner = LearnerFactory()
    _, raw = feedback_invitation(learner, respondent_type=kind)
    version = Instrument.objects.current(kind)
    ratings, role = {version.keys[0]: 5}, version.roles[0]
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit(n):
        try:
            barrier.wait(timeout=10)
            fb.submit_feedback(raw, ratings, f"Answer {n}", False, role, f"Person {n}")
            result = "stored"
        except Gone:
            result = "gone"
        except Exception as exc:  # noqa: BLE001 - reported below
            result = f"error: {exc!r}"
        finally:
            connections.close_all()  # each thread has its own connection; close it
        with lock:
            outcomes.append(result)

    workers = [threading.Thread(target=submit, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=30)
    assert sorted(outcomes) == ["gone"] * (threads - 1) + ["stored"], outcomes
    assert Feedback.objects.count() == 1
    assert Feedback.objects.get().respondent_type == kind
