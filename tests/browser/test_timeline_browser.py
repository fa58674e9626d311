"""A tutor finds a learner through the navigation, reads their timeline, filters it and opens
the cohort's theme coverage (issue 15), at desktop and on a 390 px phone: axe-core clean and
no sideways scroll on every page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reflect import roles as R
from tests.factories import (
    AllocationFactory,
    CohortFactory,
    LearnerFactory,
    UserFactory,
    arcp_feedback,
    arcp_finalised_assessment,
    arcp_reflection,
    make_published_rubric,
)


def fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"{page.url} scrolls sideways: {width} > {inner}"


@pytest.fixture
def people(browser_data):
    today = timezone.localdate()
    cohort = CohortFactory(name="MBChB Year 4 2026")
    amara = LearnerFactory(username="t_amara", first_name="Amara", last_name="Adeyemi", cohort=cohort)
    ben = LearnerFactory(username="t_ben", first_name="Ben", last_name="Okafor", cohort=cohort)
    LearnerFactory(username="t_other", first_name="Amara", last_name="Elsewhere", cohort=cohort)
    tutor = UserFactory(username="t_tutor", first_name="Rhian", last_name="Morgan", roles=(R.TUTOR,))
    AllocationFactory(tutor=tutor, learner=amara)
    AllocationFactory(tutor=tutor, learner=ben)
    shelter = arcp_reflection(
        amara,
        today - datetime.timedelta(days=30),
        themes=("community_engagement",),
        title="Night shelter outreach",
    )
    arcp_reflection(
        amara,
        today - datetime.timedelta(days=8),
        themes=("advocacy", "equity_power"),
        title="Housing letters",
    )
    arcp_reflection(ben, today - datetime.timedelta(days=4), themes=("context",), title="Rural clinic")
    rubric = make_published_rubric(criteria=2, levels=3, title="Community rubric")
    arcp_finalised_assessment(shelter, rubric, tutor)
    arcp_feedback(amara, today - datetime.timedelta(days=12), context_title="Lived-experience session")
    return {"amara": amara}


@pytest.mark.parametrize("device", ["browser_page", "phone_page"])
def test_tutor_finds_a_learner_reads_filters_and_views_coverage(
    people, request, login, check_a11y, shot, device
):
    page = request.getfixturevalue(device)
    login(page, "t_tutor")
    page.get_by_role("navigation", name="Your work").get_by_role("link", name="Learners", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Learners")).to_be_visible()
    check_a11y(page)
    fits(page)
    page.get_by_label("Learner's name").fill("amara")
    page.get_by_role("button", name="Find learners").click()
    expect(page.get_by_role("link", name="Amara Adeyemi")).to_be_visible()
    expect(page.get_by_text("Amara Elsewhere")).to_have_count(0)  # not their learner
    page.get_by_role("link", name="Amara Adeyemi").click()

    expect(page.get_by_role("heading", level=1, name="Amara Adeyemi")).to_be_visible()
    for text in ("Night shelter outreach", "Housing letters", "Lived-experience session", "Total 4 of 4"):
        expect(page.get_by_text(text).first).to_be_visible()
    check_a11y(page)
    fits(page)
    shot(page, f"timeline {device}")

    page.get_by_label("Kind of entry").select_option("reflection")
    page.get_by_label("Theme").select_option(label="Advocacy")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("link", name="Housing letters")).to_be_visible()
    expect(page.get_by_text("Night shelter outreach")).to_have_count(0)
    expect(page.get_by_text("Lived-experience session")).to_have_count(0)
    expect(page.get_by_text("1 entry match your filters")).to_be_visible()
    check_a11y(page)
    fits(page)

    page.get_by_role("link", name="All learners").click()
    page.get_by_role("link", name="Theme coverage by cohort").click()
    expect(page.get_by_role("img", name="Submitted reflections per theme for each learner")).to_be_visible()
    page.get_by_text("Theme coverage as a table").click()
    table = page.get_by_role(
        "table", name="Submitted reflections per theme for each learner of MBChB Year 4 2026"
    )
    expect(table.get_by_role("row")).to_have_count(3)  # header + Amara + Ben, not the other learner
    expect(table.get_by_role("link", name="Amara Adeyemi")).to_be_visible()
    check_a11y(page)
    fits(page)
    shot(page, f"coverage {device}")
