"""Every page each demo role can reach by following the site's links (issue 15): no 5xx, and
no link the site shows leads to a 404 (a link to what the person may not see is a leak of its
existence and a dead end). Real HTTP through the test client over `seed_demo`'s world; the
crawl follows `<a href>` only (forms are not submitted), so it reads and changes nothing.

The role-aware navigation is checked on the way: each role finds its worklists from the
dashboard by links alone.
"""

from __future__ import annotations

import io
import json
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

PASSWORD = "crawl-Demo-2026"
User = get_user_model()
# Pages per role: enough for every kind of page the demo holds, bounded so the test stays quick.
MAX_PAGES = {"admin": 400}
DEFAULT_MAX = 250
SKIP_PREFIXES = (
    "/static/",
    "/media/",
    "/documents/",
    "/accounts/logout/",
    # Wagtail's bulk-action buttons: link templates its script completes with ids.
    "/admin/bulk/",
)
# What each role must reach from its dashboard by links (labels of the navigation).
EXPECTED_NAV = {
    "learner1_1": {"Dashboard", "My reflections", "New reflection", "Feedback", "My ARCP"},
    "tutor1_1": {
        "Dashboard",
        "Learners' reflections",
        "Review queue",
        "To mark",
        "Second markings",
        "Feedback",
        "Invite feedback",
    },
    "examiner1": {"Dashboard", "Learners' reflections", "Feedback", "ARCP panels", "Verify a pack"},
    "dualrole": {"Review queue", "To mark", "ARCP panels"},
    # A lay representative: their panels (with the packs) and verifying a pack, nothing more.
    "layrep": {"Dashboard", "ARCP panels", "Verify a pack"},
    "admin": {"Dashboard", "Learners' reflections", "Feedback", "Invite feedback", "Verify a pack"},
}


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.references: list[tuple[str, str]] = []  # (attribute, id) pointing at an element
        self.hrefs: list[str] = []
        self.nav: list[str] = []
        self._in_nav = False
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for name in ("aria-describedby", "aria-labelledby", "aria-controls"):
            for ref in (attrs.get(name) or "").split():
                self.references.append((name, ref))
        if tag == "label" and attrs.get("for"):
            self.references.append(("label for", attrs["for"]))
        if tag == "nav" and attrs.get("aria-label") == "Your work":
            self._in_nav = True
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
            if self._in_nav:
                self._text = []

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_nav = False
        if tag == "a" and self._text is not None:
            label = " ".join("".join(self._text).split())
            self.nav.append(label.split(" (")[0].rstrip("0123456789 ").strip())
            self._text = None


def shape(url: str) -> str:
    """Pages that differ only in query values (page 2, status=draft) are one shape."""
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return parts.path + ("?" + "&".join(keys) if keys else "")


def crawl(client: Client, start: str, limit: int, admin: bool):
    seen_shapes: set[str] = set()
    queue = deque([(start, "(start)")])
    problems: list[str] = []
    visited = 0
    while queue and visited < limit:
        url, source = queue.popleft()
        if shape(url) in seen_shapes:
            continue
        seen_shapes.add(shape(url))
        response = client.get(url)
        visited += 1
        if response.status_code >= 500 or response.status_code == 404:
            problems.append(f"{response.status_code} {url} (linked from {source})")
            continue
        if response.status_code in (301, 302) and response.get("Location", "").startswith("/"):
            queue.append((response["Location"], url))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(response.content.decode(errors="replace"))
        # Hints and labels that point at nothing are never announced (issue 15's invite form).
        for attribute, ref in parser.references:
            if ref not in parser.ids and not url.startswith("/admin/"):
                problems.append(f"{url}: {attribute}={ref!r} names no element (linked from {source})")
        for href in parser.hrefs:
            href = urldefrag(href)[0]
            if not href.startswith("/") or href.startswith("//") or href.startswith(SKIP_PREFIXES):
                continue
            if href.startswith(("/admin/", "/django-admin/")) and not admin:
                continue
            queue.append((href, url))
    return visited, problems


def seed_demo_json(password: str) -> dict:
    """`seed_demo` of one cohort of two learners, as its `--json` output (the crawls' data)."""
    out = io.StringIO()
    call_command(
        "seed_demo",
        "--cohorts",
        "1",
        "--learners-per-cohort",
        "2",
        "--password",
        password,
        "--json",
        stdout=out,
    )
    return json.loads(out.getvalue())


@pytest.fixture
def demo(db):
    return seed_demo_json(PASSWORD)


def sign_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_every_page_each_role_reaches_by_links_answers(demo):
    usernames = [u["username"] for u in demo["users"]]
    failures: dict[str, list[str]] = {}
    visited_total = {}
    for username in usernames:
        if username in ("patientrep",):
            continue  # no account pages: a patient representative uses one-time links
        client = sign_in(username)
        visited, problems = crawl(
            client, "/portfolio/", MAX_PAGES.get(username, DEFAULT_MAX), admin=username == "admin"
        )
        visited_total[username] = visited
        if problems:
            failures[username] = problems
    assert not failures, json.dumps(failures, indent=1)
    # The crawl really walked the site: every role saw more than its dashboard.
    assert all(n > 3 for n in visited_total.values()), visited_total
    assert visited_total["admin"] > 50, visited_total


@pytest.mark.parametrize("username", sorted(EXPECTED_NAV))
def test_each_role_finds_its_worklists_in_the_navigation(demo, username):
    response = sign_in(username).get("/portfolio/")
    assert response.status_code == 200
    parser = Links()
    parser.feed(response.content.decode())
    assert EXPECTED_NAV[username] <= set(parser.nav), parser.nav
    if username == "layrep":  # no learner lists: lay and external members have no learner scope
        assert set(parser.nav) == EXPECTED_NAV[username], parser.nav


def test_feedback_links_open_without_an_account(demo):
    """The patient representative's door: each open demo link answers without signing in."""
    client = Client()
    links = demo.get("feedback_links") or []
    assert links
    for link in links:
        path = urlsplit(link["url"] if isinstance(link, dict) else link).path
        assert client.get(path).status_code == 200, link
