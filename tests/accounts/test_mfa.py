"""Two-factor sign-in: offered to everyone; required for admins and examiners when
REQUIRE_MFA_FOR_STAFF is on (the production default). Staff without a second factor reach
only their account pages; the API refuses them (403); the token endpoint asks for `otp`."""

from __future__ import annotations

import importlib
import sys

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

from reflect.models import ApiToken
from tests.factories import api_token

from .conftest import totp_code

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def required(settings):
    settings.REQUIRE_MFA_FOR_STAFF = True
    settings.MFA_REQUIRED_ROLES = ["admin", "examiner"]


def sign_in(username, password="pw"):
    client = Client()
    r = client.post("/accounts/login/", {"login": username, "password": password})
    return client, r


def test_production_turns_it_on_by_default(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    monkeypatch.delenv("REQUIRE_MFA_FOR_STAFF", raising=False)
    sys.modules.pop("config.settings.production", None)
    production = importlib.import_module("config.settings.production")
    assert production.REQUIRE_MFA_FOR_STAFF is True
    assert production.MFA_REQUIRED_ROLES == ["admin", "examiner"]
    sys.modules.pop("config.settings.production", None)
    from config.settings import test

    assert test.REQUIRE_MFA_FOR_STAFF is False


@pytest.mark.parametrize("who", ["admin", "examiner"])
def test_staff_without_second_factor_reach_only_their_account_pages(required, world, portfolio_page, who):
    client, r = sign_in(who)
    assert r.status_code == 302
    for url in ("/admin/", "/portfolio/", "/admin/reflect/invitations/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"] == "/accounts/2fa/", url
    r = client.get("/accounts/2fa/")
    assert r.status_code == 200 and b"Your role needs two-factor sign-in" in r.content
    assert client.get("/accounts/my-account/").status_code == 200
    # The API says why, in JSON.
    r = client.get("/api/v1/me/")
    assert r.status_code == 403 and "two-factor" in r.json()["detail"]


def test_learners_and_tutors_are_not_asked(required, world, portfolio_page):
    for who in ("learner_a", "tutor"):
        client, _ = sign_in(who)
        assert client.get("/portfolio/").status_code == 200


def test_off_when_not_required(world, portfolio_page):
    client, _ = sign_in("admin")
    assert client.get("/admin/").status_code == 200


def test_existing_staff_token_is_refused_until_set_up(required, world, enrol_totp):
    token = api_token(world.examiner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    r = api.get("/api/v1/learners/")
    assert r.status_code == 403 and "two-factor" in r.json()["detail"]
    enrol_totp(world.examiner)
    assert api.get("/api/v1/learners/").status_code == 200


def test_token_endpoint_refuses_staff_without_second_factor(required, world):
    r = APIClient().post(TOKEN_URL, {"username": "examiner", "password": "pw"}, format="json")
    assert r.status_code == 403 and "two-factor" in r.json()["detail"]
    assert not ApiToken.objects.filter(user=world.examiner).exists()
    # A learner is not affected.
    r = APIClient().post(TOKEN_URL, {"username": "learner_a", "password": "pw"}, format="json")
    assert r.status_code == 200


def test_token_endpoint_needs_otp_when_set_up(world, enrol_totp):
    secret = enrol_totp(world.examiner)
    api = APIClient()
    r = api.post(TOKEN_URL, {"username": "examiner", "password": "pw"}, format="json")
    assert r.status_code == 400 and "otp" in r.json()
    r = api.post(TOKEN_URL, {"username": "examiner", "password": "pw", "otp": "000000"}, format="json")
    assert r.status_code == 400 and "not right" in r.json()["otp"][0]
    # A wrong code counts as a failed sign-in.
    assert AccessAttempt.objects.get(username="examiner").failures_since_start == 1
    r = api.post(
        TOKEN_URL, {"username": "examiner", "password": "pw", "otp": totp_code(secret)}, format="json"
    )
    assert r.status_code == 200 and r.json()["token"]


def test_token_endpoint_accepts_a_recovery_code_once(world, enrol_totp):
    from allauth.mfa.models import Authenticator

    enrol_totp(world.examiner)
    code = Authenticator.objects.get(user=world.examiner, type="recovery_codes").wrap().get_unused_codes()[0]
    body = {"username": "examiner", "password": "pw", "otp": code}
    assert APIClient().post(TOKEN_URL, body, format="json").status_code == 200
    assert APIClient().post(TOKEN_URL, body, format="json").status_code == 400


def test_wrong_codes_lock_the_token_endpoint(world, enrol_totp, settings):
    secret = enrol_totp(world.examiner)
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        r = api.post(TOKEN_URL, {"username": "examiner", "password": "pw", "otp": "000000"}, format="json")
        assert r.status_code == 400
    r = api.post(TOKEN_URL, {"username": "examiner", "password": "pw", "otp": "000000"}, format="json")
    assert r.status_code == 429
    r = api.post(
        TOKEN_URL, {"username": "examiner", "password": "pw", "otp": totp_code(secret)}, format="json"
    )
    assert r.status_code == 429


def test_site_sign_in_asks_for_the_code(required, world, portfolio_page, enrol_totp):
    secret = enrol_totp(world.admin)
    client, r = sign_in("admin")
    assert r.status_code == 302 and r["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302  # not signed in yet
    r = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert r.status_code == 200 and b"field-error" in r.content
    r = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert r.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_staff_schema_documents_otp(world, api):
    schema = api(world.admin).get("/api/v1/schema/?format=json").json()
    body = schema["paths"]["/api/v1/auth/token/"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    ref = body["$ref"].rsplit("/", 1)[1]
    assert "otp" in schema["components"]["schemas"][ref]["properties"]
    assert "403" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
