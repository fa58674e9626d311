"""The reflection journey in Chromium: a learner writes a Gibbs reflection, saves, submits,
is blocked by an NHS number, removes it, submits; the tutor requests changes; the learner
revises; the tutor signs off. Every screen is screenshotted and checked with axe-core."""

import re

from playwright.sync_api import expect

from portfolio.models import Reflection
from reflect import roles as R
from tests.browser.editing import write_section
from tests.factories import AllocationFactory, LearnerFactory, PlacementFactory, UserFactory

NHS = "943 476 5919"  # valid Modulus 11 check digit


def visit(page, check_a11y, shot, name):
    page.wait_for_load_state()
    check_a11y(page)
    shot(page, name)


def test_reflection_journey(browser_page, login, check_a11y, shot):
    page = browser_page
    learner = LearnerFactory(username="amara", first_name="Amara", last_name="Adeyemi")
    tutor = UserFactory(username="drmorgan", first_name="Helen", last_name="Morgan", roles=(R.TUTOR,))
    AllocationFactory(tutor=tutor, learner=learner)
    PlacementFactory(organisation="Community Rehabilitation Team", place="Merthyr Tydfil", type="community")

    # --- learner writes a Gibbs reflection and saves it ---------------------------------
    login(page, "amara")
    page.goto("/portfolio/")
    page.get_by_role("navigation", name="Your work").get_by_role("link", name="New reflection").click()
    visit(page, check_a11y, shot, "choose model")
    page.get_by_label("Gibbs reflective cycle").check()
    page.get_by_role("button", name="Start writing").click()
    visit(page, check_a11y, shot, "new gibbs form")
    page.locator("#id_title").fill("Following a patient home after a hip fracture")
    page.locator("#id_kind").select_option("community_placement")
    page.locator("#id_setting").select_option("community")
    page.locator("#id_placement").select_option(label="Community Rehabilitation Team, Merthyr Tydfil")
    page.locator("#id_themes_group").get_by_label("Settings, context and environment").check()
    write_section(
        page,
        "description",
        f"I joined the physio on a home visit. Her NHS number {NHS} was on the discharge letter.",
    )
    write_section(page, "feelings", "I felt uneasy about the steep stairs.")
    page.get_by_role("button", name="Save draft").click()
    # "Draft saved." or, if an autosave created the draft while the fields were filled in,
    # "Saved at HH:MM." from the edit form.
    expect(page.locator(".messages")).to_have_text(re.compile(r"Draft saved\.|Saved at \d\d:\d\d\."))
    expect(page).to_have_url(re.compile(r"/portfolio/reflections/\d+/edit/$"))
    visit(page, check_a11y, shot, "edit after first save")
    reflection = Reflection.objects.get(learner=learner)
    assert reflection.status == "draft" and reflection.reflective_model == "gibbs"

    # Autosave while typing.
    write_section(page, "evaluation", "The physio arranged a second rail the same day.")
    page.locator("#id_title").focus()
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Saved \d\d:\d\d$"), timeout=15000)
    reflection.refresh_from_db()
    assert "second rail" in reflection.sections["evaluation"]

    # --- submit: blocked by the NHS number -----------------------------------------------
    page.get_by_role("button", name="Save and check before submitting").click()
    expect(page.get_by_text("Must be removed: NHS number")).to_be_visible()
    expect(page.get_by_role("button", name="Submit for review")).to_have_count(0)
    visit(page, check_a11y, shot, "submit blocked by nhs number")
    assert Reflection.objects.get(pk=reflection.pk).status == "draft"

    # --- remove it and submit --------------------------------------------------------------
    page.get_by_role("link", name="Edit your reflection").click()
    write_section(
        page,
        "description",
        "I joined the physio on a home visit for a woman in her eighties after a hip fracture.",
    )
    page.get_by_role("button", name="Save and check before submitting").click()
    expect(
        page.get_by_text("We found nothing that looks like patient-identifiable information")
    ).to_be_visible()
    visit(page, check_a11y, shot, "submit check clean")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted. Your tutor has been told")).to_be_visible()
    visit(page, check_a11y, shot, "learner detail submitted")
    assert Reflection.objects.get(pk=reflection.pk).status == "submitted"

    # --- tutor requests changes -----------------------------------------------------------
    login(page, "drmorgan")
    page.goto("/portfolio/")
    page.get_by_role("link", name="Reflections to review").click()
    visit(page, check_a11y, shot, "tutor queue")
    page.get_by_role("link", name="Following a patient home after a hip fracture").click()
    visit(page, check_a11y, shot, "tutor review")
    page.get_by_role("button", name="Request changes").click()  # empty comment: refused
    expect(page.locator(".field-error")).to_contain_text("required")
    page.locator("#id_changes-comment").fill("Good start. What does this tell you about discharge planning?")
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_text("Changes requested. The learner has been told.")).to_be_visible()
    assert Reflection.objects.get(pk=reflection.pk).status == "changes_requested"

    # --- learner revises and resubmits ------------------------------------------------------
    login(page, "amara")
    page.goto(f"/portfolio/reflections/{reflection.pk}/")
    expect(page.get_by_text("What does this tell you about discharge planning?")).to_be_visible()
    visit(page, check_a11y, shot, "learner sees request")
    page.get_by_role("link", name="Revise").click()
    write_section(page, "analysis", "Discharge checklists ask about function, not about the house.")
    visit(page, check_a11y, shot, "learner revising")
    page.get_by_role("button", name="Save and check before submitting").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted. Your tutor has been told")).to_be_visible()

    # --- tutor sees what changed and signs off -----------------------------------------------
    login(page, "drmorgan")
    page.goto(f"/portfolio/review/{reflection.pk}/")
    expect(page.get_by_role("heading", name="What changed since you asked for changes")).to_be_visible()
    expect(page.locator("ins").filter(has_text="Discharge checklists ask about function")).to_be_visible()
    visit(page, check_a11y, shot, "tutor sees changes")
    page.get_by_role("link", name="Sign off…").click()
    visit(page, check_a11y, shot, "sign off confirm")
    page.get_by_label("I have read this reflection and sign it off").check()
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("Signed off. The learner has been told.")).to_be_visible()
    reflection.refresh_from_db()
    assert reflection.status == "signed_off" and reflection.signed_off_by == tutor

    login(page, "amara")
    page.goto(f"/portfolio/reflections/{reflection.pk}/")
    expect(page.get_by_text("Signed off and locked")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    visit(page, check_a11y, shot, "learner signed off")
    # No script errors (failed loads are the favicon and the deliberate 400 above).
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []


def autosave_carrying(text):
    """Matches the response to an autosave whose posted form holds `text`."""

    def match(response):
        request = response.request
        return "/autosave/" in request.url and text in (request.post_data or "")

    return match


def test_a_new_reflection_is_autosaved_before_the_first_save(browser_page, login, check_a11y, shot):
    """Nothing typed is lost before "Save draft": once the required fields are filled in, the
    first autosave creates the draft and the page becomes its edit form."""
    page = browser_page
    learner = LearnerFactory(username="bea", first_name="Bea", last_name="Okafor")
    login(page, "bea")
    page.goto("/portfolio/reflections/new/?model=rolfe")
    expect(page.locator("#autosave-status")).to_contain_text("saved automatically once the required fields")
    write_section(page, "what", "Typed before the title.")
    page.locator("#id_title").focus()
    expect(page.locator("#autosave-status")).to_contain_text("Not saved yet", timeout=15000)
    assert not Reflection.objects.filter(learner=learner).exists()
    check_a11y(page)
    page.locator("#id_title").fill("Lived-experience session on homelessness")
    page.locator("#id_kind").select_option("lived_experience")
    # Waiting for the autosave that carries the text (not just for "Saved", which an earlier
    # save may print) also keeps this test from reading the in-memory SQLite test database
    # while the server writes it, which would lock it.
    with page.expect_response(autosave_carrying("discharge to nowhere"), timeout=15000):
        write_section(page, "so_what", "Hospital discharge to nowhere.")
        page.locator("#id_title").focus()
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Saved \d\d:\d\d$"), timeout=15000)
    expect(page).to_have_url(re.compile(r"/portfolio/reflections/\d+/edit/$"))
    reflection = Reflection.objects.get(learner=learner)
    assert reflection.status == "draft" and "before the title" in reflection.sections["what"]
    assert "nowhere" in reflection.sections["so_what"]
    # It goes on autosaving to the same draft, and a reload shows the text.
    with page.expect_response(autosave_carrying("housing"), timeout=15000) as saved:
        write_section(page, "now_what", "Ask the discharge team about housing.")
        page.locator("#id_title").focus()
    assert saved.value.status == 200
    expect(page.locator("#autosave-status")).to_have_text(re.compile(r"^Saved \d\d:\d\d$"), timeout=15000)
    reflection.refresh_from_db()
    assert "housing" in reflection.sections["now_what"]
    assert Reflection.objects.filter(learner=learner).count() == 1
    page.reload()
    expect(page.locator("#id_section_now_what")).to_have_value(re.compile("housing"))
    check_a11y(page)
    shot(page, "new reflection autosaved")
