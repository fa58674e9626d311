"""The partner report's numbers, against data counted by hand; admins only; CSV."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from feedback.models import Feedback
from feedback.services import reports
from rubrics.models import Competency
from tests.factories import PlacementFactory, ReflectionFactory, feedback_invitation, submitted_reflection

pytestmark = pytest.mark.django_db

START, END = datetime.date(2026, 9, 1), datetime.date(2026, 11, 30)
IN = datetime.date(2026, 10, 5)


def reflection_at(learner, placement, themes=(), on=IN, **kw):
    r = submitted_reflection(learner, placement=placement, occurred_on=on, **kw)
    r.themes.set(Competency.objects.themes().filter(code__in=themes))
    return r


def partner_answer(learner, placement, kind, ratings, on=IN, withdrawn=False):
    invitation, _ = feedback_invitation(
        learner, used=True, respondent_type=kind, placement=placement, occurred_on=on
    )
    return Feedback.objects.create(
        invitation=invitation,
        learner=learner,
        context_title=invitation.context_title,
        occurred_on=on,
        ratings=ratings,
        comments="A partner's own words, never in the report.",
        respondent_role="project_lead",
        withdrawn_at=timezone.now() if withdrawn else None,
    )


@pytest.fixture
def data(world):
    food = PlacementFactory(organisation="Riverside Food Bank", place="Leeds")
    shelter = PlacementFactory(organisation='=HYPERLINK("http://evil")', place="York")
    unused = PlacementFactory(organisation="Nobody went here")
    a, b = world.learner_a, world.learner_b
    reflection_at(a, food, ["context", "equity_power"])
    reflection_at(a, food, ["context"])
    ReflectionFactory(learner=a, placement=food, occurred_on=IN)  # a draft: not counted
    reflection_at(a, food, ["advocacy"], on=datetime.date(2026, 6, 1))  # outside the period
    reflection_at(b, shelter, ["lived_experience"])
    for value in (5, 4, 3):
        partner_answer(a, food, "community_partner", {"cp_prepared": value})
    partner_answer(a, food, "community_partner", {"cp_respect": 5, "cp_prepared": None})
    partner_answer(b, food, "community_partner", {"cp_respect": 1})  # b rated at the food bank
    partner_answer(a, food, "community_partner", {"cp_prepared": 1}, withdrawn=True)  # not counted
    partner_answer(a, food, "placement_supervisor", {"ps_reliable": 5})
    partner_answer(a, shelter, "placement_supervisor", {"ps_reliable": 2})
    partner_answer(a, unused, "carer", {"carer_listened": 5})  # not a partner type
    return food, shelter, unused


def test_numbers_match_the_hand_count(world, data):
    food, shelter, unused = data
    report = reports.partner_report(world.admin, START, END)
    rows = {row.placement.pk: row for row in report.rows}
    assert set(rows) == {food.pk, shelter.pk}  # the carer's answer puts nothing on the report
    f = rows[food.pk]
    assert (f.learners, f.reflections) == (2, 2)  # a wrote there, b was rated there
    assert {k: v for k, v in f.themes.items() if v} == {"context": 2, "equity_power": 1}
    assert f.responses == {"community_partner": 5, "placement_supervisor": 1}
    assert f.means["cp_prepared"] == 4.0  # (5 + 4 + 3) / 3; null and the withdrawn 1 left out
    assert f.means["cp_respect"] is None  # two answers: below the floor of three
    assert f.means["ps_reliable"] is None
    s = rows[shelter.pk]
    assert (s.learners, s.reflections) == (2, 1)
    assert {k: v for k, v in s.themes.items() if v} == {"lived_experience": 1}


def test_csv_export_and_the_screen(world, data, client, portfolio_page):
    food, shelter, _ = data
    text = reports.as_csv(reports.partner_report(world.admin, START, END))
    rows = list(csv.DictReader(io.StringIO(text)))
    by_place = {row["place"]: row for row in rows}
    assert by_place["Leeds"]["learners"] == "2" and by_place["Leeds"]["theme:context"] == "2"
    assert by_place["Leeds"]["mean:cp_prepared"] == "4.0" and by_place["Leeds"]["mean:cp_respect"] == ""
    assert by_place["York"]["organisation"].startswith("'=")  # no spreadsheet formula
    assert "never in the report" not in text
    client.force_login(world.admin)
    page = client.get("/portfolio/feedback/partners/", {"start": START, "end": END}).content.decode()
    assert "Riverside Food Bank" in page and "Not shown (fewer than 3)" in page
    assert "never in the report" not in page
    r = client.get("/portfolio/feedback/partners/", {"start": START, "end": END, "format": "csv"})
    assert r["Content-Type"].startswith("text/csv") and b"Riverside Food Bank" in r.content
    bad = client.get("/portfolio/feedback/partners/", {"start": END, "end": START}).content.decode()
    assert "There is a problem" in bad
    client.force_login(world.tutor)
    assert client.get("/portfolio/feedback/partners/").status_code == 404


def test_only_admins_and_a_real_period(world, data):
    with pytest.raises(PermissionDenied):
        reports.partner_report(world.tutor, START, END)
    with pytest.raises(ValidationError):
        reports.partner_report(world.admin, END, START)
    with pytest.raises(ValidationError):
        reports.partner_report(world.admin, "soon", END)
