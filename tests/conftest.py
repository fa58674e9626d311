"""Shared fixtures. Factories live in tests/factories/ (one module per app)."""

import factory.random
import pytest
from rest_framework.test import APIClient

from portfolio.setup import ensure_portfolio_page
from rubrics.models import status_change_allowed

from .factories import build_world

_SNAPSHOT: dict[str, str | None] = {}


@pytest.fixture(autouse=True)
def _same_people_every_run(request):
    """The factories' random names (Faker) are seeded by the test's id: each test sees the same
    people on every run and in any order, so a test that checks a name is absent cannot pass
    or fail by the chance of two people sharing a surname."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's set-up, then a snapshot of the database as migrations left it (role
    groups, the eight themes, shipped rubrics, the home page), for transactional tests."""
    from django.db import connection

    with django_db_blocker.unblock():
        _SNAPSHOT["default"] = (
            getattr(connection, "_test_serialized_contents", None)
            or connection.creation.serialize_db_to_string()
        )


@pytest.fixture(scope="session")
def _migrated_snapshot(django_db_setup):
    return _SNAPSHOT.get("default")


@pytest.fixture
def _allow_restore(_migrated_snapshot):
    from django.db import connection

    # Playwright's sync API runs on greenlets; Django may then hand the test a different
    # (context-local) connection object that lacks the serialized contents.
    if _migrated_snapshot is not None:
        connection._test_serialized_contents = _migrated_snapshot
    # Restoring copies published rubrics as they were; that is not an edit.
    allowed = status_change_allowed()
    allowed.__enter__()
    return allowed


@pytest.fixture
def transactional_db(_allow_restore, django_db_serialized_rollback, transactional_db):
    """pytest-django's `transactional_db`, plus serialized rollback: a transactional test
    flushes every table when it ends, which would take the migrated data (role groups, the
    eight themes, shipped rubrics, the home page) away from every later test."""
    _allow_restore.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate limits (API throttles, the feedback-link
    guess limiter, sign-in lockout counters) must not carry over from earlier tests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def portfolio_page(db):
    return ensure_portfolio_page()


@pytest.fixture
def api():
    """`api(user)` → an APIClient authenticated as `user` (or anonymous with None)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def world(db):
    """A small world: two cohorts, a learner in each, an allocated tutor, an examiner on
    cohort A's panel, an admin, a patient rep, a former tutor, a two-role user
    (`tests.factories.world.build_world`, which the trust tests' scene shares)."""
    return build_world()


@pytest.fixture(autouse=True)
def _test_settings_restored():
    """A test must leave the settings as it found them. Mixing `@override_settings` with
    pytest-django's `settings` fixture in one test once left `TASKS` on the dummy backend for
    every later test (packs queued and never made); fail the test that leaks instead."""
    from django.conf import settings

    before = settings.TASKS
    yield
    assert settings.TASKS == before, "this test left settings.TASKS changed"
