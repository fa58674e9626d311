"""API throttling per user: 429 with `Retry-After` and a JSON `detail`.

The real DRF throttle classes run with low rates. DRF copies the rates onto the throttle classes
when they are imported (`THROTTLE_RATES`), so the override patches that attribute on each
throttle class as well as the setting, and the cache (where the request history lives) is cleared
around each test.
"""

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import (
    AnonRateThrottle,
    ScopedRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

from reflect import roles as R

from ..factories import LearnerFactory, UserFactory, api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(settings, monkeypatch):
    """Set throttle rates for this test: `low_rates(user="3/minute", ...)`."""

    def apply(**rates):
        merged = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates}
        override = override_settings(
            REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": merged}
        )
        override.enable()
        cleanups.append(override.disable)
        # Each class may carry its own copy (a test elsewhere may have set one on a subclass).
        for cls in (SimpleRateThrottle, AnonRateThrottle, UserRateThrottle, ScopedRateThrottle):
            monkeypatch.setattr(cls, "THROTTLE_RATES", merged)

    cleanups = []
    cache.clear()
    yield apply
    for cleanup in reversed(cleanups):
        cleanup()
    cache.clear()


def token_client(user):

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def assert_throttled(response):
    assert response.status_code == 429, response.content
    assert response["Content-Type"].startswith("application/json")
    assert "throttled" in response.json()["detail"].lower()
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 60


def test_user_is_throttled_after_rate_with_retry_after(low_rates):
    low_rates(user="3/minute")
    client = token_client(UserFactory(roles=(R.TUTOR,)))
    for _ in range(3):
        assert client.get("/api/v1/me/").status_code == 200
    assert_throttled(client.get("/api/v1/me/"))
    # Every endpoint draws on the same per-user allowance.
    assert_throttled(client.get("/api/v1/learners/"))


def test_throttle_is_per_user_not_global(low_rates):
    low_rates(user="2/minute")
    first, second = UserFactory(roles=(R.TUTOR,)), LearnerFactory()
    a, b = token_client(first), token_client(second)
    for _ in range(2):
        assert a.get("/api/v1/me/").status_code == 200
    assert_throttled(a.get("/api/v1/me/"))
    # The other user from the same address still has their own allowance.
    for _ in range(2):
        assert b.get("/api/v1/me/").status_code == 200
    assert_throttled(b.get("/api/v1/me/"))


def test_one_user_shares_an_allowance_across_clients(low_rates):
    """The bucket is the user, not the token or the connection: two clients of one user share it."""
    low_rates(user="2/minute")
    user = UserFactory(roles=(R.EXAMINER,))
    token, session = token_client(user), APIClient()
    session.force_login(user)
    assert token.get("/api/v1/me/").status_code == 200
    assert session.get("/api/v1/me/").status_code == 200
    assert_throttled(token.get("/api/v1/me/"))
    assert_throttled(session.get("/api/v1/me/"))


def test_allowance_returns_when_history_expires(low_rates):
    low_rates(user="1/minute")
    client = token_client(UserFactory(roles=(R.TUTOR,)))
    assert client.get("/api/v1/me/").status_code == 200
    assert_throttled(client.get("/api/v1/me/"))
    cache.clear()  # the throttle's history lives in the cache; a minute later it has expired
    assert client.get("/api/v1/me/").status_code == 200


def test_token_endpoint_has_its_own_login_rate(low_rates):
    low_rates(login="2/minute")
    user = UserFactory(roles=(R.TUTOR,))
    client = APIClient()
    body = {"username": user.username, "password": "pw"}
    for _ in range(2):
        assert client.post("/api/v1/auth/token/", body, format="json").status_code == 200
    assert_throttled(client.post("/api/v1/auth/token/", body, format="json"))


def test_default_rates_are_configured(settings):
    from config.settings import base

    rates = base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert set(rates) >= {"anon", "user", "login", "feedback"}
    assert "rest_framework.throttling.UserRateThrottle" in base.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
