"""Crafted input is a 400 with a reason, never a 500 (issue #13, item 2), on SQLite and on
PostgreSQL (CI runs this file on both):

- a search query holding the search backend's syntax (``q="``, ``a"b``): SQLite FTS5 raised a
  syntax error from Wagtail's database backend;
- deeply nested JSON (``[`` × 100,000) to any API endpoint, ``auth/token/`` without signing in
  included: RecursionError in Python's JSON parser;
- numbers no float holds (1e999), NaN, integers of thousands of digits, bodies over the size
  limit (413);
- the rubric JSON import with points of 10^30, a weight of 1e308, nested arrays.
"""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Feedback
from portfolio import services
from reflect import limits
from rubrics import services as rubric_services
from rubrics.models import Rubric
from tests.factories import feedback_invitation

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000
DAY = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


@pytest.fixture
def searchable(world):
    """A reflection of learner A, indexed for search."""
    return services.create_reflection(
        world.learner_a,
        {
            "title": "Kestrel wing clinic",
            "kind": "other",
            "occurred_on": DAY,
            "body_html": "<p>A housing visit</p>",
        },
    )


# --- search --------------------------------------------------------------------------------
SYNTAX = ['kestrel"wing', "kestrel'", "(kestrel", "kestrel*", "kestrel:wing", "-kestrel^", "kestrel\x00"]


@pytest.mark.parametrize("q", SYNTAX)
def test_search_syntax_is_ignored_and_the_words_are_searched(
    world, searchable, api, client, portfolio_page, q
):
    response = api(world.learner_a).get("/api/v1/reflections/", {"q": q})
    if "\x00" in q:  # the API's filter form refuses null characters outright
        assert response.status_code == 400 and "Null characters" in str(response.json())
    else:
        assert response.status_code == 200, response.content
        assert [r["id"] for r in response.json()["results"]] == [searchable.pk]
    client.force_login(world.learner_a)
    page = client.get("/portfolio/reflections/", {"q": q})
    assert page.status_code == 200 and "Kestrel wing clinic" in page.content.decode()


@pytest.mark.parametrize("q", ['"', '""', "'", "(", "*", "^-:"])
def test_a_search_with_no_word_is_a_400_with_a_reason(world, searchable, api, client, portfolio_page, q):
    response = api(world.learner_a).get("/api/v1/reflections/", {"q": q})
    assert response.status_code == 400, response.content
    assert "at least one word" in " ".join(response.json()["q"])
    client.force_login(world.learner_a)
    page = client.get("/portfolio/reflections/", {"q": q})
    assert page.status_code == 400 and "at least one word" in page.content.decode()


def test_an_over_long_search_is_a_400(world, api, client, portfolio_page):
    q = "word " * limits.SEARCH
    assert api(world.learner_a).get("/api/v1/reflections/", {"q": q}).status_code == 400
    client.force_login(world.learner_a)
    assert client.get("/portfolio/reflections/", {"q": q}).status_code == 400


# --- JSON bodies ---------------------------------------------------------------------------
def post_raw(client, path, body: str | bytes):
    return client.generic("POST", path, body, content_type="application/json")


@pytest.mark.parametrize("body", [DEEP, '{"a":' * 50_000, '{"title": ' + "[" * 40 + "]" * 40 + "}"])
def test_deep_json_is_a_400_everywhere_even_without_signing_in(world, api, body):
    _, raw = feedback_invitation(world.learner_a)
    anonymous, learner, tutor = api(), api(world.learner_a), api(world.tutor)
    for client, path in [
        (anonymous, "/api/v1/auth/token/"),
        (anonymous, f"/api/v1/feedback/respond/{raw}/"),
        (learner, "/api/v1/reflections/"),
        (tutor, "/api/v1/assessments/"),
        (tutor, "/api/v1/feedback-invitations/"),
    ]:
        response = post_raw(client, path, body)
        assert response.status_code == 400, (path, response.status_code, response.content[:200])
        assert "nests" in response.json()["detail"], response.json()
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    "body, reason",
    [
        ('{"username": 1e999, "password": "x"}', "too large"),
        ('{"username": NaN, "password": "x"}', "not a JSON number"),
        ('{"username": Infinity, "password": "x"}', "not a JSON number"),
        ('{"username": ' + "9" * 5000 + ', "password": "x"}', "could not be read"),
        ('{"username": "x", "password": ', "Expecting value"),
        (b'{"username": "\xff"}', "not utf-8"),
    ],
)
def test_numbers_no_float_holds_and_broken_json_are_a_400(api, body, reason):
    response = post_raw(api(), "/api/v1/auth/token/", body)
    assert response.status_code == 400, response.content
    assert reason.lower() in response.json()["detail"].lower()


