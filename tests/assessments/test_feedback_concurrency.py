"""Two submissions of the same link at the same moment store exactly one answer.

Needs real concurrent transactions, so it runs on PostgreSQL only (SQLite serialises writers
with a database-wide lock, which would prove nothing)."""

import threading

import pytest
from django.db import connection, connections

from feedback import services as fb
from feedback.models import Feedback
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


@pytest.mark.parametrize("threads", [2, 6])
def test_simultaneous_submissions_store_exactly_one(threads):
    learner = LearnerFactory()
    _, raw = feedback_invitation(learner)
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit(n):
        try:
            barrier.wait(timeout=10)
            fb.submit_feedback(raw, {"listening": 5}, f"Answer {n}", False, "carer", f"Person {n}")
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
