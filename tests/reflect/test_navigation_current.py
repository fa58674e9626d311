"""The navigation marks the current page's own menu entry (aria-current="page"): the most
specific match wins, the dashboard only on itself, and pages reached from an entry that live
elsewhere (the cohort heatmap, from "Learners") mark that entry."""

import re

import pytest

from portfolio.site import portfolio_url
from reflect.navigation import NavItem

pytestmark = pytest.mark.django_db


def current_labels(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    return re.findall(r'<a href="[^"]*" aria-current="page">([^<]+)', html)


@pytest.mark.parametrize(
    "screen, args, expected",
    [
        ("dashboard", (), "Dashboard"),
        ("arcp_learner_search", (), "Learners"),
        ("arcp_timeline", ("learner_a",), "Learners"),
        ("arcp_cohort_coverage", (), "Learners"),
        ("review_queue", (), "Review queue"),
    ],
)
def test_the_tutor_pages_mark_their_own_entry(world, portfolio_page, client, screen, args, expected):
    client.force_login(world.tutor)
    url = portfolio_url(screen, *(getattr(world, a).pk for a in args))
    assert [label.strip() for label in current_labels(client, url)] == [expected]


def test_matching_rules():
    root = NavItem("Dashboard", "/p/", exact=True)
    learners = NavItem("Learners", "/p/arcp/learners/", also=("/p/arcp/coverage/",))
    assert root.match("/p/") and not root.match("/p/arcp/coverage/")
    assert learners.match("/p/arcp/learners/7/") == len("/p/arcp/learners/")
    assert learners.match("/p/arcp/coverage/") == len("/p/arcp/coverage/")
    assert not learners.match("/p/arcp/coverage-other/") and not learners.match("/p/arcp/")
