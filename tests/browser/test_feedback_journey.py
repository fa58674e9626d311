"""A patient representative answers on a phone with the keyboard alone, sees the thank-you
page, and the spent link then shows the kind "already used" page. Every page passes axe."""

import re

import pytest

from feedback import instrument
from feedback import services as fb
from feedback.models import Feedback
from reflect import roles as R
from tests.factories import AllocationFactory, LearnerFactory, UserFactory


@pytest.fixture
def link(browser_data):
    learner = LearnerFactory(username="fb_learner", first_name="Amara", last_name="Adeyemi")
    tutor = UserFactory(username="fb_tutor", roles=(R.TUTOR,))
    AllocationFactory(tutor=tutor, learner=learner)
    _, raw = fb.create_invitation(
        learner, tutor, "Lived-experience session: living with psychosis", "2026-11-20"
    )
    return raw


def focused(page) -> dict:
    return page.evaluate(
        "() => { const e = document.activeElement; return {id: e.id, tag: e.tagName.toLowerCase(),"
        " type: e.type || '', text: (e.innerText || '').trim(), checked: !!e.checked,"
        " outline: getComputedStyle(e).outlineStyle}; }"
    )


def tab_to(page, element_id: str, limit: int = 120) -> None:
    """Press Tab until the element with `element_id` has focus (keyboard only)."""
    for _ in range(limit):
        if focused(page)["id"] == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach #{element_id} with the Tab key")


def test_representative_answers_with_keyboard_on_a_phone(link, phone_page, check_a11y, shot):
    page = phone_page
    page.goto(f"/feedback/{link}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Your feedback for Amara"
    assert "Adeyemi" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "page scrolls sideways on a phone"
    check_a11y(page)
    shot(page, "feedback-form")

    # 1. Send too early: the comment is kept and the errors are listed at the top and by the field.
    tab_to(page, "id_comments")
    page.keyboard.type("They asked about my <b>bus fare</b>.")
    tab_to(page, "submit-feedback")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    assert summary.is_visible() and "Choose how you took part." in summary.inner_text()
    assert page.locator("#id_respondent_role-error").is_visible()
    assert page.locator("#id_comments").input_value() == "They asked about my <b>bus fare</b>."
    check_a11y(page)
    shot(page, "feedback-errors")

    # 2. Answer every statement with the keyboard: Space picks "Poor", arrows move along the scale.
    page.evaluate("window.scrollTo(0, 0)")
    tab_to(page, f"id_rating_{instrument.KEYS[0]}_0")
    first = focused(page)
    assert first["type"] == "radio" and first["outline"] != "none", "keyboard focus must be visible"
    for n, key in enumerate(instrument.KEYS):
        assert focused(page)["id"] == f"id_rating_{key}_0", focused(page)
        page.keyboard.press("Space")
        if n == len(instrument.KEYS) - 1:
            page.keyboard.press("ArrowLeft")  # wraps round to "Does not apply"
        else:
            for _ in range(3):
                page.keyboard.press("ArrowRight")  # Poor → Fair → Good → Very good
        page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_comments"
    page.keyboard.press("Tab")  # into "How did you take part?"
    assert focused(page)["id"].startswith("id_respondent_role_")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # Patient representative → Carer
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_anonymous"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_respondent_name"
    page.keyboard.type("Not Kept")
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "submit-feedback"
    shot(page, "feedback-filled")
    page.keyboard.press("Enter")
    page.wait_for_url("**/feedback/thanks/")
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you"
    check_a11y(page)
    shot(page, "thank-you")

    feedback = Feedback.objects.get()
    expected = {key: 4 for key in instrument.KEYS}
    expected[instrument.KEYS[-1]] = None
    assert feedback.ratings == expected
    assert feedback.respondent_role == "carer" and feedback.anonymous and feedback.respondent_name == ""
    assert feedback.comments == "They asked about my bus fare."

    # 3. The spent link: a kind page, not an error page.
    response = page.goto(f"/feedback/{link}/")
    assert response.status == 410
    assert page.get_by_role("heading", level=1).inner_text() == "This link has already been used"
    check_a11y(page)
    shot(page, "link-used")


def test_unknown_and_expired_links_are_kind_and_accessible(link, phone_page, check_a11y, shot):
    from django.utils import timezone

    from feedback.models import FeedbackInvitation

    page = phone_page
    response = page.goto("/feedback/not-a-real-link/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "We could not find this link"
    check_a11y(page)
    shot(page, "unknown-link")
    FeedbackInvitation.objects.update(expires_at=timezone.now())
    response = page.goto(f"/feedback/{link}/")
    assert response.status == 410
    assert page.get_by_role("heading", level=1).inner_text() == "This link has expired"
    check_a11y(page)
    shot(page, "expired-link")


def test_tutor_invites_and_sees_each_link_once(link, browser_page, login, check_a11y, shot):
    page = browser_page
    login(page, "fb_tutor")
    page.get_by_role("link", name=re.compile(r"^Invite feedback from patients")).click()
    check_a11y(page)
    shot(page, "invite-form")
    page.get_by_label("Learner").select_option(label="Amara Adeyemi")
    page.get_by_label("What was the session?").fill("Carers' panel")
    page.get_by_label("Date of the session").fill("2026-11-21")
    page.get_by_label("E-mail addresses (optional)").fill("one@example.org\ntwo@example.org")
    page.get_by_role("button", name="Create the links").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Feedback links created"
    assert "will not be shown again" in page.content()
    fields = page.locator("input[data-copy-field]")
    assert fields.count() == 2
    assert all("/feedback/" in fields.nth(i).input_value() for i in range(2))
    check_a11y(page)
    shot(page, "links-created")
