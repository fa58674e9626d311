"""Panel members and their roles (`portfolio.Panel.role`): the chair records the outcome (its
examiners, where no chair is named); lay representatives and external assessors read the
packs of their panel's learners and nothing else (404 at every other door)."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from arcp.models import ArcpReview
from portfolio.models import Panel
from portfolio.site import portfolio_url
from reflect import navigation
from reflect.models import AuditEvent
from tests.factories import (
    ArcpExportFactory,
    ArcpReviewFactory,
    FeedbackFactory,
    make_published_rubric,
    mark,
    panel_member,
    signed_supervisor_report,
    submitted_reflection,
)

pytestmark = pytest.mark.django_db

PAPER_ROLES = ("lay_representative", "external_assessor")


@pytest.fixture
def panel(world, portfolio_page):
    """Cohort A's open panel: `examiner` and `dual` (examiners), plus a chair, a lay
    representative and an external assessor; learner A's pack (with stored bytes), signed
    report, reflection, marking, feedback and outcome; learner B's pack (cohort B)."""
    w = world
    w.export, w.export_b = _pack(w.learner_a), _pack(w.learner_b)
    w.esr = signed_supervisor_report(w.learner_a, w.export.period_from, w.export.period_to, author=w.tutor)
    w.reflection = submitted_reflection(w.learner_a, title="Night shelter visit")
    w.assessment = mark(w.reflection, make_published_rubric(criteria=1, levels=2), w.tutor, finalise=True)
    w.feedback = FeedbackFactory(learner=w.learner_a)
    w.review = ArcpReviewFactory(export=w.export, examiner=w.examiner)
    w.members = {"examiner": w.examiner}
    for role in ("chair", *PAPER_ROLES):
        w.members[role] = panel_member(w.cohort_a, role, first_name=role.title(), last_name="Member")
    return w


def _pack(learner):
    """A recorded pack with stored bytes (the real making is `arcp.services.build_pack`'s)."""
    export = ArcpExportFactory(learner=learner, created_by=learner)
    data = b"%PDF-1.7\n% panel roles pack\n%%EOF\n"
    export.sha256, export.size = hashlib.sha256(data).hexdigest(), len(data)
    export.file.save(f"roles-{learner.pk}.pdf", ContentFile(data), save=True)
    return export


def body(w, outcome="1", **extra):
    return {
        "learner": w.learner_a.pk,
        "period_from": w.export.period_from.isoformat(),
        "period_to": w.export.period_to.isoformat(),
        "export": str(w.export.pk),
        "outcome": outcome,
        "reason_codes": [],
        **extra,
    }


# --- Lay and external scope: the packs of their panel's learners, nothing else ---------------
@pytest.mark.parametrize("role", PAPER_ROLES)
def test_lay_and_external_members_read_and_download_their_panels_packs(panel, client, api, role):
    member = panel.members[role]
    client.force_login(member)
    download = client.get(portfolio_url("arcp_export_download", panel.export.pk))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert api(member).get(f"/api/v1/exports/{panel.export.pk}/").status_code == 200
    # Learner B is in another cohort: their pack does not exist for this member.
    assert client.get(portfolio_url("arcp_export_download", panel.export_b.pk)).status_code == 404
    assert api(member).get(f"/api/v1/exports/{panel.export_b.pk}/").status_code == 404


def test_a_pack_download_by_a_lay_member_is_audited(panel, client):
    member = panel.members["lay_representative"]
    client.force_login(member)
    assert client.get(portfolio_url("arcp_export_download", panel.export.pk)).status_code == 200
    event = AuditEvent.objects.get(actor=member, action="read", object_id=str(panel.export.pk))
    assert event.learner_id == panel.learner_a.pk and event.via == "site"
    assert event.object_type == "ArcpExport"


@pytest.mark.parametrize("role", PAPER_ROLES)
def test_no_packs_once_the_review_window_has_closed(panel, client, role):
    member = panel.members[role]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Panel.objects.filter(examiner=member).update(
        opens_on=yesterday - datetime.timedelta(days=30), closes_on=yesterday
    )
    client.force_login(member)
    assert client.get(portfolio_url("arcp_export_download", panel.export.pk)).status_code == 404
    page = client.get(portfolio_url("arcp_panel")).content.decode()
    assert panel.learner_a.last_name not in page
    assert "You are not on a panel whose review window is open." in page


def _site_doors(w) -> dict[str, str]:
    return {
        "reflection": portfolio_url("reflection_detail", w.reflection.pk),
        "assessment": portfolio_url("marking_detail", w.assessment.pk),
        "assessments of a reflection": portfolio_url("marking_results", w.reflection.pk),
        "feedback": portfolio_url("feedback_list") + f"?learner={w.learner_a.pk}",
        "timeline": portfolio_url("arcp_timeline", w.learner_a.pk),
        "supervisor report": portfolio_url("arcp_esr_detail", w.esr.pk),
        "panel learner (evidence, outcome form)": portfolio_url("arcp_panel_learner", w.learner_a.pk),
        "outcome correction": portfolio_url("arcp_correct_outcome", w.learner_a.pk, w.review.pk),
    }