def test_a_body_over_the_limit_is_a_413(world, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"title": "T", "kind": "other", "occurred_on": DAY, "body_html": "x" * 20_000})
    response = post_raw(api(world.learner_a), "/api/v1/reflections/", body)
    assert response.status_code == 413 and "at most 9.8 KB" in response.json()["detail"]


# --- the rubric JSON import ----------------------------------------------------------------
def rubric_file(**criterion_overrides) -> dict:
    criterion = {
        "title": "C",
        "weight": "1",
        "levels": [{"label": "Low", "points": 0}, {"label": "High", "points": 1}],
        **criterion_overrides,
    }
    return {"slug": "crafted", "title": "Crafted", "criteria": [criterion]}


@pytest.mark.parametrize(
    "data, message",
    [
        (
            rubric_file(levels=[{"label": "Low", "points": 0}, {"label": "High", "points": 10**30}]),
            "$.criteria[0].levels[1].points: must be at most 1,000,000.",
        ),
        (rubric_file(weight=1e308), "$.criteria[0].weight: must be greater than zero and at most 9999.99."),
        (rubric_file(weight=-1e308), "$.criteria[0].weight: must be greater than zero and at most 9999.99."),
        (
            rubric_file(weight="1e999999"),
            "$.criteria[0].weight: must be greater than zero and at most 9999.99.",
        ),
        (rubric_file(levels=[[[[[]]]]]), "$.criteria[0].levels[0]: must be an object."),
        (rubric_file(title=[[["C"]]]), "$.criteria[0].title: must be a string."),
        (rubric_file(competencies=[[["x"]]]), "$.criteria[0].competencies[0]: must be a competency code"),
        (
            rubric_file(
                weight="9999.99", levels=[{"label": "L", "points": 0}, {"label": "H", "points": 1_000_000}]
            ),
            "The rubric's maximum score",
        ),
        (
            {**rubric_file(), "criteria": [rubric_file()["criteria"][0]] * 201},
            "may hold at most 200 criteria",
        ),
    ],
)
def test_the_rubric_import_refuses_crafted_values_with_a_reason(data, message):
    with pytest.raises(Exception) as exc:  # noqa: PT011 - the type is checked just below
        rubric_services.import_json(data)
    assert type(exc.value).__name__ == "ValidationError", exc.value
    assert any(m.startswith(message) or message in m for m in exc.value.messages), exc.value.messages
    assert not Rubric.objects.filter(slug="crafted").exists()


@pytest.mark.parametrize(
    "content, reason",
    [
        (
            json.dumps(rubric_file(levels=[{"label": "L", "points": 0}, {"label": "H", "points": 10**30}])),
            "points",
        ),
        (json.dumps(rubric_file(weight=1e308)), "weight"),
        ('{"slug": "crafted", "criteria": ' + "[" * 100_000 + "]" * 100_000 + "}", "nests"),
        ('{"slug": "crafted", "weight": 1e999}', "too large"),
        ('{"slug": NaN}', "not a JSON number"),
    ],
)
def test_the_admin_import_answers_400_with_the_reason(admin_client, content, reason):
    upload = io.BytesIO(content.encode())
    upload.name = "crafted.json"
    response = admin_client.post(reverse("rubrics_admin_import"), {"file": upload})
    assert response.status_code == 400, response.status_code
    assert reason in response.content.decode()
    assert not Rubric.objects.filter(slug="crafted").exists()
