"""Dates in words know the future (issue 15: admin lists showed a panel closing in January and
links expiring next week as "Just now")."""

import datetime

import pytest
from django.utils import timezone

from portfolio.models import Panel
from reflect import audit
from reflect.dates import in_words
from tests.factories import ReflectionFactory

NOW = timezone.make_aware(datetime.datetime(2026, 12, 2, 10, 0))
TODAY = NOW.date()


@pytest.mark.parametrize(
    "value, expected",
    [
        (TODAY, "today"),
        (TODAY + datetime.timedelta(days=1), "tomorrow"),
        (TODAY - datetime.timedelta(days=1), "yesterday"),
        (datetime.date(2027, 1, 31), "in 1\xa0month"),
        (datetime.date(2026, 11, 4), "4\xa0weeks ago"),
        (NOW + datetime.timedelta(days=7), "in 1\xa0week"),
        (NOW - datetime.timedelta(hours=3), "3\xa0hours ago"),
        (NOW + datetime.timedelta(seconds=20), "just now"),
        (None, ""),
    ],
)
def test_in_words(value, expected):
    assert in_words(value, NOW) == expected


def test_admin_list_says_a_future_panel_window_in_words(world, client):
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    Panel.objects.update(closes_on=timezone.localdate() + datetime.timedelta(days=60))
    client.force_login(world.admin)
    page = client.get("/admin/snippets/portfolio/panel/").content.decode()
    assert "in 1\xa0month" in page or "in 2\xa0months" in page
    assert "Just now" not in page


def test_audit_log_rows_read_as_sentences(world, client):
    """The admin's audit log says who did what to whose portfolio in words."""
    reflection = ReflectionFactory(learner=world.learner_a, status="submitted")
    audit.record(world.tutor, "read", learner=world.learner_a, obj=reflection, via="site")
    audit.record(world.learner_a, "submit", learner=world.learner_a, obj=reflection, via="site")
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    page = client.get("/admin/portfolio/audit/").content.decode()
    tutor, learner = world.tutor.get_full_name(), world.learner_a.get_full_name()
    assert f"{tutor} read {learner}&#x27;s reflection" in page
    assert f"{learner} submitted their reflection for review" in page
    assert "on the site" in page
