"""The examiner's outcome form on the site: codes that fit the outcome, the pack's period,
a confirmation step, corrections that supersede (never edit), the learner's acknowledgement."""

import datetime
import re

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from arcp import services
from arcp.models import ArcpReview
from portfolio.site import portfolio_url
from reflect.models import AuditEvent
from tests.factories import ArcpExportFactory, signed_supervisor_report


@pytest.fixture
def site(world, portfolio_page, client):
    w = world
    w.today = timezone.localdate()
    w.export = ArcpExportFactory(
        learner=w.learner_a, period_from=w.today - datetime.timedelta(days=200), period_to=w.today
    )
    signed_supervisor_report(w.learner_a, w.export.period_from, w.export.period_to, author=w.tutor)
    w.url = portfolio_url("arcp_panel_learner", w.learner_a.pk)
    client.force_login(w.examiner)
    w.client = client
    w.next_review = (w.today + datetime.timedelta(days=120)).isoformat()

    def set_programme(kind):
        w.cohort_a.programme_type = kind
        w.cohort_a.save()

    w.set_programme = set_programme
    return w


def form(site, outcome, codes=(), **extra):
    data = {
        "action": "review",
        "review-export": str(site.export.pk),
        "review-outcome": outcome,
        "review-reason_codes": list(codes),
        "review-next_review_on": site.next_review,
    }
    data.update({f"review-{k}" if k != "action" else k: v for k, v in extra.items()})
    return data


def test_foundation_form_offers_foundations_outcomes_and_groups_codes_by_outcome(site):
    site.set_programme("foundation")
    page = site.client.get(site.url).content.decode()
    outcomes = re.findall(
        r'<option value="([^"]*)"', page.split('name="review-outcome"')[1].split("</select>")[0]
    )
    assert outcomes == ["", "1", "3", "4", "5", "6", "8", "10.1", "10.2", "none"]
    # server-rendered groups, each with the outcomes it fits, in words and in data-outcomes
    assert 'data-outcomes="3 4 5"' in page and "for outcomes 3, 4, 5" in page
    assert 'data-outcomes="10.1 10.2"' in page and 'data-outcomes="none"' in page
    assert 'value="U9"' in page and 'value="U5"' not in page  # attendance yes, college exams no
    assert '<li data-outcomes="10.1"><input type="checkbox" name="review-reason_codes" value="C1"' in page
    assert "outcome-codes.js" in page and "<script>" not in page  # no inline script (CSP)


def test_specialty_form_offers_every_outcome_and_u_codes_for_2_3_4(site):
    site.set_programme("specialty")
    page = site.client.get(site.url).content.decode()
    assert '<option value="2">' in page and '<option value="7.3">' in page
    assert 'data-outcomes="2 3 4 7.2 7.3"' in page and 'value="U5"' in page and 'value="U9"' not in page


def test_the_script_is_a_static_file():
    path = finders.find("arcp/js/outcome-codes.js")
    assert path and "data-outcomes" in open(path).read()


def test_the_period_is_the_packs_and_the_latest_pack_is_chosen(site):
    older = ArcpExportFactory(
        learner=site.learner_a,
        period_from=site.today - datetime.timedelta(days=700),
        period_to=site.today - datetime.timedelta(days=400),
    )
    older.created_at = timezone.now() - datetime.timedelta(days=300)
    older.save()
    page = site.client.get(site.url).content.decode()
    assert "review-period_from" not in page  # never typed again
    assert f'<option value="{site.export.pk}" selected>' in page
    # the pack form starts from the latest pack's window, not "the last year"
    assert f'name="pack-period_from" value="{site.export.period_from.isoformat()}"' in page
    site.client.post(site.url, form(site, "1", action="confirm"))
    review = ArcpReview.objects.get()
    assert (review.period_from, review.period_to) == (site.export.period_from, site.export.period_to)


def test_without_a_pack_the_period_starts_after_the_last_outcome(site):
    site.export.delete()
    last = ArcpExportFactory(
        learner=site.learner_a,
        period_from=site.today - datetime.timedelta(days=500),
        period_to=site.today - datetime.timedelta(days=100),
    )
    ArcpReview.objects.create(
        learner=site.learner_a,
        period_from=last.period_from,
        period_to=last.period_to,
        export=last,
        outcome="1",
        examiner=site.examiner,
    )
    # hide the pack from the form's default (it is the latest pack otherwise)
    from arcp.views import _default_pack_period

    start = _default_pack_period(site.learner_a, [])["period_from"]
    assert start == last.period_to + datetime.timedelta(days=1)


