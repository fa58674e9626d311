"""The site pages each role opens run as many queries with 10 items on screen as with 2
(issue 15, speed): the learner's and the tutor's dashboard, the tutor's review queue, one
learner's timeline, the examiner's panel and a panel learner, and the cohort heatmap.

Each test fills the page with 2 items, loads it once (the portfolio page's URL and the site
are cached on first use), counts the queries of the next load, grows to 10 items and checks
the count did not grow and that the 10 items are on the page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from portfolio.site import portfolio_url
from tests.factories import (
    AllocationFactory,
    ArcpExportFactory,
    ArcpReviewFactory,
    LearnerFactory,
    arcp_feedback,
    arcp_finalised_assessment,
    arcp_reflection,
    make_published_rubric,
)

DAY = datetime.timedelta(days=1)
THEMES = ("community_engagement", "context")


def _ago(n: int) -> datetime.date:
    return timezone.localdate() - n * DAY


@pytest.fixture
def rubric(db):
    return make_published_rubric(criteria=3, levels=3)


def _same_queries(client, url, add, shown, django_assert_max_num_queries):
    """Two items, count; eight more, the count must not grow; `shown(html)` counts the items."""
    add(2)
    assert client.get(url).status_code == 200  # warm the caches (portfolio root, site)
    with django_assert_max_num_queries(60) as small:
        page = client.get(url)
    assert page.status_code == 200
    assert shown(page.content.decode()) == 2
    add(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url)
    assert page.status_code == 200
    assert shown(page.content.decode()) == 10


def _entries(html: str) -> int:
    """Distinct reflections named on the page (a marking names its reflection too)."""
    return len(set(re.findall(r"Entry number \d\d", html)))


def _portfolio_items(learner, tutor, rubric, start):
    """`add(n)`: n more submitted reflections of `learner`, each marked once, with feedback."""
    made = []

    def add(n):
        for _ in range(n):
            i = start + len(made)
            r = arcp_reflection(learner, _ago(2 + len(made)), themes=THEMES, title=f"Entry number {i:02d}")
            arcp_finalised_assessment(r, rubric, tutor)
            arcp_feedback(learner, _ago(2 + len(made)))
            made.append(r)

    return add


def test_learner_dashboard(world, portfolio_page, client, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            AllocationFactory(learner=world.learner_a, tutor__last_name="Zz-tutor")
            arcp_reflection(world.learner_a, _ago(3))

    client.force_login(world.learner_a)
    # Each new tutor is named on the page (the learner's allocations); the recent
    # reflections are the latest five whatever the number.
    _same_queries(
        client,
        portfolio_url("dashboard"),
        add,
        lambda html: html.count("Zz-tutor"),
        django_assert_max_num_queries,
    )


def test_tutor_dashboard(world, portfolio_page, client, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            learner = LearnerFactory(cohort=world.cohort_a, last_name="Zz-learner")
            AllocationFactory(tutor=world.tutor, learner=learner)
            arcp_reflection(learner, _ago(3))

    client.force_login(world.tutor)
    _same_queries(
        client,
        portfolio_url("dashboard"),
        add,
        lambda html: html.count("Zz-learner"),
        django_assert_max_num_queries,
    )


def test_review_queue(world, portfolio_page, client, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            learner = LearnerFactory(cohort=world.cohort_a)
            AllocationFactory(tutor=world.tutor, learner=learner)
            arcp_reflection(learner, _ago(3), themes=THEMES, title="Waiting for review")

    client.force_login(world.tutor)
    _same_queries(
        client,
        portfolio_url("review_queue"),
        add,
        lambda html: html.count("Waiting for review"),
        django_assert_max_num_queries,
    )


def test_timeline(world, portfolio_page, client, rubric, django_assert_max_num_queries):
    client.force_login(world.tutor)
    _same_queries(
        client,
        portfolio_url("arcp_timeline", world.learner_a.pk),
        _portfolio_items(world.learner_a, world.tutor, rubric, 0),
        _entries,
        django_assert_max_num_queries,
    )


def test_examiner_panel(world, portfolio_page, client, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            learner = LearnerFactory(cohort=world.cohort_a, last_name="Zz-panel")
            export = ArcpExportFactory(learner=learner, created_by=world.examiner)
            ArcpReviewFactory(export=export, examiner=world.examiner)

    client.force_login(world.examiner)
    _same_queries(
        client,
        portfolio_url("arcp_panel"),
        add,
        lambda html: html.count("Zz-panel"),
        django_assert_max_num_queries,
    )


def test_examiner_panel_learner(world, portfolio_page, client, rubric, django_assert_max_num_queries):
    add_items = _portfolio_items(world.learner_a, world.tutor, rubric, 0)

    def add(n):
        add_items(n)
        for _ in range(n):
            export = ArcpExportFactory(learner=world.learner_a, created_by=world.examiner)
            ArcpReviewFactory(export=export, examiner=world.examiner)

    client.force_login(world.examiner)
    _same_queries(
        client,
        portfolio_url("arcp_panel_learner", world.learner_a.pk),
        add,
        _entries,
        django_assert_max_num_queries,
    )


def test_cohort_heatmap(world, portfolio_page, client, django_assert_max_num_queries):
    def add(n):
        for _ in range(n):
            learner = LearnerFactory(cohort=world.cohort_a)
            AllocationFactory(tutor=world.tutor, learner=learner)
            arcp_reflection(learner, _ago(2), themes=THEMES)

    client.force_login(world.tutor)
    # world.learner_a is the tutor's too: one row more than added.
    _same_queries(
        client,
        portfolio_url("arcp_cohort_coverage"),
        add,
        lambda html: html.count('<th scope="row">') - 1,
        django_assert_max_num_queries,
    )


def test_panel_learner_screen_holds_what_the_pack_holds(world, portfolio_page, client, rubric):
    """The page gathers only what it draws (`gather(screen=True)`), with the same counts,
    reflections, markings and totals as the pack's full snapshot for the same reader."""
    from arcp import evidence

    _portfolio_items(world.learner_a, world.tutor, rubric, 0)(3)
    period = (_ago(365), timezone.localdate())
    full = evidence.gather(world.learner_a, *period, viewer=world.examiner)
    screen = evidence.gather(world.learner_a, *period, viewer=world.examiner, screen=True)
    keys = ("reflection_count", "assessment_count", "feedback_count", "themes_covered", "late_count")
    assert {k: screen.summary[k] for k in keys} == {k: full.summary[k] for k in keys}

    def markings(snapshot):
        return [
            (r.title, [(a.assessment.pk, a.assessor_name, a.total, a.max_score) for a in r.assessments])
            for r in snapshot.reflections
        ]

    assert markings(screen) == markings(full) and len(full.reflections) == 3
    client.force_login(world.examiner)
    html = client.get(portfolio_url("arcp_panel_learner", world.learner_a.pk)).content.decode()
    for r in full.reflections:
        for a in r.assessments:
            assert (
                f"{a.total} of {a.max_score}" in html
                and portfolio_url("marking_detail", a.assessment.pk) in html
            )
