"""Query budget of the examiner's assessment and feedback lists (issue #7 performance goal):
constant in the page size, at most 8, with token authentication."""

import pytest
from rest_framework.test import APIClient

from ..factories import FeedbackFactory, api_token, make_published_rubric, mark, submitted_reflection

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
        mark(reflection, rubric, world.tutor, finalise=True)
        FeedbackFactory(learner=world.learner_a)
    return world


@pytest.mark.parametrize("url", ["/api/v1/assessments/", "/api/v1/feedback/"])
@pytest.mark.parametrize("page_size", [2, 200])
def test_list_queries_constant_and_within_budget(busy_world, django_assert_max_num_queries, url, page_size):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(busy_world.examiner)}")
    client.get(url)
    with django_assert_max_num_queries(BUDGET):
        response = client.get(url, {"page_size": page_size})
    assert response.status_code == 200
    assert response.json()["count"] >= 12
