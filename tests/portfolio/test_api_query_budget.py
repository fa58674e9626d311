"""Query budget of the examiner's list endpoints (issue #7 performance goal): the number of
queries does not grow with the page size and stays at most 8, with token authentication
as real clients use it."""

import pytest
from rest_framework.test import APIClient

from rubrics.models import Competency

from ..factories import api_token, make_published_rubric, mark, submitted_reflection

# Transactional: requests run in autocommit as in production, so the audit log's write
# transaction (BEGIN/INSERT/COMMIT on PostgreSQL) counts against the budget too.
# The project's `transactional_db` (tests/conftest.py) restores the migrated data afterwards; a bare
# `django_db(transaction=True)` flushes it and breaks later transactional tests on PostgreSQL.
pytestmark = pytest.mark.usefixtures("transactional_db")

BUDGET = 8


@pytest.fixture
def busy_world(world):
    rubric = make_published_rubric(criteria=3, levels=3)
    for n in range(12):
        reflection = submitted_reflection(world.learner_a, title=f"Reflection {n}")
        reflection.themes.set(Competency.objects.themes()[:2])
        mark(reflection, rubric, world.tutor, finalise=True)
    return world


def examiner_client(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(world.examiner)}")
    return client


@pytest.mark.parametrize("url", ["/api/v1/reflections/", "/api/v1/learners/"])
@pytest.mark.parametrize("page_size", [2, 200])
def test_list_queries_constant_and_within_budget(busy_world, django_assert_max_num_queries, url, page_size):
    client = examiner_client(busy_world)
    client.get(url)  # warm per-process caches (content types)
    with django_assert_max_num_queries(BUDGET):
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200
    assert response.json()["count"] >= 1
