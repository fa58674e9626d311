"""API tokens (issue 13, item 4): a new token per sign-in, hashed at rest, expiring, revoked
by every door that changes a password and by deactivation, listed and revoked by their owner
on the site and through the API."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from reflect import roles as R
from reflect.models import ApiToken, AuditEvent

from ..factories import UserFactory, api_token

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def sign_in(username: str, password: str = "pw", **headers) -> str:
    response = APIClient().post(
        TOKEN_URL, {"username": username, "password": password}, format="json", **headers
    )
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"token"}  # the contract's answer, exactly
    return response.json()["token"]


def me(key: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/me/").status_code


def test_each_sign_in_gives_a_new_token_and_both_work():
    UserFactory(username="ana", roles=(R.TUTOR,))
    first, second = sign_in("ana"), sign_in("ana")
    assert first != second
    assert me(first) == 200 and me(second) == 200


def test_only_a_hash_of_the_key_is_stored():
    user = UserFactory(username="ana", roles=(R.TUTOR,))
    key = sign_in("ana")
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    stored = [
        str(value) for value in ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.fields])[0]
    ]
    assert key not in stored
    assert token.prefix == key[:8] and len(key) >= 40


@override_settings(API_TOKEN_TTL_HOURS=2)
def test_a_token_expires_after_the_configured_time():
    user = UserFactory(username="ana", roles=(R.TUTOR,))
    before = timezone.now()
    key = sign_in("ana")
    token = ApiToken.objects.get(user=user)
    assert (
        before + datetime.timedelta(hours=2)
        <= token.expires_at
        <= timezone.now() + datetime.timedelta(hours=2)
    )
    assert me(key) == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


@override_settings(API_TOKEN_MAX_PER_USER=3)
def test_a_person_holds_a_bounded_number_of_tokens_the_oldest_go_first():
    UserFactory(username="ana", roles=(R.TUTOR,))
    keys = [sign_in("ana") for _ in range(5)]
    assert [me(key) for key in keys] == [401, 401, 200, 200, 200]


def test_the_default_lifetime_is_a_day():
    user = UserFactory(roles=(R.TUTOR,))
    api_token(user)
    token = ApiToken.objects.get(user=user)
    assert token.expires_at - token.created_at == datetime.timedelta(hours=24)


# --- Revoked by every door that changes a password, and by deactivation ---------------------
def _change_by_password_change_form(user):
    form = PasswordChangeForm(
        user, {"old_password": "pw", "new_password1": "N3w-pass!x", "new_password2": "N3w-pass!x"}
    )
    assert form.is_valid(), form.errors
    form.save()


def _change_by_reset_form(user):
    form = SetPasswordForm(user, {"new_password1": "N3w-pass!x", "new_password2": "N3w-pass!x"})
    assert form.is_valid(), form.errors
    form.save()


def _change_by_set_password(user):
    user.set_password("N3w-pass!x")
    user.save()


def _change_by_wagtail_admin(user):
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    form = client.get(f"/admin/users/edit/{user.pk}/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name != "groups"}
    data.update(password1="N3w-pass!x", password2="N3w-pass!x", is_active="on")
    data["groups"] = [group.pk for group in user.groups.all()]
    response = client.post(f"/admin/users/edit/{user.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors


@pytest.mark.parametrize(
    "change",
    [
        _change_by_password_change_form,
        _change_by_reset_form,
        _change_by_set_password,
        _change_by_wagtail_admin,
    ],
    ids=["password-change-form", "password-reset-form", "set-password", "wagtail-admin"],
)
def test_a_password_change_revokes_every_token(change):
    user = UserFactory(username="ana", roles=(R.TUTOR,))
    keys = [sign_in("ana"), sign_in("ana")]
    other = UserFactory(username="ben", roles=(R.TUTOR,))
    others_key = sign_in("ben")
    change(type(user).objects.get(pk=user.pk))
    assert [me(key) for key in keys] == [401, 401]
    assert not ApiToken.objects.filter(user=user).exists()
    assert me(others_key) == 200, "someone else's tokens stay"
    event = AuditEvent.objects.get(action="revoke-api-tokens")
    assert event.detail == {"user": user.pk, "count": 2, "reason": "password changed"}
    assert other.pk != user.pk


def test_deactivation_revokes_every_token():
    user = UserFactory(username="ana", roles=(R.TUTOR,))
    key = sign_in("ana")
    user.is_active = False
    user.save()
    assert not ApiToken.objects.filter(user=user).exists()
    user.is_active = True
    user.save()
    assert me(key) == 401, "re-activation does not bring a token back"


def test_saving_a_user_without_changing_the_password_keeps_tokens():
    user = UserFactory(username="ana", roles=(R.TUTOR,))
    key = sign_in("ana")
    user.first_name = "Anna"
    user.save()
    user.save(update_fields=["last_login"])
    assert me(key) == 200


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)
def test_a_password_hash_upgrade_at_sign_in_is_not_a_password_change():
    user = UserFactory(username="ana", roles=(R.TUTOR,))
    key = sign_in("ana")
    old_hash = make_password("pw", hasher="pbkdf2_sha256")
    type(user).objects.filter(pk=user.pk).update(password=old_hash)
    sign_in("ana")  # Django re-hashes the same password with the preferred hasher
    user.refresh_from_db()
    assert user.password != old_hash and user.password.startswith("md5$")
    assert me(key) == 200


# --- A person sees and revokes their own tokens -----------------------------------------------
def test_api_lists_own_tokens_without_keys_and_revokes_one():
    user = UserFactory(username="ana", roles=(R.LEARNER,))
    first, second = sign_in("ana", HTTP_USER_AGENT="panel-tool/1.0"), sign_in("ana")
    others = sign_in(UserFactory(username="ben", roles=(R.LEARNER,)).username)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    response = client.get("/api/v1/auth/tokens/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 2
    assert [row["current"] for row in rows] == [True, False]
    assert rows[1]["client"] == "panel-tool/1.0" and rows[1]["prefix"] == first[:8]
    assert first not in response.content.decode() and second not in response.content.decode()
    # Someone else's token does not exist for me.
    ben_token = ApiToken.objects.get(user__username="ben")
    assert client.delete(f"/api/v1/auth/tokens/{ben_token.pk}/").status_code == 404
    assert me(others) == 200
    assert client.delete("/api/v1/auth/tokens/not-a-token/").status_code == 404
    # Revoke the first; the second (in use) still works.
    assert client.delete(f"/api/v1/auth/tokens/{rows[1]['id']}/").status_code == 204
    assert me(first) == 401 and me(second) == 200
    assert AuditEvent.objects.filter(action="revoke-api-token", actor=user).count() == 1


def test_site_page_lists_and_revokes_own_tokens():
    user = UserFactory(username="ana", roles=(R.LEARNER,))
    first, second = sign_in("ana"), sign_in("ana")
    ben_key = sign_in(UserFactory(username="ben", roles=(R.LEARNER,)).username)
    client = Client()
    assert client.get("/accounts/api-tokens/").status_code == 302  # sign in first
    client.force_login(user)
    page = client.get("/accounts/api-tokens/")
    assert page.status_code == 200
    html = page.content.decode()
    assert first[:8] in html and second[:8] in html and ben_key[:8] not in html
    assert first not in html and second not in html
    token = ApiToken.objects.get(prefix=first[:8])
    response = client.post("/accounts/api-tokens/", {"revoke": str(token.pk)}, follow=True)
    assert "Token revoked" in response.content.decode()
    assert me(first) == 401 and me(second) == 200
    # Another person's token id is "not found", and stays.
    ben_token = ApiToken.objects.get(user__username="ben")
    response = client.post("/accounts/api-tokens/", {"revoke": str(ben_token.pk)}, follow=True)
    assert "not found" in response.content.decode() and me(ben_key) == 200
    response = client.post("/accounts/api-tokens/", {"revoke": "garbage"}, follow=True)
    assert response.status_code == 200 and "not found" in response.content.decode()
    client.post("/accounts/api-tokens/", {"revoke_all": "1"})
    assert me(second) == 401 and me(ben_key) == 200


def test_last_use_is_written_at_most_every_few_minutes():
    user = UserFactory(username="ana", roles=(R.TUTOR,))
    key = sign_in("ana")
    assert me(key) == 200
    first_use = ApiToken.objects.get(user=user).last_used_at
    assert first_use is not None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/me/").status_code == 200
    assert not any(q["sql"].lstrip().upper().startswith("UPDATE") for q in ctx.captured_queries)
    assert ApiToken.objects.get(user=user).last_used_at == first_use
