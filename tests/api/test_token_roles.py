"""Token authentication reads the caller's roles with the token (one query, not two)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from reflect import roles as R

from ..factories import UserFactory, api_token

pytestmark = pytest.mark.django_db


def token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


@pytest.mark.parametrize(
    "roles,superuser,expected",
    [
        ((R.TUTOR, R.EXAMINER), False, ["tutor", "examiner"]),
        ((R.LEARNER,), False, ["learner"]),
        ((), True, ["admin"]),
        ((R.PATIENT_REP,), False, ["patient_rep"]),
        ((), False, []),
    ],
)
def test_roles_come_with_the_token(roles, superuser, expected):
    user = UserFactory(roles=roles, is_superuser=superuser)
    response = token_client(user).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["roles"] == expected


def test_authentication_and_roles_take_one_query(world):
    client = token_client(world.tutor)
    client.get("/api/v1/me/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/me/").status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert sum("reflect_apitoken" in q for q in sql) == 1
    # No separate look-up of the caller's groups: it was part of the token query.
    assert not any(q.lstrip().upper().startswith('SELECT "AUTH_GROUP"."NAME"') for q in sql), sql


def test_inactive_or_unknown_token_is_401(world):
    client = token_client(world.tutor)
    world.tutor.is_active = False
    world.tutor.save()
    assert client.get("/api/v1/me/").status_code == 401
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert other.get("/api/v1/me/").status_code == 401


def test_a_role_granted_later_is_seen_on_the_next_request(world):
    client = token_client(world.tutor)
    assert client.get("/api/v1/me/").json()["roles"] == ["tutor"]
    R.grant(world.tutor, R.EXAMINER)
    assert client.get("/api/v1/me/").json()["roles"] == ["tutor", "examiner"]