def _api_doors(w) -> dict[str, str]:
    today = timezone.localdate().isoformat()
    return {
        "learner": f"/api/v1/learners/{w.learner_a.pk}/",
        "reflection": f"/api/v1/reflections/{w.reflection.pk}/",
        "assessment": f"/api/v1/assessments/{w.assessment.pk}/",
        "feedback": f"/api/v1/feedback/{w.feedback.pk}/",
        "supervisor report": f"/api/v1/supervisor-reports/{w.esr.pk}/",
        "outcome": f"/api/v1/arcp-reviews/{w.review.pk}/",
        "making a pack": f"/api/v1/learners/{w.learner_a.pk}/arcp.pdf?from=2020-01-01&to={today}",
    }


@pytest.mark.parametrize("role", PAPER_ROLES)
def test_everything_but_the_packs_is_404_to_lay_and_external_members(panel, client, api, role):
    member = panel.members[role]
    client.force_login(member)
    for what, url in _site_doors(panel).items():
        assert client.get(url).status_code == 404, f"site {what}"
    for what, url in _api_doors(panel).items():
        assert api(member).get(url).status_code == 404, f"API {what}"
    for url in ("/api/v1/reflections/", "/api/v1/arcp-reviews/", "/api/v1/supervisor-reports/"):
        assert api(member).get(url).json()["results"] == [], url
    search = client.get(portfolio_url("reflection_list") + "?q=shelter").content.decode()
    assert "Night shelter visit" not in search


def test_the_same_doors_open_for_the_panels_chair(panel, client, api):
    """The 404s above come from the role, not from the doors: the chair opens them all."""
    chair = panel.members["chair"]
    client.force_login(chair)
    for what, url in _site_doors(panel).items():
        assert client.get(url).status_code == 200, f"site {what}"
    for what, url in _api_doors(panel).items():
        assert api(chair).get(url).status_code == 200, f"API {what}"


# --- The panel page and the navigation ----------------------------------------------------
@pytest.mark.parametrize("role", PAPER_ROLES)
def test_the_panel_page_offers_lay_and_external_members_packs_only(panel, client, role):
    client.force_login(panel.members[role])
    response = client.get(portfolio_url("arcp_panel"))
    page = response.content.decode()
    assert response.status_code == 200
    assert panel.learner_a.last_name in page
    assert portfolio_url("arcp_export_download", panel.export.pk) in page
    assert panel.learner_b.last_name not in page
    for name in ("arcp_panel_learner", "arcp_timeline"):
        assert portfolio_url(name, panel.learner_a.pk) not in page, name
    assert "Latest outcome" not in page
    assert "Panel members: Cohort A" in page and "No chair is named" not in page
    for label in ("Chair", "Examiner", "Lay representative", "External assessor"):
        assert f": {label}</li>" in page
    assert "Chair Member: Chair" in page


@pytest.mark.parametrize("role", PAPER_ROLES)
def test_the_navigation_offers_lay_and_external_members_only_pages_that_open(panel, client, rf, role):
    member = panel.members[role]
    request = rf.get(portfolio_url("dashboard"))
    request.user = member
    items = navigation.items_for(request)
    labels = {item["label"] for item in items}
    assert {"Dashboard", "ARCP panels", "Verify a pack"} <= labels
    assert labels == {"Dashboard", "ARCP panels", "Verify a pack"}, labels
    client.force_login(member)
    for item in items:
        assert client.get(item["url"]).status_code == 200, item


def test_an_examiner_still_has_the_learner_lists(panel, rf):
    request = rf.get(portfolio_url("dashboard"))
    request.user = panel.examiner
    labels = {item["label"] for item in navigation.items_for(request)}
    assert {"Learners' reflections", "Feedback", "Learners", "ARCP panels"} <= labels


def test_an_examiner_who_is_lay_on_another_cohort_sees_both(panel, client):
    """A person may examine one cohort and sit as lay member on another: scope per row."""
    Panel.objects.create(
        examiner=panel.examiner,
        cohort=panel.cohort_b,
        role="lay_representative",
        opens_on=timezone.localdate(),
    )
    client.force_login(panel.examiner)
    page = client.get(portfolio_url("arcp_panel")).content.decode()
    assert portfolio_url("arcp_panel_learner", panel.learner_a.pk) in page
    assert portfolio_url("arcp_export_download", panel.export_b.pk) in page
    assert portfolio_url("arcp_panel_learner", panel.learner_b.pk) not in page
    assert client.get(portfolio_url("arcp_timeline", panel.learner_b.pk)).status_code == 404


