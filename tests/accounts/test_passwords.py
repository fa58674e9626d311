"""Forgotten password (from the sign-in page), "my account": change password, sign out
everywhere. After a reset or a change the old password and the old API tokens stop working;
the reset pages never reveal whether an address is known."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from reflect.models import ApiToken, AuditEvent, Invitation
from tests.factories import UserFactory

from .conftest import link_in

pytestmark = pytest.mark.django_db
User = get_user_model()
NEW = "A-new-passphrase-2026"


def token_for(username, password="pw"):
    r = APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert r.status_code == 200, r.content
    return r.json()["token"]


def api_works(token) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get("/api/v1/me/").status_code == 200


def ask_for_reset(client, email):
    return client.post("/accounts/password/reset/", {"email": email})


def test_sign_in_page_links_to_forgotten_password(portfolio_page):
    r = Client().get("/accounts/login/")
    assert b'href="/accounts/password/reset/"' in r.content and b"Forgotten your password?" in r.content
    assert Client().get("/accounts/password/reset/").status_code == 200


def test_reset_by_email_link_ends_old_password_and_tokens(world, portfolio_page):
    token = token_for("learner_a")
    assert api_works(token)
    client = Client()
    r = ask_for_reset(client, world.learner_a.email.upper())  # addresses match whatever the case
    assert r.status_code == 302 and r["Location"] == "/accounts/password/reset/done/"
    assert b"Check your e-mail" in client.get(r["Location"]).content
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.learner_a.email] and "username learner_a" in message.body
    path = link_in(message, "/accounts/password/reset/key/")
    r = client.get(path)
    assert r.status_code == 302  # allauth moves the key out of the URL, into the session
    form_url = r["Location"]
    r = client.get(form_url)
    assert b"Choose a new password" in r.content
    r = client.post(form_url, {"password1": NEW, "password2": NEW})
    assert r.status_code == 302 and r["Location"] == "/accounts/password/reset/key/done/"
    assert b"Your password is changed" in client.get(r["Location"]).content
    # The old password and the old token no longer work; the new password does.
    r = Client().post("/accounts/login/", {"login": "learner_a", "password": "pw"})
    assert r.status_code == 200 and b"do not match" in r.content
    assert not api_works(token)
    assert not ApiToken.objects.filter(user=world.learner_a).exists()
    r = Client().post("/accounts/login/", {"login": "learner_a", "password": NEW})
    assert r.status_code == 302 and r["Location"] == "/portfolio/"
    assert AuditEvent.objects.filter(action="password_reset", actor=world.learner_a).exists()
    # The link works once.
    r = Client().get(path, follow=True)
    assert b"does not work any more" in r.content


def test_unknown_and_known_addresses_get_the_same_answer(world, portfolio_page):
    known = ask_for_reset(Client(), world.learner_a.email)
    unknown = ask_for_reset(Client(), "nobody-here@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    # The unknown address gets a plain note, never a link.
    note = mail.outbox[-1]
    assert note.to == ["nobody-here@example.org"]
    assert "No account uses this address" in note.body and "/accounts/password/reset/key/" not in note.body


def test_invalid_address_is_a_form_error(portfolio_page):
    r = ask_for_reset(Client(), "not-an-address")
    assert r.status_code == 200 and b"field-error" in r.content
    assert mail.outbox == []


def test_person_who_never_set_a_password_can_choose_one(
    world, portfolio_page, django_capture_on_commit_callbacks
):
    from reflect.accounts import services

    person = UserFactory(username="invited", email="invited@example.org")
    person.set_unusable_password()
    person.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.invite(person)
    mail.outbox.clear()
    client = Client()
    ask_for_reset(client, "invited@example.org")
    r = client.get(link_in(mail.outbox[0], "/accounts/password/reset/key/"))
    r = client.post(r["Location"], {"password1": NEW, "password2": NEW})
    assert r.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW)
    # The waiting invitation is settled.
    assert Invitation.objects.get(user=person).accepted_how == "password_reset"


def test_inactive_account_gets_no_link(world, portfolio_page):
    User.objects.filter(pk=world.learner_a.pk).update(is_active=False)
    r = ask_for_reset(Client(), world.learner_a.email)
    assert r.status_code == 302
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)


def test_reset_requests_are_rate_limited(world, portfolio_page, settings):
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "20/m/ip,3/m/key"}
    client = Client()
    answers = [ask_for_reset(client, world.learner_a.email).status_code for _ in range(4)]
    assert answers[:3] == [302, 302, 302] and answers[3] == 429
    assert len(mail.outbox) == 3


# --- My account -------------------------------------------------------------------------------
@pytest.fixture
def signed_in(world, portfolio_page):
    client = Client()
    r = client.post("/accounts/login/", {"login": "learner_a", "password": "pw"})
    assert r.status_code == 302
    return client


def test_my_account_page(signed_in, world):
    r = signed_in.get("/accounts/my-account/")
    assert r.status_code == 200
    text = r.content.decode()
    for expected in (
        "My account",
        "learner_a",
        world.learner_a.email,
        "Learner",
        "Change password",
        "Set up two-factor sign-in",
        "Sign out everywhere",
    ):
        assert expected in text
    assert b'href="/accounts/my-account/"' in signed_in.get("/portfolio/").content
    assert Client().get("/accounts/my-account/").status_code == 302


def test_change_password_revokes_tokens_and_keeps_this_session(signed_in, world):
    token = token_for("learner_a")
    other = Client()
    other.post("/accounts/login/", {"login": "learner_a", "password": "pw"})
    assert other.get("/portfolio/").status_code == 200
    r = signed_in.post(
        "/accounts/password/change/", {"oldpassword": "pw", "password1": NEW, "password2": NEW}
    )
    assert r.status_code == 302
    assert signed_in.get("/portfolio/").status_code == 200  # still signed in here
    assert other.get("/portfolio/").status_code == 302  # signed out elsewhere
    assert not api_works(token)
    assert AuditEvent.objects.filter(action="password_change", actor=world.learner_a).exists()


def test_wrong_current_password_changes_nothing(signed_in, world):
    r = signed_in.post(
        "/accounts/password/change/", {"oldpassword": "nope", "password1": NEW, "password2": NEW}
    )
    assert r.status_code == 200 and b"field-error" in r.content
    world.learner_a.refresh_from_db()
    assert world.learner_a.check_password("pw")


def test_sign_out_everywhere(signed_in, world):
    token = token_for("learner_a")
    other = Client()
    other.post("/accounts/login/", {"login": "learner_a", "password": "pw"})
    assert signed_in.get("/accounts/sign-out-everywhere/").status_code == 405  # POST only
    r = signed_in.post("/accounts/sign-out-everywhere/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    assert signed_in.get("/portfolio/").status_code == 302
    assert other.get("/portfolio/").status_code == 302
    assert not api_works(token)
    event = AuditEvent.objects.get(action="sign_out_everywhere")
    assert event.detail["sessions"] == 1 and event.detail["tokens"] == 1
    # The password itself still works.
    assert Client().post("/accounts/login/", {"login": "learner_a", "password": "pw"}).status_code == 302


def test_closed_pages_are_404(portfolio_page):
    for url in ("/accounts/signup/", "/accounts/email/", "/accounts/login/code/"):
        assert Client().get(url).status_code == 404, url


def test_wagtail_admin_sign_in_goes_to_the_site_page(portfolio_page):
    r = Client().get("/admin/login/?next=/admin/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/?next=/admin/"
    r = Client().get("/admin/")
    assert r["Location"].startswith("/accounts/login/")


def test_allauth_limits_use_the_sites_client_address_rule(world, portfolio_page, settings):
    """Behind a proxy, reset requests are limited per client, not per proxy address."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "2/m/ip"}
    proxy = {"REMOTE_ADDR": "10.9.9.9"}
    for client_address in ("192.0.2.1", "192.0.2.2"):
        for _ in range(2):
            r = Client().post(
                "/accounts/password/reset/",
                {"email": world.learner_a.email},
                HTTP_X_FORWARDED_FOR=client_address,
                **proxy,
            )
            assert r.status_code == 302
    r = Client().post(
        "/accounts/password/reset/",
        {"email": world.learner_a.email},
        HTTP_X_FORWARDED_FOR="192.0.2.1",
        **proxy,
    )
    assert r.status_code == 429
