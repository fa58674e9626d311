"""Id filters on every list endpoint: a huge, fractional or negative id is a 400 with a reason,
never a 500 (django-filter's NumberFilter passed such values to the database)."""

import pytest

pytestmark = pytest.mark.django_db

CASES = [
    ("/api/v1/learners/", "cohort"),
    ("/api/v1/reflections/", "learner"),
    ("/api/v1/reflections/", "cohort"),
    ("/api/v1/assessments/", "reflection"),
    ("/api/v1/assessments/", "learner"),
    ("/api/v1/assessments/", "cohort"),
    ("/api/v1/assessments/", "rubric"),
    ("/api/v1/assessments/", "assessor"),
    ("/api/v1/feedback/", "learner"),
    ("/api/v1/arcp-reviews/", "learner"),
    ("/api/v1/supervisor-reports/", "learner"),
]


@pytest.mark.parametrize("url,name", CASES)
@pytest.mark.parametrize("value", ["99999999999999999999", "4.7e16", "1.5", "-3", "0", "abc"])
def test_bad_id_filter_is_400(world, api, url, name, value):
    response = api(world.admin).get(url, {name: value})
    assert response.status_code == 400, (url, name, value, response.status_code)
    assert name in response.json()


@pytest.mark.parametrize("url,name", CASES)
def test_good_id_filter_still_filters(world, api, url, name):
    response = api(world.admin).get(url, {name: 2**63 - 1})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_schema_describes_id_filters_as_integers(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    params = {p["name"]: p for p in schema["paths"]["/api/v1/assessments/"]["get"]["parameters"]}
    assert params["assessor"]["schema"]["type"] == "integer"
    assert params["assessor"]["schema"]["minimum"] == 1
