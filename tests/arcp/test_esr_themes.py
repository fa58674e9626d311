"""The supervisor's report theme by theme (the evidence of the period listed under each of the
eight themes, the tutor's words stored per theme) and one report per learner per period
(refused in the service under a lock, with a link to the report that covers it; a database
constraint behind it). Site, API and pack."""

from __future__ import annotations

import datetime
import io
import re

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from arcp import services
from arcp.models import SupervisorReport, SupervisorReportTheme
from portfolio.site import portfolio_url
from rubrics.models import Competency, Criterion
from tests.factories import (
    arcp_feedback,
    arcp_finalised_assessment,
    arcp_reflection,
    make_published_rubric,
    signed_supervisor_report,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR_AGO = TODAY - datetime.timedelta(days=365)


def data(**changes):
    body = {
        "period_from": YEAR_AGO,
        "period_to": TODAY,
        "recommendation": "satisfactory",
        "progress": "A strong year overall.",
        "engagement": "Came to every meeting.",
        "concerns": "",
        "development_needs": "Lead an improvement project.",
        "themes": {"advocacy": "Wrote to the council about the bus route.", "context": ""},
    }
    body.update(changes)
    return body


def theme(code):
    return Competency.objects.themes().get(code=code)


@pytest.fixture
def evidence(world):
    """learner_a's period: a reflection on advocacy marked on an advocacy criterion, one on
    context, a patient's feedback (its statements map to lived experience, equity and context)."""
    rubric = make_published_rubric(criteria=2, levels=3, competencies=[[theme("advocacy")], []])
    crit = Criterion.objects.get(rubric_id=rubric.pk, competencies=theme("advocacy"))
    speaking = arcp_reflection(
        world.learner_a,
        TODAY - datetime.timedelta(days=60),
        themes=("advocacy",),
        title="Speaking up at the council",
    )
    arcp_reflection(
        world.learner_a, TODAY - datetime.timedelta(days=30), themes=("context",), title="Bus routes"
    )
    arcp_finalised_assessment(speaking, rubric, world.tutor, level_index=-1)
    arcp_feedback(
        world.learner_a,
        TODAY - datetime.timedelta(days=20),
        name="Maureen Doyle",
        ratings={"listening": 5, "respect": None},
    )
    return {"criterion": crit}


def test_form_lists_each_themes_evidence_and_stores_the_tutors_words(world, evidence, client, portfolio_page):
    client.force_login(world.tutor)
    page = client.get(portfolio_url("arcp_esr_new", world.learner_a.pk)).content.decode()
    sections = dict(
        re.findall(
            r'<section class="theme-section" aria-labelledby="theme-([a-z_]+)-heading">(.*?)</section>',
            page,
            re.S,
        )
    )
    assert set(sections) == set(Competency.objects.themes().values_list("code", flat=True))
    assert len(sections) == 8
    assert "1. Speaking up at the council" in sections["advocacy"]
    assert f"{evidence['criterion'].title}: " in sections["advocacy"]  # the mark reached
    assert "Speaking up at the council" not in sections["context"] and "Bus routes" in sections["context"]
    assert "Maureen Doyle" in sections["lived_experience"]
    assert "Maureen Doyle" not in sections["equity_power"]  # "respect" was "does not apply"
    assert 'for="id_theme_advocacy"' in sections["advocacy"]

    form = {
        k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in data().items() if k != "themes"
    }
    form["theme_advocacy"] = "Wrote to the council about the bus route."
    form["theme_context"] = "Understands the transport barriers."
    assert client.post(portfolio_url("arcp_esr_new", world.learner_a.pk), form).status_code == 302
    report = SupervisorReport.objects.get()
    assert report.theme_texts() == {
        theme("advocacy").pk: "Wrote to the council about the bus route.",
        theme("context").pk: "Understands the transport barriers.",
    }
    detail = client.get(portfolio_url("arcp_esr_detail", report.pk)).content.decode()
    assert "Understands the transport barriers." in detail and "Overall progress" in detail
    edit = client.get(portfolio_url("arcp_esr_edit", report.pk)).content.decode()
    assert "Understands the transport barriers.</textarea>" in edit
    form["theme_context"] = ""
    assert client.post(portfolio_url("arcp_esr_edit", report.pk), form).status_code == 302
    assert list(report.theme_sections.values_list("theme__code", flat=True)) == ["advocacy"]


def test_theme_text_too_long_is_its_fields_error_and_nothing_saved(world, client, portfolio_page):
    client.force_login(world.tutor)
    form = {
        k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in data().items() if k != "themes"
    }
    form["theme_advocacy"] = "x" * 100_001
    response = client.post(portfolio_url("arcp_esr_new", world.learner_a.pk), form)
    assert response.status_code == 400 and b'href="#id_theme_advocacy"' in response.content
    assert not SupervisorReport.objects.exists()
    with pytest.raises(ValidationError) as refused:
        services.create_report(world.tutor, world.learner_a, data(themes={"made_up": "x"}))
    assert "themes" in refused.value.message_dict
    assert not SupervisorReport.objects.exists() and not SupervisorReportTheme.objects.exists()


def test_signed_report_keeps_its_themes_and_they_reach_the_api_and_the_pack(world, api):
    report = services.create_report(world.tutor, world.learner_a, data())
    services.share_report(world.tutor, report.pk)
    services.sign_report(world.tutor, report.pk)
    with pytest.raises(ValidationError):
        services.update_report(world.tutor, report.pk, data(themes={"advocacy": "Changed after signing."}))
    body = api(world.examiner).get(f"/api/v1/supervisor-reports/{report.pk}/").json()
    assert {
        "id",
        "learner",
        "author",
        "period_from",
        "period_to",
        "recommendation",
        "status",
        "signed_at",
    } < set(body)
    assert body["themes"] == [
        {
            "code": "advocacy",
            "title": theme("advocacy").title,
            "progress": "Wrote to the council about the bus route.",
        }
    ]
    from arcp import subject_access

    held = subject_access.arcp(world.learner_a)["supervisor_reports"]
    assert held[0]["themes"] == [
        {"code": "advocacy", "progress": "Wrote to the council about the bus route."}
    ]
    SupervisorReport.objects.filter(pk=report.pk).update(
        signed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    export = services.build_pack(world.learner_a, YEAR_AGO, TODAY, world.examiner)
    pages = pypdf.PdfReader(io.BytesIO(services.read_pack(export))).pages
    text = " ".join(" ".join(p.extract_text().split()) for p in pages)
    assert "Progress in each theme" in text and "Wrote to the council about the bus route." in text


@pytest.mark.parametrize("status", ["draft", "shared", "signed"])
def test_a_second_report_overlapping_the_period_is_refused_whatever_the_first_status(world, status):
    first = services.create_report(world.tutor, world.learner_a, data())
    if status != "draft":
        services.share_report(world.tutor, first.pk)
    if status == "signed":
        services.sign_report(world.tutor, first.pk)
    for period_from, period_to in (
        (YEAR_AGO, TODAY),
        (TODAY, TODAY),
        (YEAR_AGO - datetime.timedelta(days=10), YEAR_AGO),
    ):
        with pytest.raises(services.PeriodTaken) as refused:
            services.create_report(
                world.tutor, world.learner_a, data(period_from=period_from, period_to=period_to)
            )
        assert refused.value.existing == first
        assert (
            f"{YEAR_AGO:%-d %b %Y} – {TODAY:%-d %b %Y} already covers this period"
            in refused.value.message_text
        )
    assert SupervisorReport.objects.count() == 1
    # The next period, and another learner's same period, are fine.
    services.create_report(
        world.tutor,
        world.learner_a,
        data(period_from=TODAY + datetime.timedelta(days=1), period_to=TODAY + datetime.timedelta(days=30)),
    )
    signed_supervisor_report(world.learner_b, YEAR_AGO, TODAY)
    assert SupervisorReport.objects.count() == 3


def test_moving_a_report_onto_another_ones_period_is_refused(world):
    services.create_report(
        world.tutor, world.learner_a, data(period_to=YEAR_AGO + datetime.timedelta(days=100))
    )
    later = services.create_report(
        world.tutor, world.learner_a, data(period_from=YEAR_AGO + datetime.timedelta(days=101))
    )
    with pytest.raises(services.PeriodTaken):
        services.update_report(
            world.tutor, later.pk, data(period_from=YEAR_AGO + datetime.timedelta(days=50))
        )
    later.refresh_from_db()
    assert later.period_from == YEAR_AGO + datetime.timedelta(days=101)
    services.update_report(world.tutor, later.pk, data(period_from=YEAR_AGO + datetime.timedelta(days=101)))


def test_site_says_whose_report_covers_the_period_and_links_to_it(world, client, portfolio_page):
    first = services.create_report(world.tutor, world.learner_a, data())
    client.force_login(world.tutor)
    form = {
        k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in data().items() if k != "themes"
    }
    response = client.post(portfolio_url("arcp_esr_new", world.learner_a.pk), form)
    page = response.content.decode()
    assert response.status_code == 400 and 'id="error-summary"' in page
    assert "already covers this period" in page
    assert f'<a href="{portfolio_url("arcp_esr_detail", first.pk)}">Open it</a>' in page
    assert SupervisorReport.objects.count() == 1


def test_the_database_refuses_the_same_period_twice(world):
    signed_supervisor_report(world.learner_a, YEAR_AGO, TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        signed_supervisor_report(world.learner_a, YEAR_AGO, TODAY)
