"""Headers and sessions (issue 13, item 8): the admin's Content-Security-Policy, `Cache-Control:
no-store` on every answer that may carry personal data, and the session idle timeout (the
autosave keeps an active writer signed in; an expired session says so, in JSON to scripts)."""

from __future__ import annotations

import datetime
import time

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from reflect.middleware import LAST_SEEN, SITE_CSP

from ..factories import (
    ArcpExportFactory,
    ReflectionFactory,
    api_token,
    feedback_invitation,
    submitted_reflection,
)

pytestmark = pytest.mark.django_db

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch", "HTTP_ACCEPT": "application/json"}


# --- Content-Security-Policy on the admin -----------------------------------------------------
# (/admin/login/ redirects to the site's sign-in page, which has the site's policy.)
@pytest.mark.parametrize("url", ["/admin/", "/admin/portfolio/reflections/", "/admin/reflect/invitations/"])
def test_admin_sends_a_csp_without_inline_script(world, url):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    client = Client()
    if url != "/admin/login/":
        client.force_login(world.admin)
    response = client.get(url)
    assert response.status_code == 200, url
    policy = response["Content-Security-Policy"]
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["base-uri"] == "'self'"
    assert "unsafe" not in policy
    assert "<script>" not in response.content.decode()


def test_admin_reflection_screen_keeps_learner_html_under_the_policy(world, portfolio_page):
    world.admin.is_staff = world.admin.is_superuser = True
    world.admin.save()
    reflection = submitted_reflection(world.learner_a, body_html="<p>Plain words</p>")
    client = Client()
    client.force_login(world.admin)
    response = client.get(f"/admin/portfolio/reflections/inspect/{reflection.pk}/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]


# --- Cache-Control: no-store ------------------------------------------------------------------
def _assert_no_store(response, what):
    assert "no-store" in response.get("Cache-Control", ""), (what, response.get("Cache-Control"))


def test_personal_answers_are_no_store(world, portfolio_page):
    today = timezone.localdate()
    reflection = submitted_reflection(world.learner_a)
    _, link = feedback_invitation(world.learner_a, by=world.tutor)
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(world.examiner)}")
    answers = {
        "API JSON (token)": token_client.get("/api/v1/reflections/"),
        "API JSON detail": token_client.get(f"/api/v1/reflections/{reflection.pk}/"),
        "API error": token_client.get("/api/v1/reflections/999999/"),
        "ARCP pack PDF": token_client.get(
            f"/api/v1/learners/{world.learner_a.pk}/arcp.pdf",
            {"from": str(today - datetime.timedelta(days=30)), "to": str(today)},
        ),
        "feedback link page": Client().get(f"/feedback/{link}/"),
    }
    assert answers["ARCP pack PDF"]["Content-Type"] == "application/pdf"
    learner = Client()
    learner.force_login(world.learner_a)
    answers["signed-in page"] = learner.get("/portfolio/")
    answers["signed-in reflection"] = learner.get(f"/portfolio/reflections/{reflection.pk}/")
    answers["subject-access ZIP"] = learner.get("/portfolio/arcp/my-data/download/")
    answers["API JSON (session)"] = learner.get("/api/v1/me/")
    export = ArcpExportFactory(learner=world.learner_a)
    answers["export record"] = token_client.get(f"/api/v1/exports/{export.pk}/")
    for what, response in answers.items():
        assert response.status_code in (200, 404), (what, response.status_code)
        _assert_no_store(response, what)


def test_public_pages_stay_cacheable(world, portfolio_page):
    response = Client().get("/")
    assert "no-store" not in response.get("Cache-Control", "")


# --- Session idle timeout ---------------------------------------------------------------------
def _idle(client, minutes: float):
    session = client.session
    session[LAST_SEEN] = int(time.time() - minutes * 60)
    session.save()


def test_an_idle_session_is_signed_out_with_a_clear_message(world, portfolio_page):
    client = Client()
    client.force_login(world.learner_a)
    assert client.get("/portfolio/").status_code == 200
    _idle(client, 121)
    response = client.get("/portfolio/reflections/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/portfolio/reflections/")
    page = client.get(response["Location"])
    assert "signed out after 120 minutes without activity" in page.content.decode()
    assert client.get("/portfolio/").status_code == 302, "the session is gone"


def test_activity_keeps_a_session_and_the_autosave_counts(world, portfolio_page):
    reflection = ReflectionFactory(learner=world.learner_a)
    client = Client()
    client.force_login(world.learner_a)
    client.get("/portfolio/")
    _idle(client, 110)
    data = {
        "title": reflection.title,
        "kind": reflection.kind,
        "occurred_on": reflection.occurred_on.isoformat(),
        "reflective_model": "rolfe",
        "section_what": "<p>Still typing</p>",
        "version": reflection.version,
    }
    response = client.post(f"/portfolio/reflections/{reflection.pk}/autosave/", data, **FETCH)
    assert response.status_code == 200, response.content
    assert time.time() - client.session[LAST_SEEN] < 5, "the autosave was activity"
    _idle(client, 110)
    assert client.get("/portfolio/").status_code == 200


def test_an_expired_session_answers_the_autosave_in_json(world, portfolio_page):
    reflection = ReflectionFactory(learner=world.learner_a)
    client = Client()
    client.force_login(world.learner_a)
    client.get("/portfolio/")
    _idle(client, 125)
    response = client.post(
        f"/portfolio/reflections/{reflection.pk}/autosave/", {"title": "x", "version": 1}, **FETCH
    )
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "signed out" in response.json()["detail"]
    # Signed out for any other reason (never signed in, or already timed out): JSON too.
    response = client.post(f"/portfolio/reflections/{reflection.pk}/autosave/", {"title": "x"}, **FETCH)
    assert response.status_code == 401 and "signed out" in response.json()["detail"]


@override_settings(SESSION_IDLE_TIMEOUT_MINUTES=5)
def test_the_idle_timeout_is_a_setting(world, portfolio_page):
    client = Client()
    client.force_login(world.learner_a)
    client.get("/portfolio/")
    _idle(client, 6)
    response = client.get("/portfolio/")
    assert response.status_code == 302
    assert "signed out after 5 minutes" in client.get(response["Location"]).content.decode()


def test_a_stale_csrf_token_is_a_json_403_for_scripts(world, portfolio_page):
    reflection = ReflectionFactory(learner=world.learner_a)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.learner_a)
    response = client.post(
        f"/portfolio/reflections/{reflection.pk}/autosave/",
        {"title": "x", "csrfmiddlewaretoken": "stale"},
        **FETCH,
    )
    assert response.status_code == 403 and response["Content-Type"] == "application/json"
    assert "reload the page" in response.json()["detail"]


def test_an_expired_session_does_not_block_an_api_token(world, portfolio_page):
    client = APIClient()
    client.force_login(world.examiner)
    client.get("/portfolio/")
    _idle(client, 200)
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(world.examiner)}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 200 and response.json()["username"] == "examiner"
    assert response["Content-Security-Policy"] == SITE_CSP
