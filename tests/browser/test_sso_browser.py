"""Single sign-on in Chromium, against the real OpenID Connect provider of tests/sso (started
in a second process): the "Sign in with …" button (a form POST that the CSP's form-action
must let redirect to the provider), the provider's own sign-in page, back to the dashboard;
and the refusal page for an address no account has. Our pages are checked with axe-core and
at 390 px (the provider's development sign-in page is not ours and is not checked)."""

from __future__ import annotations

import pytest

from tests.factories import LearnerFactory
from tests.sso.conftest import apply_sso_env, oidc_env, oidc_ready, start_oidc  # noqa: F401 (fixtures)

ACCOUNTS = {
    "kemi": {"email": "kemi.ade@example.org", "email_verified": True, "name": "Kemi Ade"},
    "stranger": {"email": "stranger@example.org", "email_verified": True, "name": "Someone"},
}


@pytest.fixture
def provider(start_oidc, settings, live_server, browser_data):  # noqa: F811
    server = start_oidc([f"{live_server.url}/accounts/oidc/testidp/login/callback/"], ACCOUNTS)
    apply_sso_env(settings, oidc_env(server.base))
    LearnerFactory(username="kemi", first_name="Kemi", last_name="Ade", email="kemi.ade@example.org")
    return server


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("window.innerWidth"), page.url


def sign_in_at_provider(page, login):
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Test OpenID Provider").click()
    page.wait_for_selector("input[name=login]")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_sign_in_with_the_provider(provider, phone_page, check_a11y, shot):
    page = phone_page
    page.goto("/accounts/login/")
    check_a11y(page)
    no_sideways_scroll(page)
    shot(page, "sign-in-with-sso")
    sign_in_at_provider(page, "kemi")
    page.wait_for_url("**/portfolio/")
    assert page.get_by_role("heading", name="My portfolio").is_visible()
    check_a11y(page)
    no_sideways_scroll(page)


def test_unknown_address_is_refused_with_a_clear_page(provider, phone_page, check_a11y, shot):
    page = phone_page
    sign_in_at_provider(page, "stranger")
    assert page.get_by_role("heading", name="We could not sign you in").is_visible()
    assert "stranger@example.org" in page.content()
    check_a11y(page)
    no_sideways_scroll(page)
    shot(page, "sso-refused")
    page.get_by_role("link", name="Back to sign in").click()
    page.wait_for_url("**/accounts/login/")
