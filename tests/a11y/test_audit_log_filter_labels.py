"""The admin audit log's date-range filter (issue 15): each of its two inputs has a visible
label of its own ("Date from", "Date to") that names it, and the filter still filters."""

import re

import pytest
from django.urls import reverse

from reflect import audit
from tests.factories import UserFactory

from .references import read

pytestmark = pytest.mark.django_db


def labels(html: str) -> dict[str, str]:
    found = re.finditer(r'<label[^>]*\bfor="([^"]+)"[^>]*>(.*?)</label>', html, re.S)
    return {m[1]: " ".join(m[2].split()) for m in found}


def test_date_range_inputs_are_labelled(client, world):
    client.force_login(world.admin)
    audit.record(world.tutor, "read", learner=world.learner_a, via="site")
    html = client.get(reverse("portfolio_audit:index")).content.decode()
    page = read(html)
    dates = {c["name"]: c["id"] for c in page.controls if c.get("name", "").startswith("created_at")}
    assert set(dates) == {"created_at_from", "created_at_to"}
    named = labels(html)
    assert named.get(dates["created_at_from"]) == "Date from"
    assert named.get(dates["created_at_to"]) == "Date to"
    assert page.missing() == []


def test_labelled_range_still_filters(client, world):
    client.force_login(world.admin)
    audit.record(world.tutor, "read", learner=world.learner_a, via="site")
    url = reverse("portfolio_audit:index")
    assert len(client.get(url + "?created_at_from=2000-01-01").context["object_list"]) == 1
    assert len(client.get(url + "?created_at_to=2000-01-01").context["object_list"]) == 0


def test_every_admin_range_filter_is_labelled(client):
    """The same template serves Wagtail's own range filters, e.g. the users list's last login."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get("/admin/users/").content.decode()
    page = read(html)
    ranges = [c for c in page.controls if c.get("name", "").startswith("last_login_")]
    assert len(ranges) == 2
    named = labels(html)
    assert [named.get(c["id"]) for c in ranges] == ["Date from", "Date to"]
