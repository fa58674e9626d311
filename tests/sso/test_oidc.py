"""OpenID Connect sign-on against a real provider (node-oidc-provider in a second process).

The browser's part is played by Django's test client (our side) and `requests` (the
provider's side), following every real redirect: our sign-in POST → the provider's
authorisation endpoint → its sign-in page → back to our callback, where allauth exchanges the
code at the provider's token endpoint (server to server, over HTTP), checks the ID token
against the provider's keys and reads the userinfo endpoint.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client

from reflect import roles as R
from reflect.models import AuditEvent
from tests.factories import LearnerFactory, UserFactory

from .conftest import apply_sso_env, oidc_env

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/accounts/oidc/testidp/login/callback/"
ACCOUNTS = {
    "asha": {
        "email": "Asha.Patel@example.org",
        "email_verified": True,
        "name": "Asha Patel",
        "groups": ["staff-examiners"],
    },
    "stranger": {"email": "stranger@example.org", "email_verified": True, "name": "Someone Else"},
    "unverified": {"email": "asha.patel@example.org", "email_verified": False, "name": "Asha (unverified)"},
}


def provider_sign_in(client: Client, login: str, *, start="/accounts/oidc/testidp/login/", next_url=None):
    """Start sign-on on our site, sign in at the provider as `login`, come back; return our
    last response (the callback's)."""
    data = {"process": "login"}
    if next_url:
        data["next"] = next_url
    r = client.post(start, data)
    assert r.status_code == 302, r.content[:500]
    url = r["Location"]
    provider = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    browser = requests.Session()
    for _ in range(10):
        if url.startswith(provider):
            response = browser.get(url, allow_redirects=False, timeout=10)
        else:
            break
        if response.status_code in (302, 303):
            url = urljoin(url, response.headers["Location"])
            continue
        assert response.status_code == 200, response.text[:500]
        action = unescape(re.search(r'<form[^>]*action="([^"]+)"', response.text).group(1))
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.text))
        if 'name="login"' in response.text:
            fields.update(login=login, password="any")
        response = browser.post(urljoin(url, action), data=fields, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), response.text[:500]
        url = urljoin(url, response.headers["Location"])
    assert url.startswith("http://testserver/"), url
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


@pytest.fixture
def oidc(start_oidc, settings):
    server = start_oidc([CALLBACK], ACCOUNTS)
    apply_sso_env(settings, oidc_env(server.base))
    return server


@pytest.fixture
def asha(portfolio_page):
    return LearnerFactory(
        username="asha", first_name="Asha", last_name="Patel", email="asha.patel@example.org"
    )


def signed_in_user(client):
    return client.session.get("_auth_user_id")


def test_sign_in_page_offers_the_provider(oidc, asha):
    r = Client().get("/accounts/login/")
    assert b"Sign in with Test OpenID Provider" in r.content
    # Starting sign-on is a form POST answered by a redirect to the provider: CSP allows it.
    assert f"form-action 'self' {oidc.base}" in r["Content-Security-Policy"]


def test_known_person_signs_in_by_verified_email_and_lands_on_dashboard(oidc, asha):
    client = Client()
    r = provider_sign_in(client, "asha")
    assert r.status_code == 302 and r["Location"] == "/portfolio/", r.content[:500]
    assert signed_in_user(client) == str(asha.pk)
    assert b"My portfolio" in client.get("/portfolio/").content
    link = SocialAccount.objects.get(user=asha)
    assert link.provider == "testidp" and link.uid == "asha"
    assert AuditEvent.objects.filter(action="sso_linked", actor=asha).exists()
    # The provider's groups claim grants nothing without a documented mapping.
    asha.refresh_from_db()
    assert R.roles_of(type(asha).objects.get(pk=asha.pk)) == [R.LEARNER]
    # A second sign-in follows the stored link (the provider's `sub`).
    client2 = Client()
    r = provider_sign_in(client2, "asha")
    assert r.status_code == 302 and signed_in_user(client2) == str(asha.pk)
    assert SocialAccount.objects.filter(user=asha).count() == 1


def test_next_url_is_kept(oidc, asha):
    client = Client()
    r = provider_sign_in(client, "asha", next_url="/accounts/my-account/")
    assert r.status_code == 302 and r["Location"] == "/accounts/my-account/"


def test_unknown_email_is_refused_with_a_clear_page_and_nothing_created(oidc, asha, django_user_model):
    before = django_user_model.objects.count()
    client = Client()
    r = provider_sign_in(client, "stranger")
    assert r.status_code == 403
    text = r.content.decode()
    assert "We could not sign you in" in text and "stranger@example.org" in text
    assert "no Reflect account uses that address" in text
    assert signed_in_user(client) is None
    assert django_user_model.objects.count() == before
    assert not SocialAccount.objects.exists()
    # Counted as a failed sign-in by django-axes.
    assert AccessAttempt.objects.filter(username="stranger@example.org").exists()


def test_unverified_email_is_refused(oidc, asha):
    client = Client()
    r = provider_sign_in(client, "unverified")
    assert r.status_code == 403
    assert b"did not confirm that your e-mail address" in r.content
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()


def test_trusted_provider_email_counts_as_verified(start_oidc, settings, asha):
    server = start_oidc([CALLBACK], ACCOUNTS)
    apply_sso_env(settings, oidc_env(server.base, TRUST_EMAIL="true"))
    client = Client()
    r = provider_sign_in(client, "unverified")
    assert r.status_code == 302 and signed_in_user(client) == str(asha.pk)


def test_inactive_account_is_not_signed_in(oidc, asha):
    asha.is_active = False
    asha.save()
    client = Client()
    r = provider_sign_in(client, "asha")
    assert signed_in_user(client) is None
    assert r.status_code == 403


def test_two_accounts_with_one_address_are_refused(oidc, asha):
    UserFactory(username="asha2", email="ASHA.PATEL@example.org")
    client = Client()
    r = provider_sign_in(client, "asha")
    assert r.status_code == 403 and b"More than one Reflect account" in r.content
    assert signed_in_user(client) is None


def test_documented_role_mapping_grants_only_what_it_names(start_oidc, settings, asha):
    server = start_oidc([CALLBACK], ACCOUNTS)
    apply_sso_env(
        settings, oidc_env(server.base, ROLE_CLAIM="groups", ROLE_MAP="staff-examiners=examiner,other=admin")
    )
    client = Client()
    assert provider_sign_in(client, "asha").status_code == 302
    user = type(asha).objects.get(pk=asha.pk)
    assert R.roles_of(user) == [R.LEARNER, R.EXAMINER]
    assert AuditEvent.objects.filter(action="sso_grant_roles").exists()


def test_locked_out_account_cannot_sign_in_through_the_provider(oidc, asha):
    asha.set_password("right-password-123")
    asha.save()
    client = Client()
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"login": "asha", "password": "wrong"})
    r = provider_sign_in(client, "asha")
    assert r.status_code == 429 and b"Too many failed sign-in attempts" in r.content
    assert signed_in_user(client) is None


def test_sso_off_without_configuration(portfolio_page, settings):
    from reflect.accounts.sso_settings import providers_from_env

    settings.SOCIALACCOUNT_PROVIDERS = providers_from_env({})
    r = Client().get("/accounts/login/")
    assert r.status_code == 200 and b"Sign in with" not in r.content
    assert Client().post("/accounts/oidc/testidp/login/").status_code == 404
