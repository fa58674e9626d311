"""The portfolio page's URL is cached; every change that can move it is seen at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from wagtail.models import Site

from home.models import GuidancePage
from portfolio.site import ROOT_CACHE_KEY, portfolio_root

pytestmark = pytest.mark.django_db


def test_cached_then_renamed(portfolio_page, django_assert_num_queries):
    first = portfolio_root()
    with django_assert_num_queries(0):
        assert portfolio_root() == first
    portfolio_page.slug = "my-portfolio"
    portfolio_page.save_revision().publish()
    assert portfolio_root().rstrip("/").endswith("/my-portfolio")


def test_moved_under_a_new_parent_then_parent_renamed(portfolio_page):
    home = portfolio_page.get_parent()
    section = home.add_child(instance=GuidancePage(title="Year 3", slug="year-3"))
    portfolio_root()
    portfolio_page.move(section, pos="last-child")
    assert "/year-3/" in portfolio_root()
    section.slug = "year-4"
    section.save_revision().publish()
    assert "/year-4/" in portfolio_root()


@pytest.mark.parametrize("event", ["unpublish", "publish", "site_saved", "site_deleted"])
def test_each_event_forgets_the_cached_url(portfolio_page, event):
    portfolio_root()
    assert cache.get(ROOT_CACHE_KEY) is not None
    if event == "unpublish":
        portfolio_page.unpublish()
    elif event == "publish":
        portfolio_page.save_revision().publish()
    else:
        site = Site.objects.create(hostname="other.example", port=8080, root_page=portfolio_page.get_parent())
        if event == "site_deleted":
            portfolio_root()
            site.delete()
    assert cache.get(ROOT_CACHE_KEY) is None
