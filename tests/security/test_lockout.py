"""Sign-in lockout (django-axes): the site's form and the API token door share one counter.

AXES_FAILURE_LIMIT=5 by username + IP address: the fifth failure locks; while locked even the
right password is refused (429 with Retry-After: the site shows a page, the API answers JSON);
the cool-off ends the lockout; a success before the limit resets the count.
"""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
LOGIN_URL = "/accounts/login/"
LIMIT = settings.AXES_FAILURE_LIMIT


def api_sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json", REMOTE_ADDR=ip)


def site_sign_in(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN_URL, {"login": username, "password": password}, REMOTE_ADDR=ip)


def end_cool_off():
    """Age every recorded failure past the cool-off, as if the wait had passed."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(days=1))


def assert_api_locked(response):
    assert response.status_code == 429, response.content
    assert response["Content-Type"].startswith("application/json")
    assert "Too many failed sign-in attempts" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0


def test_limit_is_five():
    assert LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_site_form_locks_after_limit_and_refuses_right_password(world, portfolio_page):
    client = Client()
    for _ in range(LIMIT - 1):
        r = site_sign_in(client, "tutor", "wrong")
        assert r.status_code == 200 and b"do not match" in r.content
    r = site_sign_in(client, "tutor", "wrong")
    assert r.status_code == 429
    assert b"Too many failed sign-in attempts" in r.content
    assert int(r["Retry-After"]) > 0
    # Locked: the right password does not sign in either.
    r = site_sign_in(client, "tutor", "pw")
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/portfolio/").status_code == 302


def test_api_token_locks_after_limit_with_json_429(world):
    client = APIClient()
    for _ in range(LIMIT - 1):
        r = api_sign_in(client, "tutor", "wrong")
        assert r.status_code == 400
    assert_api_locked(api_sign_in(client, "tutor", "wrong"))
    r = api_sign_in(client, "tutor", "pw")
    assert_api_locked(r)
    assert "token" not in r.json()


def test_site_and_api_failures_share_one_counter(world, portfolio_page):
    site, api = Client(), APIClient()
    for _ in range(3):
        site_sign_in(site, "tutor", "wrong")
    assert api_sign_in(api, "tutor", "wrong").status_code == 400  # 4th failure
    assert_api_locked(api_sign_in(api, "tutor", "wrong"))  # 5th, through the API
    assert site_sign_in(site, "tutor", "pw").status_code == 429


def test_lockout_ends_after_cool_off(world, portfolio_page):
    client = APIClient()
    for _ in range(LIMIT):
        api_sign_in(client, "tutor", "wrong")
    assert_api_locked(api_sign_in(client, "tutor", "pw"))
    end_cool_off()
    r = api_sign_in(client, "tutor", "pw")
    assert r.status_code == 200 and r.json()["token"]
    site = Client()
    r = site_sign_in(site, "tutor", "pw")
    assert r.status_code == 302 and r["Location"] == "/portfolio/"


def test_success_resets_the_counter(world):
    client = APIClient()
    for _ in range(LIMIT - 1):
        assert api_sign_in(client, "tutor", "wrong").status_code == 400
    assert api_sign_in(client, "tutor", "pw").status_code == 200
    # A fresh run of LIMIT - 1 failures does not lock: the success reset the count.
    for _ in range(LIMIT - 1):
        assert api_sign_in(client, "tutor", "wrong").status_code == 400
    assert api_sign_in(client, "tutor", "pw").status_code == 200


def test_lockout_is_per_username_and_address(world):
    client = APIClient()
    for _ in range(LIMIT):
        api_sign_in(client, "tutor", "wrong", ip="10.0.0.1")
    assert_api_locked(api_sign_in(client, "tutor", "pw", ip="10.0.0.1"))
    # Another account from the same address, and the same account from elsewhere, still work.
    assert api_sign_in(client, "examiner", "pw", ip="10.0.0.1").status_code == 200
    assert api_sign_in(client, "tutor", "pw", ip="10.0.0.2").status_code == 200


def test_unknown_username_failures_are_counted_too(db):
    client = APIClient()
    for _ in range(LIMIT - 1):
        assert api_sign_in(client, "nobody", "x").status_code == 400
    assert_api_locked(api_sign_in(client, "nobody", "x"))


def test_sixth_attempt_after_five_failures_is_refused_with_the_right_password(world, portfolio_page):
    client = Client()
    for _ in range(5):
        site_sign_in(client, "tutor", "wrong")
    r = site_sign_in(client, "tutor", "pw")  # the 6th attempt, right password
    assert r.status_code == 429 and b"Too many failed sign-in attempts" in r.content
    assert "_auth_user_id" not in client.session
    assert api_sign_in(APIClient(), "tutor", "pw").status_code == 429


def test_email_and_username_share_one_counter(world, portfolio_page):
    """allauth's form takes a username or an e-mail address: both count against the account."""
    client = Client()
    for _ in range(LIMIT - 1):
        site_sign_in(client, world.tutor.email.upper(), "wrong")
    r = site_sign_in(client, "tutor", "wrong")
    assert r.status_code == 429
    assert site_sign_in(client, world.tutor.email, "pw").status_code == 429
    assert AccessAttempt.objects.get().username == "tutor"
