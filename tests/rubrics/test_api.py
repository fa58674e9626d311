"""Rubrics API: shape, scope (patient_rep 403, anonymous 401, drafts 404), read-only (405),
constant query count."""

import pytest

from rubrics import services
from rubrics.models import Rubric
from tests.factories import CompetencyFactory, RubricFactory, make_published_rubric

pytestmark = pytest.mark.django_db

URL = "/api/v1/rubrics/"


@pytest.fixture
def rubric():
    comp = CompetencyFactory(code="advocacy_x")
    return make_published_rubric(criteria=2, levels=3, weights=["2", "0.5"], competencies=[[comp], []])


def test_detail_has_exactly_the_contract_fields(world, api, rubric):
    response = api(world.learner_a).get(f"{URL}{rubric.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["id", "slug", "title", "version", "status", "content_hash", "max_score", "criteria"]
    assert body["status"] == "published"
    assert body["content_hash"] == rubric.content_hash
    assert body["max_score"] == 5.0  # 2×2 + 0.5×2
    first = body["criteria"][0]
    assert list(first) == ["id", "title", "description", "weight", "competencies", "levels"]
    assert first["weight"] == 2.0
    assert first["competencies"] == ["advocacy_x"]
    assert [list(level) for level in first["levels"]] == [["id", "label", "descriptor", "points"]] * 3
    assert [level["points"] for level in first["levels"]] == [0, 1, 2]


@pytest.mark.parametrize("who", ["learner_a", "tutor", "examiner", "admin", "dual"])
def test_every_role_but_patient_rep_can_read(world, api, rubric, who):
    assert api(getattr(world, who)).get(URL).status_code == 200
    assert api(getattr(world, who)).get(f"{URL}{rubric.pk}/").status_code == 200


def test_patient_rep_403_anonymous_401(world, api, rubric):
    assert api(world.patient_rep).get(URL).status_code == 403
    assert api(world.patient_rep).get(f"{URL}{rubric.pk}/").status_code == 403
    response = api(None).get(URL)
    assert response.status_code == 401
    assert "detail" in response.json()


def test_list_has_published_only_drafts_404_retired_detail_readable(world, api, rubric):
    draft = RubricFactory()
    next_draft = services.new_version(rubric)
    v2 = services.publish(next_draft)
    rubric.refresh_from_db()
    assert rubric.status == "retired"
    client = api(world.tutor)
    ids = [r["id"] for r in client.get(URL).json()["results"]]
    assert v2.pk in ids and rubric.pk not in ids and draft.pk not in ids
    assert set(ids) == set(Rubric.objects.filter(status="published").values_list("pk", flat=True))
    # The two shipped rubrics are there too.
    slugs = {r["slug"] for r in client.get(URL).json()["results"]}
    assert {"social-accountability", "depth-of-reflection"} <= slugs
    assert client.get(f"{URL}{draft.pk}/").status_code == 404
    retired = client.get(f"{URL}{rubric.pk}/")
    assert retired.status_code == 200 and retired.json()["status"] == "retired"
    missing = client.get(f"{URL}{draft.pk}/")
    assert "detail" in missing.json()  # JSON, like every API error


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
def test_no_writes(world, api, rubric, method):
    client = api(world.admin)
    url = URL if method == "post" else f"{URL}{rubric.pk}/"
    response = getattr(client, method)(url, {"title": "Hacked"}, format="json")
    assert response.status_code == 405
    rubric.refresh_from_db()
    assert rubric.title != "Hacked"
    assert services.compute_hash(rubric) == rubric.content_hash


def test_list_query_count_is_constant(world, api, django_assert_max_num_queries):
    for _ in range(2):
        make_published_rubric(criteria=2, levels=3)
    client = api(world.learner_a)
    with django_assert_max_num_queries(8) as few:
        assert client.get(URL).status_code == 200
    for _ in range(5):
        make_published_rubric(criteria=4, levels=4)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(URL).json()
    assert body["count"] == 7 + 2  # and the two shipped rubrics