# --- Who records the outcome ---------------------------------------------------------------
@pytest.mark.parametrize(
    "role, status",
    [("chair", 201), ("examiner", 403), ("lay_representative", 404), ("external_assessor", 404)],
)
def test_the_chair_records_the_outcome(panel, api, role, status):
    response = api(panel.members[role]).post("/api/v1/arcp-reviews/", body(panel), format="json")
    assert response.status_code == status, response.json()
    assert ArcpReview.objects.count() == (2 if status == 201 else 1)
    if status == 403:
        assert (
            response.json()["detail"]
            == "The chair of this learner's ARCP panel records the outcome, not its examiners."
        )


def test_examiners_record_when_the_panel_names_no_chair(panel, api, client):
    Panel.objects.filter(role="chair").update(role="examiner")
    assert api(panel.examiner).post("/api/v1/arcp-reviews/", body(panel), format="json").status_code == 201
    client.force_login(panel.examiner)
    page = client.get(portfolio_url("arcp_panel")).content.decode()
    assert (
        "No chair is named for this panel; examiners record outcomes. Programme admins name the chair "
        "in the admin." in page
    )


def test_an_inactive_chair_does_not_stop_the_examiners(panel, api):
    panel.members["chair"].is_active = False
    panel.members["chair"].save()
    assert api(panel.examiner).post("/api/v1/arcp-reviews/", body(panel), format="json").status_code == 201


def test_a_chair_on_another_cohort_does_not_stop_this_panels_examiners(panel, api):
    Panel.objects.filter(role="chair").update(cohort=panel.cohort_b)
    assert api(panel.examiner).post("/api/v1/arcp-reviews/", body(panel), format="json").status_code == 201


def test_the_examiner_reads_the_learner_but_the_site_offers_no_outcome_form(panel, client):
    client.force_login(panel.examiner)
    url = portfolio_url("arcp_panel_learner", panel.learner_a.pk)
    page = client.get(url).content.decode()
    assert "Steady progress across" in page  # the signed report the panel reads
    assert "Check the outcome" not in page and "The chair of this learner's panel records the outcome" in page
    assert portfolio_url("arcp_correct_outcome", panel.learner_a.pk, panel.review.pk) not in page
    confirm = {"action": "confirm", "review-export": str(panel.export.pk), "review-outcome": "1"}
    assert client.post(url, confirm).status_code == 403
    assert ArcpReview.objects.count() == 1
    client.force_login(panel.members["chair"])
    page = client.get(url).content.decode()
    assert "Check the outcome" in page
    assert portfolio_url("arcp_correct_outcome", panel.learner_a.pk, panel.review.pk) in page


def test_a_correction_follows_the_same_rule(panel, api, client):
    correction = body(panel, supersedes=panel.review.pk, correction_reason="Recorded against the wrong pack")
    correction["comments"] = "Corrected by the chair."
    assert api(panel.examiner).post("/api/v1/arcp-reviews/", correction, format="json").status_code == 403
    client.force_login(panel.examiner)
    url = portfolio_url("arcp_correct_outcome", panel.learner_a.pk, panel.review.pk)
    assert client.get(url).status_code == 403
    response = api(panel.members["chair"]).post("/api/v1/arcp-reviews/", correction, format="json")
    assert response.status_code == 201, response.json()
    panel.review.refresh_from_db()
    assert panel.review.is_superseded
    assert AuditEvent.objects.filter(actor=panel.members["chair"], action="arcp_review_correct").count() == 1


# --- The Wagtail admin: roles are set on the panel rows ------------------------------------
def test_admin_sets_roles_on_the_panel_rows(panel, client):
    client.force_login(panel.admin)
    index = client.get(reverse("wagtailsnippets_portfolio_panel:list"))
    assert index.status_code == 200 and b"Lay representative" in index.content
    row = Panel.objects.get(role="lay_representative")
    response = client.post(
        reverse("wagtailsnippets_portfolio_panel:edit", args=[row.pk]),
        {
            "examiner": row.examiner_id,
            "cohort": row.cohort_id,
            "role": "chair",
            "opens_on": row.opens_on.isoformat(),
            "closes_on": row.closes_on.isoformat(),
        },
    )
    assert response.status_code == 302, response.content[:500]
    row.refresh_from_db()
    assert row.role == "chair"
    filtered = client.get(reverse("wagtailsnippets_portfolio_panel:list") + "?role=external_assessor")
    assert b"External_Assessor Member" in filtered.content and b"Chair Member" not in filtered.content
    client.force_login(panel.tutor)
    assert client.get(reverse("wagtailsnippets_portfolio_panel:list")).status_code == 302
