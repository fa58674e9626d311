"""Subject access: a learner downloads everything held about them, and nobody else's data."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile

from arcp import subject_access
from portfolio import services
from portfolio.models import Reflection
from portfolio.site import portfolio_url
from reflect.models import AuditEvent
from tests.factories import (
    ArcpExportFactory,
    ArcpReviewFactory,
    arcp_feedback,
    make_published_rubric,
    mark,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world, portfolio_page):
    """Learner A's data through the services, plus learner B's (which must never appear)."""
    import datetime

    from django.utils import timezone

    w = world
    reflection = services.create_reflection(
        w.learner_a,
        {
            "title": "Food bank morning",
            "kind": "third_sector",
            "occurred_on": timezone.localdate(),
            "body_html": "<p>Queue outside at eight; SECRET-A-TEXT.</p>",
        },
        via="test",
    )
    services.submit(reflection, w.learner_a, via="test", notify=False)
    services.request_changes(reflection, w.tutor, "Say what you would change.", via="test", notify=False)
    services.update_reflection(
        reflection,
        w.learner_a,
        {"body_html": "<p>Queue outside at eight; SECRET-A-TEXT v2.</p>"},
        Reflection.objects.get(pk=reflection.pk).version,
        via="test",
    )
    services.submit(reflection, w.learner_a, via="test", notify=False)
    rubric = make_published_rubric(criteria=2, levels=3)
    finalised = mark(reflection, rubric, w.tutor, finalise=True, overall_comment="FINAL-COMMENT-A")
    other_refl = services.create_reflection(
        w.learner_b,
        {
            "title": "SECRET-B-TITLE",
            "kind": "other",
            "occurred_on": timezone.localdate(),
            "body_html": "<p>SECRET-B-TEXT</p>",
        },
        via="test",
    )
    today = timezone.localdate()
    arcp_feedback(w.learner_a, today - datetime.timedelta(days=3), comments="KIND-WORDS-A")
    arcp_feedback(w.learner_a, today - datetime.timedelta(days=2), anonymous=True, comments="ANON-WORDS-A")
    arcp_feedback(w.learner_a, today - datetime.timedelta(days=1), withdrawn=True, comments="WITHDRAWN-A")
    arcp_feedback(w.learner_b, today - datetime.timedelta(days=1), comments="SECRET-B-FEEDBACK")
    export = ArcpExportFactory(learner=w.learner_a, created_by=w.examiner)
    export.file.save("sar-a.pdf", ContentFile(b"%PDF-1.7 pack of A\n%%EOF"), save=True)
    ArcpReviewFactory(export=export, examiner=w.examiner, comments="PANEL-COMMENT-A")
    export_b = ArcpExportFactory(learner=w.learner_b)
    export_b.file.save("sar-b.pdf", ContentFile(b"%PDF-1.7 pack of B SECRET\n%%EOF"), save=True)
    return {"reflection": reflection, "assessment": finalised, "export": export, "other": other_refl}


def open_zip(data: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return archive


def test_zip_has_every_file_and_the_learners_data(world, held, api):
    # Someone else reads the portfolio first, so the audit trail has a read to show.
    assert api(world.tutor).get(f"/api/v1/reflections/{held['reflection'].pk}/").status_code == 200
    response = api(world.learner_a).get("/api/v1/me/subject-access.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = open_zip(response.content)
    names = set(archive.namelist())
    assert set(subject_access.FILES) <= names
    pdfs = [n for n in names if n.startswith("pdfs/")]
    assert len(pdfs) == 1
    assert archive.read(pdfs[0]) == b"%PDF-1.7 pack of A\n%%EOF"

    profile = json.loads(archive.read("profile.json"))
    assert profile["username"] == "learner_a"
    assert profile["cohort"]["name"] == "Cohort A"
    assert profile["roles"] == ["learner"]
    assert [a["tutor"]["id"] for a in profile["allocations"]] == [world.tutor.pk]
    assert {p["examiner"]["id"] for p in profile["panels"]} == {world.examiner.pk, world.dual.pk}

    reflections = json.loads(archive.read("reflections.json"))
    assert [r["title"] for r in reflections] == ["Food bank morning"]
    r = reflections[0]
    assert len(r["revisions"]) == 2  # one per submission
    assert "SECRET-A-TEXT" in r["revisions"][0]["sections"]["free"]
    assert "v2" in r["revisions"][1]["sections"]["free"]
    assert [e["action"] for e in r["review_events"]] == ["submitted", "changes_requested", "submitted"]
    assert r["review_events"][1]["comment"] == "Say what you would change."

    assessments = json.loads(archive.read("assessments.json"))
    assert [a["id"] for a in assessments] == [held["assessment"].pk]
    assert assessments[0]["overall_comment"] == "FINAL-COMMENT-A"
    assert len(assessments[0]["scores"]) == 2

    feedback = json.loads(archive.read("feedback.json"))
    assert sorted(f["comments"] for f in feedback) == ["ANON-WORDS-A", "KIND-WORDS-A"]
    anonymous = next(f for f in feedback if f["comments"] == "ANON-WORDS-A")
    assert anonymous["respondent_name"] is None

    arcp = json.loads(archive.read("arcp.json"))
    assert [e["id"] for e in arcp["exports"]] == [str(held["export"].pk)]
    assert arcp["exports"][0]["file"] == pdfs[0]
    assert arcp["reviews"][0]["comments"] == "PANEL-COMMENT-A"

    audit = json.loads(archive.read("audit.json"))
    reads = [e for e in audit if e["action"] == "read"]
    assert reads and reads[0]["actor"]["id"] == world.tutor.pk and reads[0]["via"] == "api"
    assert any(e["action"] == "subject_access" for e in audit)

    everything = b"".join(archive.read(n) for n in names).decode("utf-8", "replace")
    for secret in ("SECRET-B", "learner_b", "WITHDRAWN-A"):
        assert secret not in everything, secret


def test_download_is_audited(world, held, api):
    before = AuditEvent.objects.filter(action="subject_access").count()
    api(world.learner_a).get("/api/v1/me/subject-access.zip")
    event = AuditEvent.objects.filter(action="subject_access").first()
    assert AuditEvent.objects.filter(action="subject_access").count() == before + 1
    assert (event.actor, event.learner, event.via) == (world.learner_a, world.learner_a, "api")


@pytest.mark.parametrize("who", ["tutor", "examiner", "admin", "patient_rep", "dual", "former"])
def test_api_is_for_learners_only(world, held, api, who):
    response = api(getattr(world, who)).get("/api/v1/me/subject-access.zip")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert not AuditEvent.objects.filter(action="subject_access").exists()


def test_api_needs_credentials(held, api):
    response = api(None).get("/api/v1/me/subject-access.zip")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_site_button_and_download(world, held, client):
    client.force_login(world.learner_a)
    dashboard = client.get(portfolio_url("dashboard")).content.decode()
    zip_url = portfolio_url("arcp_subject_access_zip")
    assert "Download everything held about me" in dashboard and zip_url in dashboard
    page = client.get(portfolio_url("arcp_subject_access"))
    assert page.status_code == 200 and zip_url in page.content.decode()
    response = client.get(zip_url)
    assert response.status_code == 200
    archive = open_zip(response.content)
    assert json.loads(archive.read("profile.json"))["id"] == world.learner_a.pk
    assert AuditEvent.objects.get(action="subject_access").via == "site"


@pytest.mark.parametrize("who", ["tutor", "examiner", "admin", "patient_rep"])
def test_site_is_404_for_anyone_else(world, held, client, who):
    client.force_login(getattr(world, who))
    assert client.get(portfolio_url("arcp_subject_access")).status_code == 404
    assert client.get(portfolio_url("arcp_subject_access_zip")).status_code == 404
    assert "Download everything held about me" not in client.get(portfolio_url("dashboard")).content.decode()


def test_service_refuses_anyone_but_the_learner(world, held):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        subject_access.build_zip(world.learner_a, world.tutor)
    with pytest.raises(PermissionDenied):
        subject_access.build_zip(world.learner_a, world.learner_b)


def test_constant_queries(world, held, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        subject_access.build_zip(world.learner_a, world.learner_a)
