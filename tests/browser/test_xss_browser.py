"""The XSS corpora in a real browser: pages that carry every vector of ../shared/corpora
(the learner's reflection, the tutor's review, the learner's marks, the feedback list and the
ARCP pack's HTML) open in Chromium without a dialog (the `browser_page` fixture fails on any)
and without any script running: each vector is also sent in a copy whose `alert(` first sets
`window.__xss`, which must still be undefined after the page has loaded."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from portfolio.site import portfolio_url
from reflect import roles as R
from tests.factories import AllocationFactory, LearnerFactory, UserFactory, make_published_rubric
from tests.trust.test_attack_corpora import answer_links, mark_by_api, write_reflections_on_site
from tests.trust.xss import PAYLOADS, SKIP_REASON, chunks

pytestmark = pytest.mark.skipif(not PAYLOADS, reason=SKIP_REASON)


def armed(payload: str) -> str:
    """The vector, with every `alert(` first recording that script ran."""
    return re.sub(r"alert\s*\(", "(window.__xss=1,alert)(", payload)


VECTORS = PAYLOADS + [armed(p) for p in PAYLOADS if re.search(r"alert\s*\(", p)]


# axe checks the whole page, the learner-written bodies carrying the vectors included: the
# sanitiser also repairs what would trip a screen reader (empty links, stray list items).
def settle_and_check(page, check_a11y, shot, name):
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # let timers and late handlers fire
    assert page.evaluate("window.__xss === undefined"), f"{name}: an injected script ran"
    check_a11y(page)
    shot(page, name)


@pytest.fixture
def loaded(browser_data):
    from portfolio.models import Reflection

    learner = LearnerFactory(username="x_learner", first_name="Xena", last_name="Vector")
    tutor = UserFactory(username="x_tutor", first_name="Tom", last_name="Tutor", roles=(R.TUTOR,))
    AllocationFactory(tutor=tutor, learner=learner)
    groups = chunks(VECTORS)
    reflections = write_reflections_on_site(learner, groups, door="browser")
    Reflection.objects.filter(pk__in=[r.pk for r in reflections]).update(
        status="submitted",
        submitted_at=timezone.now(),
        occurred_on=timezone.localdate() - datetime.timedelta(days=2),
    )
    rubric = make_published_rubric(criteria=2, levels=3)
    marked = mark_by_api(tutor, learner, rubric, groups, door="browsermarks")
    answer_links(learner, groups, door="browserfeedback")
    return {"learner": learner, "tutor": tutor, "reflections": reflections, "marked": marked}


def test_pages_carrying_the_vectors_run_no_script(loaded, browser_page, login, check_a11y, shot):
    page = browser_page
    login(page, "x_learner")
    for r in loaded["reflections"]:
        page.goto(portfolio_url("reflection_detail", r.pk))
        settle_and_check(page, check_a11y, shot, f"learner reflection {r.pk}")
    for reflection, _ in loaded["marked"][:3]:
        page.goto(portfolio_url("marking_results", reflection.pk))
        settle_and_check(page, check_a11y, shot, f"learner marks {reflection.pk}")
    page.goto(portfolio_url("feedback_list"))
    settle_and_check(page, check_a11y, shot, "learner feedback list")

    login(page, "x_tutor")
    for r in loaded["reflections"]:
        page.goto(portfolio_url("reflection_review", r.pk))
        settle_and_check(page, check_a11y, shot, f"tutor review {r.pk}")


def test_pack_html_runs_no_script(loaded, browser_page, check_a11y, shot):
    """The pack's HTML as WeasyPrint would get it, opened as a page with no CSP at all."""
    from arcp import evidence, pdf

    today = timezone.localdate()
    snapshot = evidence.gather(loaded["learner"], today - datetime.timedelta(days=30), today)
    html = pdf.render_html(snapshot, "00000000-0000-0000-0000-000000000000")
    assert "Xena" in html
    page = browser_page
    page.set_default_timeout(60000)  # a long page: its full-page screenshot takes a while
    page.goto("/accounts/login/")  # an http origin, so that script would have a window to use
    page.set_content(html, wait_until="load")
    settle_and_check(page, check_a11y, shot, "pack html")
