"""The learner's side of an ARCP outcome (issue 17): they see it, respond to it (once), and
ask for a review of outcome 2 or appeal 3 or 4 within 10 working days of its recording
(weekends and `ARCP_BANK_HOLIDAYS` excluded); the panel sees what they added."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from arcp import services
from arcp.models import ArcpReview
from portfolio.site import portfolio_url
from reflect import dates
from reflect.checks import arcp_bank_holidays_are_dates
from reflect.models import AuditEvent
from tests.factories import ArcpExportFactory, ArcpReviewFactory

FRI = datetime.date(2026, 11, 6)  # a Friday
TENTH = datetime.date(2026, 11, 20)  # the 10th working day after it (Friday)
ELEVENTH = datetime.date(2026, 11, 23)  # the 11th (Monday)


def recorded_on(review, day: datetime.date):
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(15, 30)))
    ArcpReview.objects.filter(pk=review.pk).update(created_at=at)
    review.refresh_from_db()
    return review


@pytest.fixture
def side(world, portfolio_page, client):
    w = world
    w.export = ArcpExportFactory(
        learner=w.learner_a, period_from=w.today - datetime.timedelta(days=200), period_to=w.today
    )
    w.client = client

    def review(outcome="3", day=None, **extra):
        made = ArcpReviewFactory(
            export=w.export,
            examiner=w.examiner,
            outcome=outcome,
            reason_codes=["U1"] if outcome in ("2", "3", "4") else [],
            actions="Complete two supervised learning events." if outcome in ("2", "3", "4") else "",
            next_review_on=w.today + datetime.timedelta(days=90) if outcome in ("2", "3", "4", "5") else None,
            **extra,
        )
        return recorded_on(made, day) if day else made

    w.review = review
    return w


# --- Working days ---------------------------------------------------------------------------
def test_working_days_skip_weekends():
    assert dates.add_working_days(FRI, 1) == datetime.date(2026, 11, 9)  # Monday
    assert dates.add_working_days(FRI, 10) == TENTH
    assert dates.add_working_days(datetime.date(2026, 11, 7), 1) == datetime.date(
        2026, 11, 9
    )  # from a Saturday
    assert dates.add_working_days(datetime.date(2026, 11, 2), 10) == datetime.date(2026, 11, 16)  # Mon → Mon
    assert dates.add_working_days(FRI, 0) == FRI


def test_bank_holidays_come_from_the_setting(settings):
    settings.ARCP_BANK_HOLIDAYS = []
    assert services.appeal_closes_on(FRI) == TENTH
    settings.ARCP_BANK_HOLIDAYS = ["2026-11-11", "2026-11-14"]  # a Wednesday, and a Saturday (no effect)
    assert services.appeal_closes_on(FRI) == ELEVENTH
    # Christmas 2026 in England and Wales: Fri 25 Dec, Mon 28 Dec (Boxing Day substitute).
    settings.ARCP_BANK_HOLIDAYS = "2026-12-25, 2026-12-28"
    assert services.appeal_closes_on(datetime.date(2026, 12, 18)) == datetime.date(2027, 1, 5)


def test_the_tenth_working_day_is_in_and_the_eleventh_refused(side, api, settings):
    settings.ARCP_BANK_HOLIDAYS = []
    on_time = side.review("3", FRI)
    late = side.review("4", FRI)
    client = api(side.learner_a)
    with dates.as_of(TENTH):
        body = client.get(f"/api/v1/arcp-reviews/{on_time.pk}/").json()
        assert (body["appeal_kind"], body["appeal_closes_on"]) == ("appeal", "2026-11-20")
        ok = client.post(
            f"/api/v1/arcp-reviews/{on_time.pk}/appeal/", {"reason": "The ESR was missing."}, format="json"
        )
    assert ok.status_code == 200, ok.content
    assert ok.json()["appeal_requested_at"] and ok.json()["appeal_reason"] == "The ESR was missing."
    with dates.as_of(ELEVENTH):
        refused = client.post(f"/api/v1/arcp-reviews/{late.pk}/appeal/", {"reason": "Late."}, format="json")
        page = side.client
        page.force_login(side.learner_a)
        html = page.get(portfolio_url("arcp_my_pack")).content.decode()
    assert refused.status_code == 400
    assert "closed on 20 November 2026" in refused.json()["detail"]
    late.refresh_from_db()
    assert late.appeal_requested_at is None and late.appeal_reason == ""
    assert "The window for an appeal closed on 20 November 2026" in html


# --- Which outcomes -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("outcome", "kind"),
    [("1", None), ("2", "review"), ("3", "appeal"), ("4", "appeal"), ("5", None), ("6", None)],
)
def test_only_outcomes_2_3_and_4_take_a_request(side, api, outcome, kind):
    review = side.review(outcome)
    response = api(side.learner_a).post(
        f"/api/v1/arcp-reviews/{review.pk}/appeal/", {"reason": "Please look again."}, format="json"
    )
    review.refresh_from_db()
    if kind is None:
        assert response.status_code == 400
        assert "cannot be appealed" in response.json()["detail"]
        assert review.appeal_requested_at is None
    else:
        assert response.status_code == 200, response.content
        assert response.json()["appeal_kind"] == kind and review.appeal_requested_at is not None


# --- Who ------------------------------------------------------------------------------------
def test_only_the_learner_themselves(side, api):
    review = side.review("3")
    for path, body in (("appeal", {"reason": "Why."}), ("respond", {"response": "My view."})):
        url = f"/api/v1/arcp-reviews/{review.pk}/{path}/"
        assert api(None).post(url, body, format="json").status_code == 401
        assert api(side.examiner).post(url, body, format="json").status_code == 403
        assert api(side.tutor).post(url, body, format="json").status_code == 403
        assert api(side.admin).post(url, body, format="json").status_code == 403
        assert api(side.patient_rep).post(url, body, format="json").status_code == 403
        assert api(side.learner_b).post(url, body, format="json").status_code == 404
    assert (
        api(side.learner_b)
        .post("/api/v1/arcp-reviews/999999/appeal/", {"reason": "x"}, format="json")
        .status_code
        == 404
    )
    review.refresh_from_db()
    assert review.appeal_requested_at is None and review.responded_at is None
    assert not AuditEvent.objects.filter(action__in=["arcp_review_appeal", "arcp_review_respond"]).exists()

    site = side.client
    for user, code in ((side.examiner, 403), (side.learner_b, 404)):
        site.force_login(user)
        assert (
            site.post(
                portfolio_url("arcp_appeal", review.pk), {f"appeal-{review.pk}-reason": "x"}
            ).status_code
            == code
        )
        assert (
            site.post(
                portfolio_url("arcp_respond", review.pk), {f"respond-{review.pk}-response": "x"}
            ).status_code
            == code
        )
    review.refresh_from_db()
    assert review.appeal_requested_at is None and review.responded_at is None


# --- Bad requests save nothing ----------------------------------------------------------------
def test_bad_requests_save_nothing(side, api):
    review = side.review("2")
    client = api(side.learner_a)
    url = f"/api/v1/arcp-reviews/{review.pk}/appeal/"
    for body, field in (
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 10_001}, "reason"),
        ({}, "reason"),
        ({"reason": ["a", "list"]}, "reason"),
    ):
        response = client.post(url, body, format="json")
        assert response.status_code == 400, body
        assert field in response.json()
    respond = f"/api/v1/arcp-reviews/{review.pk}/respond/"
    assert client.post(respond, {"response": ""}, format="json").status_code == 400
    too_long = client.post(respond, {"response": "y" * 10_001}, format="json")
    assert too_long.status_code == 400 and "10,000 characters" in too_long.json()["response"][0]
    review.refresh_from_db()
    assert (
        review.appeal_requested_at,
        review.appeal_reason,
        review.responded_at,
        review.learner_response,
    ) == (
        None,
        "",
        None,
        "",
    )
    assert not AuditEvent.objects.filter(action__in=["arcp_review_appeal", "arcp_review_respond"]).exists()
    assert mail.outbox == []


def test_a_request_is_recorded_once_audited_and_the_panel_told(side, api, django_capture_on_commit_callbacks):
    review = side.review("2")
    client = api(side.learner_a)
    url = f"/api/v1/arcp-reviews/{review.pk}/appeal/"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"reason": "My <b>rota</b> gave me no clinic time."}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["appeal_reason"] == "My rota gave me no clinic time."  # plain text
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    # The panel's examiners (and the one who recorded it); not the learner, the tutor or others.
    assert sorted(message.to) == sorted([side.examiner.email, side.dual.email])
    assert "asked for a review of outcome 2" in message.subject
    assert "My rota gave me no clinic time." in message.body
    event = AuditEvent.objects.get(action="arcp_review_appeal")
    assert (event.actor_id, event.learner_id, event.via) == (side.learner_a.pk, side.learner_a.pk, "api")
    again = client.post(url, {"reason": "Again."}, format="json")
    assert again.status_code == 409 and "You asked for a review" in again.json()["detail"]
    review.refresh_from_db()
    assert review.appeal_reason == "My rota gave me no clinic time."
    assert AuditEvent.objects.filter(action="arcp_review_appeal").count() == 1


def test_one_response_per_outcome_seen_by_the_panel(side, api, django_capture_on_commit_callbacks):
    review = side.review("1")
    client = api(side.learner_a)
    url = f"/api/v1/arcp-reviews/{review.pk}/respond/"
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(url, {"response": "Thank you; I will keep my log up to date."}, format="json")
    assert ok.status_code == 200 and ok.json()["responded_at"]
    assert mail.outbox and side.examiner.email in mail.outbox[0].to
    assert client.post(url, {"response": "Changed my mind."}, format="json").status_code == 409
    panel = api(side.examiner).get(f"/api/v1/arcp-reviews/{review.pk}/").json()
    assert panel["learner_response"] == "Thank you; I will keep my log up to date."
    assert panel["appeal_kind"] is None and panel["appeal_closes_on"] is None
    assert AuditEvent.objects.filter(action="arcp_review_respond").count() == 1


# --- Superseded outcomes --------------------------------------------------------------------------
def test_a_superseded_record_cannot_be_appealed_and_the_correction_has_its_own_window(side, api, settings):
    settings.ARCP_BANK_HOLIDAYS = []
    old = side.review("3", FRI)
    correction = side.review("4", ELEVENTH, supersedes=old, correction_reason="The panel agreed 4.")
    client = api(side.learner_a)
    with dates.as_of(datetime.date(2026, 11, 24)):
        refused = client.post(f"/api/v1/arcp-reviews/{old.pk}/appeal/", {"reason": "x"}, format="json")
        assert refused.status_code == 400 and "corrected" in refused.json()["detail"]
        body = client.get(f"/api/v1/arcp-reviews/{correction.pk}/").json()
        assert body["appeal_closes_on"] == "2026-12-07"  # 10 working days from Monday 23 November
        ok = client.post(f"/api/v1/arcp-reviews/{correction.pk}/appeal/", {"reason": "x"}, format="json")
        assert ok.status_code == 200
        assert (
            client.post(
                f"/api/v1/arcp-reviews/{old.pk}/respond/", {"response": "x"}, format="json"
            ).status_code
            == 400
        )
    old.refresh_from_db()
    assert old.appeal_requested_at is None and old.responded_at is None


# --- The site ----------------------------------------------------------------------------------
def test_the_learner_responds_and_appeals_on_the_site_and_the_panel_sees_it(
    side, django_capture_on_commit_callbacks
):
    review = side.review("3")
    site = side.client
    site.force_login(side.learner_a)
    page = site.get(portfolio_url("arcp_my_pack")).content.decode()
    assert "U1: Record keeping and evidence" in page
    assert "Complete two supervised learning events." in page
    assert (side.today + datetime.timedelta(days=90)).strftime("%-d %b %Y") in page
    closes = services.appeal_window(review).closes_on
    assert f"You may ask for an appeal until the end of <strong>{closes:%A %-d %B %Y}</strong>" in page

    # A bad request: 400, the error by the field, nothing saved.
    bad = site.post(portfolio_url("arcp_appeal", review.pk), {f"appeal-{review.pk}-reason": "  "})
    assert bad.status_code == 400 and "field-error" in bad.content.decode()
    review.refresh_from_db()
    assert review.appeal_requested_at is None

    assert (
        site.post(
            portfolio_url("arcp_respond", review.pk),
            {f"respond-{review.pk}-response": "I had six weeks of sick leave."},
        ).status_code
        == 302
    )
    with django_capture_on_commit_callbacks(execute=True):
        done = site.post(
            portfolio_url("arcp_appeal", review.pk),
            {f"appeal-{review.pk}-reason": "My leave was not considered."},
        )
    assert done.status_code == 302
    assert len(mail.outbox) == 1 and "appealed outcome 3" in mail.outbox[0].subject
    page = site.get(portfolio_url("arcp_my_pack")).content.decode()
    assert "You asked for an appeal on" in page and "My leave was not considered." in page
    assert (
        f'name="appeal-{review.pk}-reason"' not in page and f'name="respond-{review.pk}-response"' not in page
    )
    again = site.post(portfolio_url("arcp_appeal", review.pk), {f"appeal-{review.pk}-reason": "Again."})
    assert again.status_code == 409

    site.force_login(side.examiner)
    panel = site.get(portfolio_url("arcp_panel_learner", side.learner_a.pk)).content.decode()
    outcomes = panel.split('id="outcomes-heading"')[1]
    assert "Appeal made" in outcomes and "My leave was not considered." in outcomes
    assert "I had six weeks of sick leave." in outcomes
    assert AuditEvent.objects.filter(action="arcp_review_appeal", via="site").count() == 1


def test_a_bank_holiday_setting_that_is_not_dates_fails_the_system_check(settings):
    settings.ARCP_BANK_HOLIDAYS = ["2026-12-25"]
    assert arcp_bank_holidays_are_dates() == []
    settings.ARCP_BANK_HOLIDAYS = ["2026-12-25", "25/12/2026"]
    assert [e.id for e in arcp_bank_holidays_are_dates()] == ["reflect.E007"]
