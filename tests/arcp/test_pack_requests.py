"""Packs are made in the background with their progress on screen (issue 15: "making a pack
blocks the page for 3.5–4.8 s with no progress").

With the immediate task backend (tests' default) the pack is ready by the time the page that
asked answers; with the dummy backend (a queue nobody works) the request stays queued, so the
progress page, its JSON, the "no worker" note and "Make it here now" can be seen."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from arcp import pack_requests
from arcp.models import ArcpExport, PackRequest
from portfolio.models import Panel
from portfolio.site import portfolio_url

NOBODY_WORKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def site(world, portfolio_page, client):
    world.today = timezone.localdate()
    world.period = {
        "period_from": (world.today - datetime.timedelta(days=90)).isoformat(),
        "period_to": world.today.isoformat(),
    }
    return world


def test_with_a_fast_worker_the_learner_goes_straight_back_to_the_pack(site, client):
    client.force_login(site.learner_a)
    response = client.post(portfolio_url("arcp_my_pack"), site.period, follow=True)
    assert response.redirect_chain[-1][0] == portfolio_url("arcp_my_pack")
    export = ArcpExport.objects.get(learner=site.learner_a)
    page = response.content.decode()
    assert "Pack made for" in page and str(export.pk) in page
    job = PackRequest.objects.get(learner=site.learner_a)
    assert job.status == PackRequest.Status.DONE and job.export == export and job.started_at


@override_settings(TASKS=NOBODY_WORKS)
def test_queued_pack_shows_progress_then_no_worker_note_then_make_it_now(site, client):
    client.force_login(site.learner_a)
    response = client.post(portfolio_url("arcp_my_pack"), site.period)
    job = PackRequest.objects.get(learner=site.learner_a)
    assert response.status_code == 302 and response.url == portfolio_url("arcp_pack_request", job.pk)
    assert not ArcpExport.objects.exists()

    page = client.get(response.url).content.decode()
    assert "Making the ARCP pack" in page and "<progress" in page and "Waiting to start" in page
    # Leaving and coming back: the learner's ARCP page links to the pack being made.
    mine = client.get(portfolio_url("arcp_my_pack")).content.decode()
    assert portfolio_url("arcp_pack_request", job.pk) in mine
    status = client.get(portfolio_url("arcp_pack_request_status", job.pk)).json()
    assert status["status"] == "queued" and status["worker_note"] == "" and status["next_url"] is None

    # Nobody has started it after the wait: the page says so and offers to make it now.
    PackRequest.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=1))
    status = client.get(portfolio_url("arcp_pack_request_status", job.pk)).json()
    assert "No task worker has started on this pack yet" in status["worker_note"]
    assert "db_worker" in client.get(response.url).content.decode()

    made = client.post(portfolio_url("arcp_pack_request_run_now", job.pk), follow=True)
    assert made.redirect_chain[-1][0] == portfolio_url("arcp_my_pack")
    export = ArcpExport.objects.get(learner=site.learner_a)
    assert "Pack made for" in made.content.decode()
    # The finished request's status sends the script on; pressing again makes nothing more.
    assert client.get(portfolio_url("arcp_pack_request_status", job.pk)).json()["next_url"]
    client.post(portfolio_url("arcp_pack_request_run_now", job.pk))
    assert ArcpExport.objects.filter(learner=site.learner_a).count() == 1
    assert PackRequest.objects.get(pk=job.pk).export == export


def test_a_request_claimed_by_a_worker_is_not_made_again(site):
    job = PackRequest.objects.create(
        learner=site.learner_a,
        requested_by=site.learner_a,
        return_url="/",
        period_from=site.today - datetime.timedelta(days=30),
        period_to=site.today,
        status=PackRequest.Status.RUNNING,
    )
    assert pack_requests.run(job.pk).status == PackRequest.Status.RUNNING
    assert not ArcpExport.objects.exists()


@override_settings(TASKS=NOBODY_WORKS)
def test_the_examiner_watches_their_pack_and_is_taken_back_to_the_panel_learner(site, client):
    client.force_login(site.examiner)
    url = portfolio_url("arcp_panel_learner", site.learner_a.pk)
    period = {f"pack-{k}": v for k, v in site.period.items()}
    response = client.post(url, {"action": "pack", **period})
    job = PackRequest.objects.get(learner=site.learner_a)
    assert response.url == portfolio_url("arcp_pack_request", job.pk)
    page = client.get(response.url).content.decode()
    assert "The pack of" in page
    pack_requests.run(job.pk)  # the worker's turn
    done = client.get(response.url, follow=True)
    assert done.redirect_chain[-1][0] == url
    assert ArcpExport.objects.get(learner=site.learner_a).created_by == site.examiner


@override_settings(TASKS=NOBODY_WORKS)
def test_only_the_person_who_asked_sees_the_request(site, client):
    client.force_login(site.learner_a)
    client.post(portfolio_url("arcp_my_pack"), site.period)
    job = PackRequest.objects.get()
    for other in (site.learner_b, site.tutor, site.examiner, site.admin):
        client.force_login(other)
        assert client.get(portfolio_url("arcp_pack_request", job.pk)).status_code == 404
        assert client.get(portfolio_url("arcp_pack_request_status", job.pk)).status_code == 404
        assert client.post(portfolio_url("arcp_pack_request_run_now", job.pk)).status_code == 404
    assert not ArcpExport.objects.exists()
    client.logout()
    assert client.get(portfolio_url("arcp_pack_request", job.pk)).status_code == 302  # sign in first


def test_a_bad_period_is_a_form_error_and_queues_nothing(site, client):
    client.force_login(site.learner_a)
    future = (site.today + datetime.timedelta(days=3)).isoformat()
    response = client.post(portfolio_url("arcp_my_pack"), {**site.period, "period_to": future})
    assert response.status_code == 400 and "cannot be in the future" in response.content.decode()
    assert not PackRequest.objects.exists()


@override_settings(TASKS=NOBODY_WORKS)
def test_a_pack_the_asker_may_no_longer_make_fails_in_words_and_records_nothing(site, client):
    client.force_login(site.examiner)
    period = {f"pack-{k}": v for k, v in site.period.items()}
    client.post(portfolio_url("arcp_panel_learner", site.learner_a.pk), {"action": "pack", **period})
    job = PackRequest.objects.get()
    # The panel closes before a worker starts on it.
    Panel.objects.filter(examiner=site.examiner).update(
        opens_on=site.today - datetime.timedelta(days=60), closes_on=site.today - datetime.timedelta(days=1)
    )
    job = pack_requests.run(job.pk)
    assert job.status == PackRequest.Status.FAILED
    assert job.error == "You may no longer make this learner's pack."
    assert not ArcpExport.objects.exists()
    # ...and the examiner no longer sees the request either (the learner left their scope).
    assert client.get(portfolio_url("arcp_pack_request", job.pk)).status_code == 404