def test_recording_asks_for_confirmation_first(site):
    site.set_programme("specialty")
    data = form(site, "3", ["U1", "U7"], actions="Meet the supervisor monthly.", comments="Concerns.")
    confirm = site.client.post(site.url, data)
    page = confirm.content.decode()
    assert confirm.status_code == 200 and "Nothing is recorded until you confirm" in page
    assert "U1: Record keeping and evidence" in page and "Meet the supervisor monthly." in page
    assert not ArcpReview.objects.exists()
    # the confirmation page carries the answers in hidden fields, and can go back
    assert 'type="hidden" name="review-reason_codes" value="U7"' in page
    back = site.client.post(site.url, {**data, "action": "change"})
    assert back.status_code == 200 and not ArcpReview.objects.exists()
    assert 'value="U7" id="id_review-reason_codes_U7" checked' in back.content.decode()
    done = site.client.post(site.url, {**data, "action": "confirm"})
    assert done.status_code == 302
    review = ArcpReview.objects.get()
    assert (review.outcome, review.reason_codes, review.actions) == (
        "3",
        ["U1", "U7"],
        "Meet the supervisor monthly.",
    )
    assert review.next_review_on.isoformat() == site.next_review


def test_confirm_checks_again(site):
    site.set_programme("specialty")
    bad = site.client.post(site.url, form(site, "5", ["U1"], action="confirm"))
    assert bad.status_code == 400 and "outcome 5 takes no reason codes: U1" in bad.content.decode()
    assert not ArcpReview.objects.exists()


def test_a_correction_supersedes_with_a_reason_and_both_stay(site):
    site.set_programme("foundation")
    old = services.record_review(
        site.examiner,
        site.learner_a,
        site.export.period_from,
        site.export.period_to,
        site.export,
        "5",
        ["U1"],
        "Missing ESR.",
        next_review_on=site.today + datetime.timedelta(days=60),
    )
    page = site.client.get(site.url).content.decode()
    correct_url = portfolio_url("arcp_correct_outcome", site.learner_a.pk, old.pk)
    assert correct_url in page
    form_page = site.client.get(correct_url).content.decode()
    assert 'value="U1" id="id_review-reason_codes_U1" checked' in form_page  # starts from the old one
    data = form(site, "1", [])
    no_reason = site.client.post(correct_url, data)
    assert no_reason.status_code == 400 and not ArcpReview.objects.filter(supersedes=old).exists()
    data["review-correction_reason"] = "The ESR was in the pack after all."
    assert site.client.post(correct_url, data).status_code == 200  # confirmation
    assert site.client.post(correct_url, {**data, "action": "confirm"}).status_code == 302
    new = ArcpReview.objects.get(supersedes=old)
    old.refresh_from_db()
    assert (old.outcome, old.reason_codes, old.comments) == ("5", ["U1"], "Missing ESR.")  # never edited
    assert new.correction_reason == "The ESR was in the pack after all." and new.outcome == "1"
    event = AuditEvent.objects.get(action="arcp_review_correct")
    assert event.detail["supersedes"] == old.pk and event.detail["superseded_outcome"] == "5"
    # history: both, the old one marked; no second correction of the old one
    history = site.client.get(site.url).content.decode()
    assert "Superseded" in history and "The ESR was in the pack after all." in history
    again = site.client.get(correct_url)
    assert again.status_code == 302
    mine = site.client.get(portfolio_url("arcp_my_pack"))  # an examiner has no pack page
    assert mine.status_code == 404
    site.client.force_login(site.learner_a)
    learner_view = site.client.get(portfolio_url("arcp_my_pack")).content.decode()
    assert "Superseded" in learner_view and "Correction" in learner_view
    assert correct_url not in learner_view


