"""Panel members and their roles: the chair and examiners record outcomes; lay
representatives and external assessors read the panel's papers and record nothing (403, the
existing convention for a person who sees the learner but may not act)."""

from __future__ import annotations

import pytest

from arcp.models import ArcpReview, PanelMember
from portfolio.site import portfolio_url
from reflect import roles as R
from tests.factories import ArcpExportFactory, PanelFactory, UserFactory, signed_supervisor_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(world):
    w = world
    w.export = ArcpExportFactory(learner=w.learner_a)
    signed_supervisor_report(w.learner_a, w.export.period_from, w.export.period_to, author=w.tutor)
    w.members = {}
    for role in PanelMember.Role.values:
        person = UserFactory(roles=(R.EXAMINER,), first_name=role.title(), last_name="Member")
        PanelMember.objects.create(panel=PanelFactory(examiner=person, cohort=w.cohort_a), role=role)
        w.members[role] = person
    return w


def body(w, outcome="1"):
    return {
        "learner": w.learner_a.pk,
        "period_from": w.export.period_from.isoformat(),
        "period_to": w.export.period_to.isoformat(),
        "export": str(w.export.pk),
        "outcome": outcome,
        "reason_codes": [],
    }


@pytest.mark.parametrize(
    "role, status",
    [("chair", 201), ("examiner", 201), ("lay_representative", 403), ("external_assessor", 403)],
)
def test_who_records_the_outcome(panel, api, role, status):
    response = api(panel.members[role]).post("/api/v1/arcp-reviews/", body(panel), format="json")
    assert response.status_code == status, response.json()
    assert ArcpReview.objects.count() == (1 if status == 201 else 0)
    if status == 403:
        assert "chair and the examiners record" in response.json()["detail"]


def test_a_panel_row_without_a_role_is_an_examiner(panel, api):
    assert not PanelMember.objects.filter(panel__examiner=panel.examiner).exists()
    assert api(panel.examiner).post("/api/v1/arcp-reviews/", body(panel), format="json").status_code == 201


@pytest.mark.parametrize("role", ["lay_representative", "external_assessor"])
def test_lay_and_external_members_read_but_the_site_offers_no_outcome_form(
    panel, client, portfolio_page, role
):
    client.force_login(panel.members[role])
    url = portfolio_url("arcp_panel_learner", panel.learner_a.pk)
    page = client.get(url).content.decode()
    assert "Steady progress across" in page  # the signed report the panel reads
    assert "Check the outcome" not in page and "the chair and the examiners record the outcome" in page
    confirm = {
        "action": "confirm",
        "review-export": str(panel.export.pk),
        "review-outcome": "1",
    }
    assert client.post(url, confirm).status_code == 403
    assert not ArcpReview.objects.exists()


def test_panel_page_lists_members_with_roles(panel, client, portfolio_page):
    client.force_login(panel.members["lay_representative"])
    page = client.get(portfolio_url("arcp_panel")).content.decode()
    assert "Panel members: Cohort A" in page
    for label in ("Chair", "Examiner", "Lay representative", "External assessor"):
        assert f": {label}</li>" in page
    assert "Chair Member: Chair" in page


def test_admin_sets_roles_in_the_wagtail_admin(panel, client):
    from django.urls import reverse

    client.force_login(panel.admin)
    index = client.get(reverse("wagtailsnippets_arcp_panelmember:list"))
    assert index.status_code == 200 and b"Lay representative" in index.content
    member = PanelMember.objects.get(role="lay_representative")
    edit = reverse("wagtailsnippets_arcp_panelmember:edit", args=[member.pk])
    response = client.post(edit, {"panel": member.panel_id, "role": "chair"})
    assert response.status_code == 302, response.content[:500]
    member.refresh_from_db()
    assert member.role == "chair"
    client.force_login(panel.tutor)
    assert client.get(reverse("wagtailsnippets_arcp_panelmember:list")).status_code == 302
