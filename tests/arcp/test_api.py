"""ARCP API exactly per the contract: arcp.pdf, exports/{id}/, exports/verify/, arcp-reviews/."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from arcp import services
from arcp.models import ArcpExport, ArcpReview
from reflect import roles as R
from tests.factories import UserFactory, signed_supervisor_report


def period():
    today = timezone.localdate()
    return (today - datetime.timedelta(days=30)).isoformat(), today.isoformat()


def pdf_url(learner, frm=None, to=None):
    f, t = period()
    return f"/api/v1/learners/{learner.pk}/arcp.pdf?from={frm or f}&to={to or t}"


@pytest.mark.parametrize(
    "who, status",
    [
        ("learner_a", 200),
        ("learner_b", 404),
        ("tutor", 200),
        ("former", 404),  # ended allocation (of learner_b); never learner_a's tutor
        ("examiner", 200),
        ("admin", 200),
        ("patient_rep", 403),
        ("dual", 200),  # examiner on cohort A's panel
        (None, 401),
    ],
)
def test_pdf_scope_for_every_role(world, api, who, status):
    user = getattr(world, who) if who else None
    response = api(user).get(pdf_url(world.learner_a))
    assert response.status_code == status, response.content[:300]
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        export = ArcpExport.objects.get(pk=response["X-Export-Id"])
        assert export.learner == world.learner_a and export.created_by == user
        assert services.verify(response.content, user) == export
    else:
        assert response["Content-Type"].startswith("application/json")
        assert "detail" in response.json()
        assert not ArcpExport.objects.exists()


def test_former_tutor_and_other_cohort_examiner_get_404(world, api):
    assert api(world.former).get(pdf_url(world.learner_b)).status_code == 404
    assert api(world.examiner).get(pdf_url(world.learner_b)).status_code == 404
    assert (
        api(world.learner_a).get("/api/v1/learners/999999/arcp.pdf?from=2026-01-01&to=2026-01-02").status_code
        == 404
    )


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?from=2026-01-01",
        "?to=2026-01-01",
        "?from=yesterday&to=2026-01-01",
        "?from=2026-02-01&to=2026-01-01",
        "?from=2026-13-01&to=2026-12-01",
    ],
)
def test_pdf_bad_dates_are_400_json(world, api, query):
    response = api(world.learner_a).get(f"/api/v1/learners/{world.learner_a.pk}/arcp.pdf{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert not ArcpExport.objects.exists()


def test_future_cutoff_is_400(world, api):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = api(world.learner_a).get(pdf_url(world.learner_a, to=tomorrow))
    assert response.status_code == 400
    assert "period_to" in response.json()


def test_export_detail_scope_and_shape(world, api):
    f, t = period()
    export = services.build_pack(
        world.learner_a, datetime.date.fromisoformat(f), datetime.date.fromisoformat(t), world.tutor
    )
    url = f"/api/v1/exports/{export.pk}/"
    body = api(world.learner_a).get(url).json()
    assert set(body) == {"id", "learner", "period_from", "period_to", "sha256", "created_at", "created_by"}
    assert body["id"] == str(export.pk) and body["learner"] == world.learner_a.pk
    assert body["sha256"] == export.sha256 and body["created_by"] == world.tutor.pk
    assert body["period_from"] == f
    for user, status in [
        (world.examiner, 200),
        (world.admin, 200),
        (world.learner_b, 404),
        (world.former, 404),
        (world.patient_rep, 403),
    ]:
        assert api(user).get(url).status_code == status
    assert api(None).get(url).status_code == 401
    assert api(world.admin).get("/api/v1/exports/not-a-uuid/").status_code == 404


def test_verify_endpoint(world, api):
    response = api(world.learner_a).get(pdf_url(world.learner_a))
    data, export_id = response.content, response["X-Export-Id"]
    ok = api(world.examiner).post(
        "/api/v1/exports/verify/", {"file": SimpleUploadedFile("p.pdf", data)}, format="multipart"
    )
    assert ok.status_code == 200 and ok.json() == {"valid": True, "export_id": export_id}
    bad = bytearray(data)
    bad[100] ^= 0xFF
    nope = api(world.examiner).post(
        "/api/v1/exports/verify/", {"file": SimpleUploadedFile("p.pdf", bytes(bad))}, format="multipart"
    )
    assert nope.json() == {"valid": False, "export_id": None}
    other = api(world.learner_b).post(
        "/api/v1/exports/verify/", {"file": SimpleUploadedFile("p.pdf", data)}, format="multipart"
    )
    assert other.json() == {"valid": False, "export_id": None}
    missing = api(world.examiner).post("/api/v1/exports/verify/", {}, format="multipart")
    assert missing.status_code == 400 and "file" in missing.json()
    assert api(None).post("/api/v1/exports/verify/", {}, format="multipart").status_code == 401


@pytest.fixture
def exported(world):
    f, t = period()
    world.f, world.t = f, t
    world.esr = signed_supervisor_report(world.learner_a, f, t, author=world.tutor)
    world.export = services.build_pack(
        world.learner_a, datetime.date.fromisoformat(f), datetime.date.fromisoformat(t), world.examiner
    )
    return world


def review(w, **changes):
    body = {
        "learner": w.learner_a.pk,
        "period_from": w.f,
        "period_to": w.t,
        "export": str(w.export.pk),
        "outcome": "1",
        "comments": "Good year.",
    }
    body.update(changes)
    return body


def test_examiner_records_review_and_learner_sees_it(exported, api):
    w = exported
    response = api(w.examiner).post("/api/v1/arcp-reviews/", review(w), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["outcome"] == "1" and body["export"] == str(w.export.pk) and body["learner"] == w.learner_a.pk
    assert body["reason_codes"] == [] and body["examiner"]["id"] == w.examiner.pk
    mine = api(w.learner_a).get("/api/v1/arcp-reviews/").json()
    assert [r["id"] for r in mine["results"]] == [body["id"]]
    assert api(w.learner_b).get("/api/v1/arcp-reviews/").json()["count"] == 0
    assert api(w.tutor).get("/api/v1/arcp-reviews/").json()["count"] == 1
    assert api(w.patient_rep).get("/api/v1/arcp-reviews/").status_code == 403


# The reason-code rules (each outcome × each family, per programme type): test_gmc_codes.py.


def test_review_rules_for_roles_packs_and_periods(exported, api, world):
    w = exported
    assert api(w.tutor).post("/api/v1/arcp-reviews/", review(w), format="json").status_code == 403
    assert api(w.learner_a).post("/api/v1/arcp-reviews/", review(w), format="json").status_code == 403
    assert api(w.admin).post("/api/v1/arcp-reviews/", review(w), format="json").status_code == 403
    assert api(None).post("/api/v1/arcp-reviews/", review(w), format="json").status_code == 401
    other_examiner = UserFactory(roles=(R.EXAMINER,))
    assert api(other_examiner).post("/api/v1/arcp-reviews/", review(w), format="json").status_code == 404
    # a pack of another learner
    other = services.build_pack(w.learner_b, w.export.period_from, w.export.period_to, w.admin)
    bad = api(w.examiner).post("/api/v1/arcp-reviews/", review(w, export=str(other.pk)), format="json")
    assert bad.status_code == 400 and "export" in bad.json()
    backwards = api(w.examiner).post(
        "/api/v1/arcp-reviews/", review(w, period_from=w.t, period_to=w.f), format="json"
    )
    assert backwards.status_code == 400
    assert ArcpReview.objects.count() == 0


def test_schema_describes_arcp_endpoints(world, api):
    schema = api(world.admin).get("/api/v1/schema/?format=json").json()
    pdf_op = schema["paths"]["/api/v1/learners/{id}/arcp.pdf"]["get"]
    assert "application/pdf" in pdf_op["responses"]["200"]["content"]
    assert pdf_op["responses"]["200"]["content"]["application/pdf"]["schema"]["format"] == "binary"
    assert "application/json" in pdf_op["responses"]["400"]["content"]
    assert {p["name"] for p in pdf_op["parameters"]} >= {"from", "to"}
    assert "/api/v1/exports/verify/" in schema["paths"]
    assert (
        "multipart/form-data" in schema["paths"]["/api/v1/exports/verify/"]["post"]["requestBody"]["content"]
    )
    assert "post" in schema["paths"]["/api/v1/arcp-reviews/"]
    assert "/api/v1/exports/{id}/" in schema["paths"]