def test_correction_through_the_api_and_only_once(site, api):
    site.set_programme("specialty")
    old = services.record_review(
        site.examiner,
        site.learner_a,
        site.export.period_from,
        site.export.period_to,
        site.export,
        "1",
        [],
        "",
    )
    body = {
        "learner": site.learner_a.pk,
        "period_from": site.export.period_from.isoformat(),
        "period_to": site.export.period_to.isoformat(),
        "export": str(site.export.pk),
        "outcome": "2",
        "reason_codes": ["U2"],
        "next_review_on": site.next_review,
        "supersedes": old.pk,
    }
    assert api(site.examiner).post("/api/v1/arcp-reviews/", body, format="json").status_code == 400
    body["correction_reason"] = "Wrong learner's outcome was entered."
    first = api(site.examiner).post("/api/v1/arcp-reviews/", body, format="json")
    assert first.status_code == 201 and first.json()["supersedes"] == old.pk
    assert (
        api(site.learner_a).get(f"/api/v1/arcp-reviews/{old.pk}/").json()["superseded_by"]
        == first.json()["id"]
    )
    second = api(site.examiner).post("/api/v1/arcp-reviews/", body, format="json")
    assert second.status_code == 400 and "supersedes" in second.json()
    other = services.record_review(
        site.examiner,
        site.learner_a,
        site.export.period_from,
        site.export.period_to,
        site.export,
        "1",
        [],
        "",
    )
    foreign = {**body, "learner": site.learner_b.pk, "supersedes": other.pk}
    assert api(site.examiner).post("/api/v1/arcp-reviews/", foreign, format="json").status_code == 404


def test_the_learner_acknowledges(site, api):
    review = services.record_review(
        site.examiner,
        site.learner_a,
        site.export.period_from,
        site.export.period_to,
        site.export,
        "1",
        [],
        "",
    )
    url = f"/api/v1/arcp-reviews/{review.pk}/acknowledge/"
    assert api(None).post(url).status_code == 401
    assert api(site.examiner).post(url).status_code == 403
    assert api(site.learner_b).post(url).status_code == 404
    assert api(site.patient_rep).post(url).status_code == 403
    first = api(site.learner_a).post(url)
    assert first.status_code == 200 and first.json()["acknowledged_at"]
    again = api(site.learner_a).post(url)
    assert again.status_code == 200 and again.json()["acknowledged_at"] == first.json()["acknowledged_at"]
    assert AuditEvent.objects.filter(action="arcp_review_acknowledge").count() == 1


def test_the_pack_shows_a_correction_of_a_previous_outcome(site):
    from tests.arcp.test_pack_pdf import pdf_text

    site.set_programme("specialty")
    earlier = ArcpExportFactory(
        learner=site.learner_a,
        period_from=site.today - datetime.timedelta(days=700),
        period_to=site.today - datetime.timedelta(days=400),
    )
    signed_supervisor_report(site.learner_a, earlier.period_from, earlier.period_to, author=site.tutor)
    args = (site.examiner, site.learner_a, earlier.period_from, earlier.period_to, earlier)
    old = services.record_review(*args, "1", [], "")
    services.record_review(
        *args, "2", ["U2"], "", next_review_on=site.today - datetime.timedelta(days=200),
        supersedes=old, correction_reason="Entered as 1 by mistake.",
    )  # fmt: skip
    pack = services.build_pack(
        site.learner_a, site.today - datetime.timedelta(days=300), site.today, site.examiner
    )
    text = " ".join(pdf_text(services.read_pack(pack)).split())
    assert "(superseded by a correction)" in text
    assert "(corrects outcome 1: Entered as 1 by mistake.)" in text


def test_the_learner_acknowledges_on_the_site(site):
    review = services.record_review(
        site.examiner,
        site.learner_a,
        site.export.period_from,
        site.export.period_to,
        site.export,
        "1",
        [],
        "",
    )
    url = portfolio_url("arcp_acknowledge", review.pk)
    assert site.client.post(url).status_code == 403  # the examiner
    site.client.force_login(site.learner_b)
    assert site.client.post(url).status_code == 404
    site.client.force_login(site.learner_a)
    assert "I have read this outcome" in site.client.get(portfolio_url("arcp_my_pack")).content.decode()
    assert site.client.get(url).status_code == 405
    assert site.client.post(url).status_code == 302
    review.refresh_from_db()
    assert review.acknowledged_at is not None
    assert "Acknowledged" in site.client.get(portfolio_url("arcp_my_pack")).content.decode()
