"""API skeleton: auth, me, learners, pagination, JSON errors, schema."""

import pytest
from rest_framework.test import APIClient

from reflect import roles as R

from ..factories import AllocationFactory, CohortFactory, LearnerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_token_round_trip(world):
    client = APIClient()
    r = client.post("/api/v1/auth/token/", {"username": "tutor", "password": "pw"}, format="json")
    assert r.status_code == 200, r.content
    token = r.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "tutor"
    assert me.json()["roles"] == ["tutor"]


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "tutor", "password": "wrong"},
        {"username": "nobody", "password": "pw"},
        {"username": "tutor"},
        {},
    ],
)
def test_bad_credentials_are_400_json(world, payload):
    r = APIClient().post("/api/v1/auth/token/", payload, format="json")
    assert r.status_code == 400
    assert r["Content-Type"].startswith("application/json")


def test_inactive_user_cannot_get_token(world):
    world.tutor.is_active = False
    world.tutor.save()
    r = APIClient().post("/api/v1/auth/token/", {"username": "tutor", "password": "pw"}, format="json")
    assert r.status_code == 400


def test_malformed_json_is_400_not_500(world):
    r = APIClient().post("/api/v1/auth/token/", data="{not json", content_type="application/json")
    assert r.status_code == 400
    assert "detail" in r.json()


@pytest.mark.parametrize("url", ["/api/v1/me/", "/api/v1/learners/", "/api/v1/learners/1/"])
def test_no_credentials_is_401(db, url):
    r = APIClient().get(url)
    assert r.status_code == 401
    assert "detail" in r.json()


def test_bad_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/v1/me/").status_code == 401


def test_me_lists_cohorts_of_learner_and_examiner(world, api):
    assert api(world.learner_a).get("/api/v1/me/").json()["cohorts"] == [
        {"id": world.cohort_a.id, "name": "Cohort A", "programme_type": "undergraduate"}
    ]
    data = api(world.dual).get("/api/v1/me/").json()
    assert data["roles"] == ["tutor", "examiner"]
    assert [c["name"] for c in data["cohorts"]] == ["Cohort A"]


@pytest.mark.parametrize(
    "who,expected",
    [
        ("learner_a", ["learner_a"]),
        ("learner_b", ["learner_b"]),
        ("tutor", ["learner_a"]),
        ("former", []),
        ("examiner", ["learner_a"]),
        ("admin", ["learner_a", "learner_b"]),
        ("dual", ["learner_a", "learner_b"]),
    ],
)
def test_learner_list_scope(world, api, who, expected):
    r = api(getattr(world, who)).get("/api/v1/learners/")
    assert r.status_code == 200
    body = r.json()
    assert sorted(x["username"] for x in body["results"]) == expected
    assert body["count"] == len(expected)


def test_patient_rep_is_403_on_learners(world, api):
    r = api(world.patient_rep).get("/api/v1/learners/")
    assert r.status_code == 403
    assert "detail" in r.json()


def test_out_of_scope_learner_is_404(world, api):
    r = api(world.tutor).get(f"/api/v1/learners/{world.learner_b.id}/")
    assert r.status_code == 404
    assert r.json() == {"detail": "No Learner matches the given query."} or "detail" in r.json()
    assert api(world.tutor).get(f"/api/v1/learners/{world.learner_a.id}/").status_code == 200
    assert api(world.former).get(f"/api/v1/learners/{world.learner_b.id}/").status_code == 404


def test_nonexistent_learner_is_404_like_out_of_scope(world, api):
    a = api(world.tutor).get("/api/v1/learners/999999/")
    b = api(world.tutor).get(f"/api/v1/learners/{world.learner_b.id}/")
    assert a.status_code == b.status_code == 404
    assert a.json() == b.json()


def test_learner_fields(world, api):
    r = api(world.admin).get(f"/api/v1/learners/{world.learner_a.id}/")
    assert set(r.json()) == {
        "id",
        "username",
        "display_name",
        "cohort",
        "reflection_count",
        "assessment_count",
        "feedback_count",
    }
    cohort = {"id": world.cohort_a.id, "name": "Cohort A", "programme_type": "undergraduate"}
    assert r.json()["cohort"] == cohort


def test_cohort_filter(world, api):
    r = api(world.admin).get(f"/api/v1/learners/?cohort={world.cohort_b.id}")
    assert [x["username"] for x in r.json()["results"]] == ["learner_b"]
    assert api(world.admin).get("/api/v1/learners/?cohort=abc").status_code == 400


def test_pagination_default_and_max(db, api):
    admin = UserFactory(roles=(R.ADMIN,))
    cohort = CohortFactory()
    for _ in range(60):
        LearnerFactory(cohort=cohort)
    body = api(admin).get("/api/v1/learners/").json()
    assert body["count"] == 60 and len(body["results"]) == 50 and body["next"] and body["previous"] is None
    body = api(admin).get("/api/v1/learners/?page=2&page_size=25").json()
    assert len(body["results"]) == 25 and body["previous"]
    body = api(admin).get("/api/v1/learners/?page_size=500").json()
    assert len(body["results"]) == 60  # capped at 200, all fit
    r = api(admin).get("/api/v1/learners/?page=99")
    assert r.status_code == 404 and "detail" in r.json()


def test_list_query_count_is_constant(db, api, django_assert_max_num_queries):
    tutor = UserFactory(roles=(R.TUTOR,))
    for _ in range(30):
        AllocationFactory(tutor=tutor)
    with django_assert_max_num_queries(6):
        r = api(tutor).get("/api/v1/learners/?page_size=200")
    assert r.json()["count"] == 30


def test_unknown_api_url_is_json_404(db, client):
    r = client.get("/api/v1/does-not-exist/")
    assert r.status_code == 404
    assert r.json() == {"detail": "Not found."}


def test_method_not_allowed_is_json(world, api):
    r = api(world.admin).delete(f"/api/v1/learners/{world.learner_a.id}/")
    assert r.status_code == 405
    assert "detail" in r.json()


def test_schema_and_docs(world, client):
    client.force_login(world.admin)
    r = client.get("/api/v1/schema/?format=json")
    assert r.status_code == 200
    schema = r.json()
    assert schema["openapi"].startswith("3.")
    for path in ["/api/v1/me/", "/api/v1/learners/", "/api/v1/learners/{id}/", "/api/v1/auth/token/"]:
        assert path in schema["paths"], path
    assert client.get("/api/v1/docs/").status_code == 200


def test_session_auth_works_for_browser(world, client):
    client.force_login(world.learner_a)
    assert client.get("/api/v1/me/").json()["username"] == "learner_a"
