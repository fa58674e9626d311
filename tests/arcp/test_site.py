"""Site screens: the learner's pack page, the examiner's panel, verify."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from arcp import services
from arcp.models import ArcpExport, ArcpReview
from portfolio.site import portfolio_url


@pytest.fixture
def site(world, portfolio_page, client):
    def login(user):
        client.force_login(user)
        return client

    world.login = login
    world.today = timezone.localdate()
    return world


def test_dashboard_links(site):
    c = site.login(site.learner_a)
    assert portfolio_url("arcp_my_pack") in c.get(portfolio_url("dashboard")).content.decode()
    c = site.login(site.examiner)
    page = c.get(portfolio_url("dashboard")).content.decode()
    assert portfolio_url("arcp_panel") in page and portfolio_url("arcp_verify") in page


def test_learner_makes_and_downloads_own_pack(site):
    c = site.login(site.learner_a)
    assert c.get(portfolio_url("arcp_my_pack")).status_code == 200
    start = (site.today - datetime.timedelta(days=100)).isoformat()
    response = c.post(
        portfolio_url("arcp_my_pack"), {"period_from": start, "period_to": site.today.isoformat()}
    )
    assert response.status_code == 302
    export = ArcpExport.objects.get(learner=site.learner_a)
    page = c.get(portfolio_url("arcp_my_pack")).content.decode()
    assert str(export.pk) in page
    download = c.get(portfolio_url("arcp_export_download", export.pk))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == services.read_pack(export)
    # another learner cannot download it
    c2 = site.login(site.learner_b)
    assert c2.get(portfolio_url("arcp_export_download", export.pk)).status_code == 404


def test_learner_bad_period_shows_errors_next_to_fields(site):
    c = site.login(site.learner_a)
    response = c.post(portfolio_url("arcp_my_pack"), {"period_from": "2026-05-01", "period_to": "2026-04-01"})
    assert response.status_code == 400
    assert "cannot be before its start" in response.content.decode()
    assert not ArcpExport.objects.exists()


def test_examiner_panel_make_pack_and_record_outcome(site):
    c = site.login(site.examiner)
    page = c.get(portfolio_url("arcp_panel")).content.decode()
    assert portfolio_url("arcp_panel_learner", site.learner_a.pk) in page
    assert portfolio_url("arcp_panel_learner", site.learner_b.pk) not in page
    assert c.get(portfolio_url("arcp_panel_learner", site.learner_b.pk)).status_code == 404
    url = portfolio_url("arcp_panel_learner", site.learner_a.pk)
    period = {
        "pack-period_from": (site.today - datetime.timedelta(days=60)).isoformat(),
        "pack-period_to": site.today.isoformat(),
    }
    assert c.post(url, {"action": "pack", **period}).status_code == 302
    export = ArcpExport.objects.get(learner=site.learner_a)
    review = {
        "action": "review",
        "review-export": str(export.pk),
        "review-outcome": "3",
        "review-next_review_on": (site.today + datetime.timedelta(days=90)).isoformat(),
        "review-comments": "Progress inadequate.",
    }
    missing = c.post(url, review)
    assert missing.status_code == 400 and "needs at least one of the U codes" in missing.content.decode()
    confirm = c.post(url, {**review, "review-reason_codes": ["U1"]})
    assert confirm.status_code == 200 and "Confirm and record the outcome" in confirm.content.decode()
    assert not ArcpReview.objects.exists()
    assert c.post(url, {**review, "review-reason_codes": ["U1"], "action": "confirm"}).status_code == 302
    recorded = ArcpReview.objects.get()
    assert recorded.reason_codes == ["U1"]
    assert (recorded.period_from, recorded.period_to) == (export.period_from, export.period_to)
    # the learner sees it
    mine = site.login(site.learner_a).get(portfolio_url("arcp_my_pack")).content.decode()
    assert "3 – Inadequate progress" in mine and "Progress inadequate." in mine


def test_non_examiners_have_no_panel(site):
    assert site.login(site.tutor).get(portfolio_url("arcp_panel")).status_code == 403
    assert site.login(site.learner_a).get(portfolio_url("arcp_panel")).status_code == 403


def test_verify_page(site):
    export = services.build_pack(
        site.learner_a, site.today - datetime.timedelta(days=10), site.today, site.admin
    )
    data = services.read_pack(export)
    c = site.login(site.tutor)
    ok = c.post(portfolio_url("arcp_verify"), {"file": SimpleUploadedFile("pack.pdf", data)})
    assert "Genuine: this pack is exactly as issued" in ok.content.decode()
    assert str(export.pk) in ok.content.decode()
    bad = c.post(portfolio_url("arcp_verify"), {"file": SimpleUploadedFile("pack.pdf", data[:-1])})
    assert "Not genuine: do not rely on this copy" in bad.content.decode()
    assert "verify-invalid" in bad.content.decode()
    empty = c.post(portfolio_url("arcp_verify"), {})
    assert empty.status_code == 400
