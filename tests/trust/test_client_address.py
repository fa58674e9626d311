"""One rule for "which client is this" (`reflect.http.client_ip`), used by the feedback-link
guess limiter, sign-in lockout and the API's anonymous throttles: X-Forwarded-For counts only
behind as many proxies as `TRUSTED_PROXY_COUNT` says, so a guesser cannot dodge a limit by
sending a different header each time."""

from __future__ import annotations

import pytest
from axes.helpers import get_client_ip_address
from django.test import RequestFactory
from rest_framework.throttling import AnonRateThrottle

from reflect.http import client_ip
from tests.factories import feedback_invitation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "10.0.0.9"),
        (0, "203.0.113.5", "10.0.0.9"),  # not behind a proxy: the header is anyone's to send
        (1, "", "10.0.0.9"),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "198.51.100.1, 203.0.113.5", "203.0.113.5"),  # a forged first entry is ignored
        (2, "198.51.100.1, 203.0.113.5, 192.0.2.7", "203.0.113.5"),
        (3, "203.0.113.5", "203.0.113.5"),  # fewer entries than proxies: the leftmost
        (1, " , ", "10.0.0.9"),
        (3, "not-an-address", "10.0.0.9"),  # garbage is never stored as an address
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
    assert get_client_ip_address(request) == expected  # django-axes
    if forwarded.strip(" ,") and "not" not in forwarded:  # DRF takes "" or garbage as it comes
        assert AnonRateThrottle().get_ident(request) == expected  # the API's throttles


def test_settings_keep_drf_on_the_same_rule(settings):
    from django.conf import settings as live

    assert live.REST_FRAMEWORK["NUM_PROXIES"] == live.TRUSTED_PROXY_COUNT
    assert live.AXES_CLIENT_IP_CALLABLE == "reflect.http.client_ip"


def page(token: str) -> str:
    return f"/feedback/{token}/"


def test_guesser_cannot_dodge_the_limit_with_forwarded_headers(world, portfolio_page, client, settings):
    settings.FEEDBACK_GUESS_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 0
    _, raw = feedback_invitation(world.learner_a)
    for i in range(3):
        r = client.get(page(f"nope{i}"), HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
        assert r.status_code == 404
    assert client.get(page(raw), HTTP_X_FORWARDED_FOR="198.51.100.77").status_code == 429


def test_behind_a_proxy_clients_are_limited_one_by_one(world, portfolio_page, client, settings):
    settings.FEEDBACK_GUESS_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 1
    _, raw = feedback_invitation(world.learner_a)
    guesser = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    patient = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    for i in range(3):
        assert client.get(page(f"nope{i}"), **guesser).status_code == 404
    assert client.get(page(raw), **guesser).status_code == 429
    # Same proxy address, another client: not locked out by the guesser.
    assert client.get(page(raw), **patient).status_code == 200


def test_no_address_at_all(settings):
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_ip(request) is None  # django-axes stores None, as it did before
    from feedback.services import client_ip as limiter_key

    assert limiter_key(request) == "unknown"
