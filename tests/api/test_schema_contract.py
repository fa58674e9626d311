"""The schema clients are generated from (issue 13, item 9): valid OpenAPI, JSON bodies (multipart
only where a file is sent), every error answer with its body, and the server refusing what
the schema does not allow."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from ..factories import api_token, make_published_rubric, submitted_reflection

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/api/v1/schema/?format=json"
MULTIPART_ONLY = {("post", "/api/v1/exports/verify/"), ("post", "/api/v1/reflections/{id}/attachments/")}


@pytest.fixture
def schema(client):
    response = client.get(SCHEMA_URL)
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method, path, operation


def test_the_served_schema_is_valid_openapi(schema):
    validate(schema)  # openapi-spec-validator: raises on any error


def test_request_bodies_are_json_and_multipart_only_where_a_file_is_sent(schema):
    bodies = {
        (method, path): sorted(op["requestBody"]["content"])
        for method, path, op in operations(schema)
        if "requestBody" in op
    }
    assert len(bodies) >= 10
    for key, kinds in bodies.items():
        expected = ["multipart/form-data"] if key in MULTIPART_ONLY else ["application/json"]
        assert kinds == expected, key


def test_every_error_answer_documents_its_json_body(schema):
    components = schema["components"]["schemas"]
    checked = 0
    for method, path, operation in operations(schema):
        for code, response in operation["responses"].items():
            if int(code) < 400:
                continue
            content = response.get("content") or {}
            assert list(content) == ["application/json"], (method, path, code)
            body = content["application/json"]["schema"]
            refs = [item["$ref"] for item in body.get("anyOf", [body]) if "$ref" in item]
            assert refs, (method, path, code, body)
            for ref in refs:
                assert ref.rsplit("/", 1)[-1] in components
            checked += 1
    assert checked > 100


def test_particular_errors_are_documented(schema):
    paths = schema["paths"]

    def body(path, method, code):
        return paths[path][method]["responses"][code]["content"]["application/json"]["schema"]

    assert body("/api/v1/reflections/", "post", "400") == {"$ref": "#/components/schemas/ApiValidationError"}
    submit_400 = body("/api/v1/reflections/{id}/submit/", "post", "400")
    assert {item["$ref"].rsplit("/", 1)[-1] for item in submit_400["anyOf"]} == {
        "IdentifierFindingsError",
        "ApiValidationError",
    }
    assert "$ref" in body("/api/v1/reflections/{id}/", "patch", "409")
    assert "$ref" in body("/api/v1/assessments/{id}/", "patch", "409")
    assert "$ref" in body("/api/v1/feedback/respond/{token}/", "post", "410")
    for method, path, operation in operations(schema):
        if "requestBody" in operation:
            assert "415" in operation["responses"], (method, path)


def test_the_pack_period_rule_is_in_the_schema(schema):
    parameters = {
        p["name"]: p for p in schema["paths"]["/api/v1/learners/{id}/arcp.pdf"]["get"]["parameters"]
    }
    assert "to >= from" in parameters["to"]["description"]
    assert parameters["from"]["required"] and parameters["to"]["required"]


def test_page_parameters_are_declared_whole_numbers(schema):
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/reflections/"]["get"]["parameters"]
    }
    assert parameters["page"] == {"type": "integer", "minimum": 1}
    assert parameters["page_size"] == {"type": "integer", "minimum": 1}


# --- The server refuses what the schema does not allow ---------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        {"page_size": "null"},
        {"page_size": ""},
        {"page_size": "0"},
        {"page_size": "-5"},
        {"page_size": "2.0"},
        {"page": ""},
        {"page": "0"},
        {"page": "last"},
        {"page": "abc"},
        {"format": ""},
        {"format": "xml"},
        {"format": "api"},
    ],
)
@pytest.mark.parametrize("url", ["/api/v1/reflections/", "/api/v1/learners/", "/api/v1/assessments/"])
def test_list_parameters_outside_the_schema_are_400(world, api, url, query):
    response = api(world.tutor).get(url, query)
    assert response.status_code == 400, (url, query, response.content)
    assert response["Content-Type"] == "application/json"
    name = next(iter(query))
    assert name in response.json(), response.json()


def test_format_outside_the_schema_is_400_on_other_views(world, api):
    client = api(world.tutor)
    assert client.get("/api/v1/me/", {"format": ""}).status_code == 400
    assert client.get("/api/v1/me/", {"format": "json"}).status_code == 200
    learner = api(world.learner_a)
    response = learner.get("/api/v1/me/subject-access.zip", {"format": "pdf"})
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert "format" in response.json()


def test_page_size_above_the_maximum_gives_the_maximum(world, api):
    response = api(world.tutor).get("/api/v1/learners/", {"page_size": "100000"})
    assert response.status_code == 200


def test_a_body_that_is_not_json_is_415(world, api):
    token = api_token(world.learner_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    data = {"title": "T", "kind": "other", "occurred_on": "2026-01-01", "body_html": "<p>x</p>"}
    for fmt in ("multipart", None):
        response = (
            client.post("/api/v1/reflections/", data, format=fmt)
            if fmt
            else client.generic(
                "POST",
                "/api/v1/reflections/",
                "title=T&kind=other",
                content_type="application/x-www-form-urlencoded",
            )
        )
        assert response.status_code == 415, response.content
        assert response["Content-Type"] == "application/json" and "detail" in response.json()
    assert client.post("/api/v1/reflections/", data, format="json").status_code == 201


def test_the_pack_period_rule_is_enforced(world, api):
    response = api(world.examiner).get(
        f"/api/v1/learners/{world.learner_a.pk}/arcp.pdf", {"from": "2026-02-01", "to": "2026-01-01"}
    )
    assert response.status_code == 400 and "to" in response.json()


def test_documented_errors_have_the_documented_shape(world, api):
    """The two 400s the audit found undocumented, answered in the documented shapes."""
    make_published_rubric(criteria=1, levels=2)
    learner = api(world.learner_a)
    response = learner.post(
        "/api/v1/reflections/",
        {
            "title": "T",
            "kind": "other",
            "occurred_on": "2026-01-01",
            "body_html": "<p>x</p>",
            "themes": ["nope"],
        },
        format="json",
    )
    assert response.status_code == 400 and "themes" in response.json()
    reflection = submitted_reflection(world.learner_a)
    reflection.status = "draft"
    reflection.save()
    response = learner.post(
        f"/api/v1/reflections/{reflection.pk}/submit/", {"confirm": "maybe"}, format="json"
    )
    assert response.status_code == 400 and "confirm" in response.json()
