"""One report per learner per period under concurrent writers (PostgreSQL: row locks)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, transaction

from arcp import services
from arcp.models import SupervisorReport
from tests.arcp.test_esr_themes import TODAY, YEAR_AGO, data
from tests.factories import signed_supervisor_report

pytestmark = [
    # The project's `transactional_db` (tests/conftest.py) restores the migrated data (the eight
    # themes among them) afterwards; a module `django_db` mark or `django_db(transaction=True)`
    # would set up the database before it and flush that data for every later test.
    pytest.mark.usefixtures("transactional_db"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks: PostgreSQL (SQLite serialises writers)"
    ),
]


def test_two_tutors_saving_at_once_take_turns_and_the_second_is_refused(world):
    """Another writer holds the learner's lock and inserts a report; a create started meanwhile
    waits for the lock, then sees that report and is refused (without the lock it would
    read before the other commits and save an overlapping second report)."""
    outcome = {}

    def second():
        try:
            services.create_report(
                world.tutor, world.learner_a, data(period_from=TODAY - datetime.timedelta(days=30))
            )
        except services.PeriodTaken as exc:
            outcome["refused"] = exc.existing.pk
        finally:
            connection.close()

    with transaction.atomic():
        type(world.learner_a).objects.select_for_update().get(pk=world.learner_a.pk)
        first = signed_supervisor_report(world.learner_a, YEAR_AGO, TODAY)
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive()  # waiting for the lock
    thread.join(timeout=10)
    assert outcome == {"refused": first.pk}
    assert SupervisorReport.objects.filter(learner=world.learner_a).count() == 1
