"""Every text a person types has a maximum length, checked on the raw input before anything
parses it (issue #13, item 0): over the limit is a clear 400 / form error, nothing is saved,
and the sanitiser never runs on it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from portfolio import services
from portfolio.models import Reflection, ReviewEvent
from portfolio.services import editing, transitions
from reflect import limits
from tests.factories import submitted_reflection

pytestmark = pytest.mark.django_db

DAY = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()


@pytest.fixture
def no_parsing(monkeypatch):
    """Sanitising any text longer than the shortest limit in the portfolio services fails the
    test: over-long input must be refused before it is parsed."""
    for module, name in (
        (editing, "sanitize_html"),
        (editing, "to_plain_text"),
        (transitions, "to_plain_text"),
    ):
        real = getattr(module, name)

        def guarded(text, _real=real):
            if text and len(text) > limits.TITLE:
                raise AssertionError(f"{len(text)} characters were parsed before their length was checked")
            return _real(text)

        monkeypatch.setattr(module, name, guarded)


def data(**overrides):
    return {"title": "Food bank", "kind": "other", "occurred_on": DAY, **overrides}


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"title": "t" * (limits.TITLE + 1)}, "title"),
        ({"body_html": "<script>" * (limits.REFLECTION_HTML // 8 + 1)}, "body_html"),
        ({"reflective_model": "rolfe", "sections": {"what": "x" * (limits.REFLECTION_HTML + 1)}}, "sections"),
    ],
)
def test_service_refuses_over_long_text_before_parsing_it(world, no_parsing, overrides, field):
    with pytest.raises(ValidationError) as exc:
        services.create_reflection(world.learner_a, data(**overrides))
    assert field in exc.value.message_dict
    assert "characters or fewer" in " ".join(exc.value.message_dict[field])
    assert not Reflection.objects.exists()


def test_text_at_the_limit_is_accepted(world):
    body = "<p>" + "x" * (limits.REFLECTION_HTML - 7) + "</p>"
    r = services.create_reflection(world.learner_a, data(title="t" * limits.TITLE, body_html=body))
    assert len(r.title) == limits.TITLE and "x" * 1000 in r.body_html


@pytest.mark.parametrize("action", ["request_changes", "sign_off", "comment"])
def test_review_comments_have_a_limit(world, no_parsing, action):
    reflection = submitted_reflection(world.learner_a)
    with pytest.raises(ValidationError) as exc:
        getattr(services, action)(reflection, world.tutor, "c" * (limits.COMMENT + 1))
    assert "comment" in exc.value.message_dict
    reflection.refresh_from_db()
    assert reflection.status == Reflection.Status.SUBMITTED and not ReviewEvent.objects.exists()


def test_api_answers_400_for_an_over_long_body(world, api):
    client = api(world.learner_a)
    response = client.post(
        "/api/v1/reflections/",
        {"title": "T", "kind": "other", "occurred_on": DAY, "body_html": "x" * (limits.REFLECTION_HTML + 1)},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "body_html" in response.json()
    assert not Reflection.objects.exists()


def test_site_form_refuses_an_over_long_section(world, portfolio_page, client):
    client.force_login(world.learner_a)
    response = client.post(
        "/portfolio/reflections/new/",
        {
            "title": "T",
            "kind": "other",
            "occurred_on": DAY,
            "reflective_model": "free",
            "section_free": "x" * (limits.REFLECTION_HTML + 1),
        },
    )
    assert response.status_code == 400
    assert "at most 100000 characters" in response.content.decode()
    assert not Reflection.objects.exists()
