"""Notifications go only to people who may still know, and always go (issue 13, item 6):
recipients come from the policies and are active users; subjects are one line, so a title
typed with a newline cannot make Django refuse the header (BadHeaderError) and silence the
message; nothing is sent for a change that is rolled back."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from portfolio import services
from reflect import notify
from tests.factories import ReflectionFactory

pytestmark = pytest.mark.django_db


def submit(reflection, learner, callbacks):
    with callbacks(execute=True):
        return services.submit(reflection, learner)


def test_a_deactivated_tutor_with_a_current_allocation_is_not_told(
    world, portfolio_page, django_capture_on_commit_callbacks
):
    world.tutor.email = "tutor@example.org"
    world.tutor.is_active = False
    world.tutor.save()
    reflection = ReflectionFactory(learner=world.learner_a, sections={"free": "<p>Food bank visit.</p>"})
    submit(reflection, world.learner_a, django_capture_on_commit_callbacks)
    assert [m for m in mail.outbox if "tutor@example.org" in m.to] == []


def test_an_active_tutor_is_told_even_when_the_title_holds_a_newline(
    world, portfolio_page, django_capture_on_commit_callbacks
):
    world.tutor.email = "tutor@example.org"
    world.tutor.save()
    reflection = ReflectionFactory(
        learner=world.learner_a,
        title="Home visit\nwith the district nurse",
        sections={"free": "<p>Stairs.</p>"},
    )
    submit(reflection, world.learner_a, django_capture_on_commit_callbacks)
    [message] = [m for m in mail.outbox if "tutor@example.org" in m.to]
    assert "\n" not in message.subject and "\r" not in message.subject
    assert message.subject == "Reflection to review: Home visit with the district nurse"


def test_nothing_is_sent_for_a_rolled_back_change(world):
    with transaction.atomic():
        notify.notify([world.tutor], "Hello", "Body")
        transaction.set_rollback(True)
    assert mail.outbox == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("One\r\ntwo", "One two"),
        ("Tab\tand\x00null", "Tab and null"),
        ("Line\u2028separator", "Line separator"),
        ("x" * 300, "x" * 199 + "…"),
    ],
)
def test_subjects_are_one_line(text, expected):
    assert notify.one_line(text) == expected
