"""Goals in a real browser (issue 16), at desktop and on a 390 px phone: a learner makes a goal
from a reflection's action plan (prefilled), meets the error summary for a date before the
reflection, saves it, reviews it; the tutor finds it from the learner's timeline and comments.
axe-core clean and no sideways scroll on every page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reflect import roles as R
from tests.factories import AllocationFactory, CohortFactory, LearnerFactory, ReflectionFactory, UserFactory

ACTION_PLAN = "<ul><li>Ask every patient I clerk about stairs, heating and who is at home.</li></ul>"


def fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"{page.url} scrolls sideways: {width} > {inner}"


@pytest.fixture
def people(browser_data):
    cohort = CohortFactory(name="MBChB Year 4 2026")
    amara = LearnerFactory(username="g_amara", first_name="Amara", last_name="Adeyemi", cohort=cohort)
    tutor = UserFactory(username="g_tutor", first_name="Rhian", last_name="Morgan", roles=(R.TUTOR,))
    AllocationFactory(tutor=tutor, learner=amara)
    reflection = ReflectionFactory(
        learner=amara,
        title="Following an older patient home",
        reflective_model="gibbs",
        status="submitted",
        submitted_at=timezone.now(),
        occurred_on=timezone.localdate() - datetime.timedelta(days=10),
        sections={"description": "<p>A home visit.</p>", "action_plan": ACTION_PLAN},
        body_html="<p>A home visit.</p>" + ACTION_PLAN,
    )
    return {"amara": amara, "reflection": reflection}


@pytest.mark.parametrize("device", ["browser_page", "phone_page"])
def test_learner_makes_and_reviews_a_goal_and_the_tutor_comments(request, device, people, login, check_a11y):
    page = request.getfixturevalue(device)
    reflection = people["reflection"]
    login(page, "g_amara")
    page.goto(f"/portfolio/reflections/{reflection.pk}/")
    page.get_by_role("link", name="Make a goal from this action plan").click()
    what = page.get_by_label("What will you do?")
    expect(what).to_have_value("Ask every patient I clerk about stairs, heating and who is at home.")
    check_a11y(page)
    fits(page)
    too_early = (reflection.occurred_on - datetime.timedelta(days=1)).isoformat()
    page.get_by_label("By when?").fill(too_early)
    page.get_by_label("How will you know you have done it?").fill("Ten clerkings in a row record it.")
    page.get_by_role("button", name="Save goal").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("cannot be due before the reflection")
    check_a11y(page)
    fits(page)
    page.get_by_label("By when?").fill((timezone.localdate() + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save goal").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ask every patient I clerk")
    check_a11y(page)
    fits(page)
    goal_url = page.url
    nav = page.get_by_role("navigation", name="Your work")
    expect(nav.get_by_role("link", name="My goals")).to_contain_text("1")
    page.get_by_role("button", name="Save review").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Partly achieved").check()
    page.get_by_label("Your review").fill("Managed it on most shifts.")
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text("Managed it on most shifts.")).to_be_visible()
    nav.get_by_role("link", name="My goals").click()
    check_a11y(page)
    fits(page)

    login(page, "g_tutor")
    page.goto(f"/portfolio/arcp/learners/{people['amara'].pk}/")
    page.get_by_role("link", name="Personal development plan").click()
    check_a11y(page)
    fits(page)
    page.get_by_role("link", name="Ask every patient I clerk").click()
    assert page.url == goal_url
    page.get_by_label("Your comment").fill("Good. Next: ask about heating costs too.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("Good. Next: ask about heating costs too.")).to_be_visible()
    check_a11y(page)
    fits(page)
