"""Each role signs in through the site and lands on their own dashboard; pages pass axe."""

import pytest

from reflect import roles as R
from tests.factories import AllocationFactory, CohortFactory, LearnerFactory, PanelFactory, UserFactory


@pytest.fixture
def people(browser_data):
    cohort = CohortFactory(name="Cohort Browser")
    learner = LearnerFactory(username="b_learner", first_name="Amara", last_name="Adeyemi", cohort=cohort)
    other = LearnerFactory(username="b_other", first_name="Zed", last_name="Outsider")
    tutor = UserFactory(username="b_tutor", roles=(R.TUTOR,))
    AllocationFactory(tutor=tutor, learner=learner)
    examiner = UserFactory(username="b_examiner", roles=(R.EXAMINER,))
    PanelFactory(examiner=examiner, cohort=cohort)
    UserFactory(username="b_admin", roles=(R.ADMIN,), is_staff=True)
    return {"learner": learner, "other": other}


def test_home_and_sign_in_page_are_accessible(people, browser_page, check_a11y, shot):
    page = browser_page
    page.goto("/")
    check_a11y(page)
    shot(page, "home")
    page.get_by_role("link", name="Sign in").first.click()
    check_a11y(page)
    shot(page, "sign-in")


def test_wrong_password_shows_error(people, browser_page, check_a11y):
    page = browser_page
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("b_learner")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    check_a11y(page)


@pytest.mark.parametrize(
    "username,heading,absent",
    [
        ("b_learner", "My portfolio", "My learners"),
        ("b_tutor", "My learners", "My portfolio"),
        ("b_examiner", "My panels", "My learners"),
        ("b_admin", "Programme overview", "My learners"),
    ],
)
def test_each_role_lands_on_their_dashboard(
    people, browser_page, login, check_a11y, shot, username, heading, absent
):
    page = browser_page
    login(page, username)
    assert page.url.endswith("/portfolio/")
    assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_role("heading", name=absent).count() == 0
    assert "Outsider" not in page.content()
    check_a11y(page)
    shot(page, f"dashboard-{username}")


def test_keyboard_skip_link(people, browser_page, login):
    page = browser_page
    login(page, "b_learner")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Skip to main content" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
