"""A tutor marks a reflection by keyboard alone (Tab, arrow keys, Space, Enter, typing) on a
1366×768 screen and finalises; then the learner signs in and sees the result."""

import re

import pytest

from portfolio.site import portfolio_url
from reflect import roles as R
from tests.factories import (
    AllocationFactory,
    CohortFactory,
    LearnerFactory,
    UserFactory,
    make_published_rubric,
    submitted_reflection,
)


@pytest.fixture
def marking_world(browser_data):
    cohort = CohortFactory(name="Cohort Marking")
    learner = LearnerFactory(username="m_learner", first_name="Esi", last_name="Mensah", cohort=cohort)
    tutor = UserFactory(username="m_tutor", first_name="Helen", last_name="Morgan", roles=(R.TUTOR,))
    AllocationFactory(tutor=tutor, learner=learner)
    rubric = make_published_rubric(criteria=3, levels=4, title="A browser test rubric")
    reflection = submitted_reflection(
        learner,
        title="Bus routes and missed appointments",
        body_html="<p>A patient told me the bus to the clinic stopped running after 6pm.</p>",
    )
    return {"learner": learner, "tutor": tutor, "rubric": rubric, "reflection": reflection}


def active(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement; return {tag: e.tagName, name: e.name || '',
        type: e.type || '', text: (e.innerText || e.value || '').trim(), checked: !!e.checked}; }"""
    )


def tab_to(page, matches, limit=120):
    """Press Tab until the focused element satisfies `matches` (a dict predicate)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if matches(active(page)):
            return active(page)
    raise AssertionError(f"never reached the element; last focus: {active(page)}")


def keyboard_login(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    tab_to(page, lambda a: a["name"] == "login")
    page.keyboard.type(username)
    tab_to(page, lambda a: a["name"] == "password")
    page.keyboard.type("pw")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/accounts/login/" not in page.url, page.url


def test_tutor_marks_by_keyboard_and_learner_sees_the_result(marking_world, browser_page, check_a11y, shot):
    page = browser_page
    reflection = marking_world["reflection"]
    keyboard_login(page, "m_tutor")

    page.goto(portfolio_url("marking_home"))
    check_a11y(page)
    shot(page, "marking-home")
    tab_to(page, lambda a: a["tag"] == "A" and a["text"] == reflection.title)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/start/$"))
    check_a11y(page)
    shot(page, "choose-rubric")

    # The first rubric in the list is ours ("A browser …"): focus enters the group on it.
    focus = tab_to(page, lambda a: a["name"] == "rubric")
    page.keyboard.press("Space")
    assert active(page)["checked"] and focus["type"] == "radio"
    tab_to(page, lambda a: a["tag"] == "BUTTON" and a["text"] == "Start marking")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/marking/\d+/$"))
    page.wait_for_load_state()
    assert page.get_by_text("bus to the clinic stopped running").is_visible()
    check_a11y(page)
    shot(page, "marking-grid-empty")

    # Criterion by criterion: Tab into the radio group, arrows choose a level, Tab to the
    # comment and type it. Levels (0-based) 3, 2, 1 → 3 + 2 + 1 = 6 of 9 points.
    for n, level_index in enumerate([3, 2, 1]):
        focus = tab_to(page, lambda a: a["type"] == "radio" and a["name"].startswith("level_"))
        if level_index == 0:
            page.keyboard.press("Space")
        for _ in range(level_index):
            page.keyboard.press("ArrowRight")
        assert active(page)["checked"]
        page.keyboard.press("Tab")
        assert active(page)["tag"] == "TEXTAREA" and active(page)["name"].startswith("comment_")
        page.keyboard.type(f"Criterion {n + 1}: clear link to transport policy.")
    page.keyboard.press("Tab")
    assert active(page)["name"] == "overall_comment"
    page.keyboard.type("You saw the system behind the patient. Next: who runs the buses?")
    shot(page, "marking-grid-filled")
    tab_to(page, lambda a: a["tag"] == "BUTTON" and a["text"].startswith("Save and review"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/finalise/$"))
    assert page.get_by_text("6 of 9").first.is_visible()
    assert "66.67%" in page.content()
    check_a11y(page)
    shot(page, "summary")

    tab_to(page, lambda a: a["tag"] == "BUTTON" and a["text"] == "Finalise this marking")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/view/$"))
    assert page.get_by_text("Assessment finalised").is_visible()
    check_a11y(page)
    shot(page, "finalised")

    # The learner sees the grid, the chosen levels marked with text (not colour alone), comments.
    keyboard_login(page, "m_learner")
    page.goto(portfolio_url("reflection_detail", reflection.pk))
    page.wait_for_load_state()
    assert page.get_by_text("✓ Chosen").count() == 3
    assert page.get_by_text("who runs the buses?").is_visible()
    assert page.get_by_text("Criterion 2: clear link to transport policy.").is_visible()
    check_a11y(page)
    shot(page, "learner-sees-marks")
