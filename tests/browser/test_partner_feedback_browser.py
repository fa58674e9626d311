"""A community partner and a placement supervisor answer their links on a 390 px phone with
the keyboard alone; each sees their own instrument; every page passes axe."""

import pytest

from feedback import services as fb
from feedback.models import Feedback, Instrument
from reflect import roles as R
from tests.browser.test_feedback_journey import focused, tab_to
from tests.factories import AllocationFactory, LearnerFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def people(browser_data):
    learner = LearnerFactory(username="partner_learner", first_name="Amara", last_name="Adeyemi")
    tutor = UserFactory(username="partner_tutor", roles=(R.TUTOR,))
    AllocationFactory(tutor=tutor, learner=learner)
    return learner, tutor


@pytest.mark.parametrize("kind", ["community_partner", "placement_supervisor"])
def test_partner_answers_by_keyboard_on_a_phone(people, kind, phone_page, check_a11y, shot):
    learner, tutor = people
    _, raw = fb.create_invitation(learner, tutor, "Food bank drop-in", "2026-11-20", respondent_type=kind)
    version = Instrument.objects.current(kind)
    page = phone_page
    page.goto(f"/feedback/{raw}/")
    assert version.title in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "page scrolls sideways on a phone"
    check_a11y(page)
    shot(page, f"{kind}-form")

    tab_to(page, f"id_rating_{version.keys[0]}_0")
    for key in version.keys:
        assert focused(page)["id"] == f"id_rating_{key}_0", focused(page)
        page.keyboard.press("Space")  # 1
        for _ in range(3):
            page.keyboard.press("ArrowRight")  # → 4 (Agree)
        page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_comments"
    page.keyboard.type("Reliable and kind to our visitors.")
    page.keyboard.press("Tab")
    assert focused(page)["id"].startswith("id_respondent_role_")
    page.keyboard.press("Space")  # the first role this instrument offers
    tab_to(page, "submit-feedback")
    page.keyboard.press("Enter")
    page.wait_for_url("**/feedback/thanks/")
    check_a11y(page)

    stored = Feedback.objects.get()
    assert stored.respondent_type == kind and stored.instrument_id == version.pk
    assert stored.ratings == dict.fromkeys(version.keys, 4)
    assert stored.respondent_role == version.roles[0]
