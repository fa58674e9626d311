"""Every site page each demo role reaches by links, on a 390 px phone (issue 15): no page
scrolls sideways, and axe-core finds no serious or critical violation. The pages come from
following the site's own links from the dashboard (one page of each shape: the same path
with other query values counts once), over `seed_demo`'s world.

Failures are collected over the whole crawl, so one run lists every page that needs work.
"""

from __future__ import annotations

from collections import deque
from urllib.parse import urldefrag

import pytest

from tests.trust.test_crawl import SKIP_PREFIXES, seed_demo_json, shape

PASSWORD = "phone-Demo-2026"
ROLES = ["learner1_1", "tutor1_1", "examiner1", "dualrole", "layrep", "admin"]
MAX_PAGES = 30


@pytest.fixture
def demo(browser_data):
    return seed_demo_json(PASSWORD)


def site_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    return [urldefrag(h)[0] for h in hrefs if h and h.startswith("/") and not h.startswith("//")]


@pytest.mark.parametrize("username", ROLES)
def test_every_page_fits_a_phone_and_passes_axe(demo, phone_page, login, check_a11y, shot, username):
    page = phone_page
    login(page, username, PASSWORD)
    queue = deque(["/portfolio/"])
    seen: set[str] = set()
    problems: list[str] = []
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if shape(url) in seen or url.startswith((*SKIP_PREFIXES, "/admin/", "/django-admin/")):
            continue
        seen.add(shape(url))
        if "/download/" in url:
            continue  # a file, not a page (the HTTP crawl in tests/trust checks it answers)
        response = page.goto(url)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        width = page.evaluate("document.documentElement.scrollWidth")
        inner = page.evaluate("window.innerWidth")
        if width > inner:
            problems.append(f"{url}: {width} px wide at {inner} px")
            shot(page, f"{username} too wide {url}")
        try:
            check_a11y(page)
        except AssertionError as error:
            problems.append(str(error))
        queue.extend(site_links(page))
    assert len(seen) > 3, seen
    assert not problems, "\n".join(problems)
