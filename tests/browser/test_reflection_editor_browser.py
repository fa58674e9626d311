"""The reflection editor in Chromium (issue 16): a Gibbs reflection written with the editor
only (bold from its toolbar button, a bulleted list, a link), "Saved" in the sticky status,
the formatting back after a reload, a valid NHS number flagged beside its section while
typing (before any submission); at 390 px it fits without sideways scrolling. Autosave a
person can trust: offline → "Not saved — retrying" and a copy in the browser, saved when the
connection comes back; a copy the server never got is offered back; a second tab's save is
shown at the top with both texts. axe-core clean and no CSP violation on every screen."""

import re

from playwright.sync_api import expect

from portfolio.models import Reflection
from tests.factories import LearnerFactory, ReflectionFactory

NHS = "943 476 5919"  # valid Modulus 11 check digit
SAVED = re.compile(r"^Saved \d\d:\d\d$")


def editor(page, section):
    return page.locator(f"#id_section_{section}_editor")


def toolbar(page, section):
    return page.locator(f"#id_section_{section}_field").get_by_role("toolbar")


def wait_ready(page):
    page.wait_for_selector("form[data-editor-ready='']")


def autosave_carrying(text):
    def match(response):
        return "/autosave/" in response.request.url and text in (response.request.post_data or "")

    return match


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} scrolls sideways: {width}px wide in a {viewport}px window"


def test_write_with_the_editor_saved_reloaded_and_nhs_number_flagged(
    browser_page, login, check_a11y, shot, csp_watch
):
    page = browser_page
    violations = csp_watch(page)
    learner = LearnerFactory(username="amara", first_name="Amara", last_name="Adeyemi")
    login(page, "amara")
    page.goto("/portfolio/reflections/new/?model=gibbs")
    wait_ready(page)
    # The section textareas are editors now; the old "type HTML" help is gone.
    expect(page.locator("#id_section_description")).to_be_hidden()
    expect(page.get_by_text("type HTML")).to_have_count(0)
    check_a11y(page)
    page.locator("#id_title").fill("A home visit after a hip fracture")
    page.locator("#id_kind").select_option("community_placement")

    # Bold from the toolbar button, a bulleted list, a link: the editor only, no HTML typed.
    bar = toolbar(page, "description")
    editor(page, "description").click()
    page.keyboard.type("I joined the physio on a ")
    bold = bar.get_by_role("button", name="Bold", exact=True)
    bold.click()
    expect(bold).to_have_attribute("aria-pressed", "true")
    page.keyboard.type("first home visit")
    bold.click()
    page.keyboard.type(".")
    page.keyboard.press("Enter")
    bar.get_by_role("button", name="List with bullets").click()
    page.keyboard.type("steep stairs")
    page.keyboard.press("Enter")
    page.keyboard.type("no rail")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    page.keyboard.type("Falls guidance")
    for _ in "guidance":
        page.keyboard.press("Shift+ArrowLeft")
    bar.get_by_role("button", name="Link", exact=True).click()
    page.locator("#id_section_description_field").get_by_label("Link address").fill(
        "www.nice.org.uk/guidance/ng249"
    )
    with page.expect_response(autosave_carrying("ng249"), timeout=15000) as answer:
        page.locator("#id_section_description_field").get_by_role("button", name="Add link").click()
    assert answer.value.status in (200, 201)  # (an earlier autosave may have created the draft)
    expect(page.locator("#autosave-status")).to_have_text(SAVED, timeout=15000)
    expect(page).to_have_url(re.compile(r"/portfolio/reflections/\d+/edit/$"))
    expect(page.locator("#id_section_description_words")).to_have_text("15 words")
    expect(page.locator("#word-total")).to_have_text("Total: 15 words")
    check_a11y(page)
    shot(page, "written with the editor")

    reflection = Reflection.objects.get(learner=learner)
    html = reflection.sections["description"]
    assert "<strong>first home visit</strong>" in html
    assert re.search(r"<ul><li><p>steep stairs</p></li><li><p>no rail</p></li></ul>", html), html
    assert '<a href="https://www.nice.org.uk/guidance/ng249">guidance</a>' in html

    # Reload: the formatting is back, in the editor.
    page.reload()
    wait_ready(page)
    text = editor(page, "description")
    expect(text.locator("strong")).to_have_text("first home visit")
    expect(text.locator("ul li")).to_have_count(2)
    expect(text.locator("a")).to_have_attribute("href", "https://www.nice.org.uk/guidance/ng249")
    expect(page.locator("#autosave-restore")).to_be_hidden()  # the server had everything

    # An NHS number typed into another section is flagged beside it, before submitting.
    editor(page, "feelings").click()
    with page.expect_response(autosave_carrying("5919"), timeout=15000):
        page.keyboard.type(f"Her NHS number {NHS} was on the letter.")
    findings = page.locator("#id_section_feelings_findings")
    expect(findings).to_contain_text("Must be removed: NHS number")
    expect(findings).to_contain_text(NHS)
    expect(findings).to_contain_text("identifies one person")
    expect(page.locator("#id_section_description_findings")).to_be_empty()
    check_a11y(page)
    shot(page, "nhs number flagged while typing")
    assert Reflection.objects.get(pk=reflection.pk).status == "draft"

    # Leaving with text the server has not acknowledged asks first.
    page.context.set_offline(True)
    editor(page, "evaluation").click()
    page.keyboard.type("Unsaved words")
    expect(page.locator("#autosave-status")).to_contain_text("Not saved — retrying", timeout=15000)
    asks = page.evaluate(
        "() => { const e = new Event('beforeunload', {cancelable: true});"
        " window.dispatchEvent(e); return e.defaultPrevented; }"
    )
    assert asks, "leaving with unsaved text must ask first"
    copy = page.evaluate(f"localStorage.getItem('reflect-unsaved:{learner.pk}:reflection-{reflection.pk}')")
    assert copy and "Unsaved words" in copy
    check_a11y(page)
    shot(page, "offline retrying")
    # Back online: saved at once, and the browser's copy is dropped.
    with page.expect_response(autosave_carrying("Unsaved words"), timeout=15000):
        page.context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#autosave-status")).to_have_text(SAVED, timeout=15000)
    assert (
        page.evaluate(f"localStorage.getItem('reflect-unsaved:{learner.pk}:reflection-{reflection.pk}')")
        is None
    )
    assert "Unsaved words" in Reflection.objects.get(pk=reflection.pk).sections["evaluation"]
    assert violations() == []
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []


def test_a_copy_the_server_never_got_is_offered_back(browser_page, login, check_a11y, csp_watch):
    page = browser_page
    violations = csp_watch(page)
    learner = LearnerFactory(username="bea")
    reflection = ReflectionFactory(
        learner=learner, reflective_model="rolfe", sections={"what": "<p>Old.</p>"}
    )
    login(page, "bea")
    page.goto(f"/portfolio/reflections/{reflection.pk}/edit/")
    wait_ready(page)
    page.context.set_offline(True)
    editor(page, "what").click()
    page.keyboard.press("End")
    page.keyboard.type(" Typed on the train.")
    expect(page.locator("#autosave-status")).to_contain_text("Not saved — retrying", timeout=15000)
    # The tab is closed before the connection comes back (closing skips the leave warning).
    context = page.context
    page.close()
    context.set_offline(False)
    second = context.new_page()
    second.goto(f"/portfolio/reflections/{reflection.pk}/edit/")
    wait_ready(second)
    offer = second.locator("#autosave-restore")
    expect(offer).to_contain_text("Unsaved text from")
    check_a11y(second)
    with second.expect_response(autosave_carrying("train"), timeout=15000):
        offer.get_by_role("button", name="Restore my unsaved text").click()
    expect(second.locator("#autosave-status")).to_have_text(SAVED, timeout=15000)
    expect(editor(second, "what")).to_contain_text("Typed on the train.")
    assert "Typed on the train." in Reflection.objects.get(pk=reflection.pk).sections["what"]
    assert violations() == []


def test_a_second_tabs_save_is_shown_at_the_top_with_both_texts(browser_page, login, check_a11y):
    page = browser_page
    learner = LearnerFactory(username="cai")
    reflection = ReflectionFactory(
        learner=learner, reflective_model="rolfe", sections={"what": "<p>Start.</p>"}
    )
    login(page, "cai")
    url = f"/portfolio/reflections/{reflection.pk}/edit/"
    page.goto(url)
    wait_ready(page)
    other = page.context.new_page()
    other.goto(url)
    wait_ready(other)
    editor(other, "what").click()
    with other.expect_response(autosave_carrying("from tab two"), timeout=15000):
        other.keyboard.type(" Written from tab two.")
    expect(other.locator("#autosave-status")).to_have_text(SAVED, timeout=15000)

    editor(page, "what").click()
    with page.expect_response(autosave_carrying("from tab one"), timeout=15000) as answer:
        page.keyboard.type(" Written from tab one.")
    assert answer.value.status == 409
    conflict = page.locator("#autosave-conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("saved elsewhere")
    expect(conflict.locator(".conflict-theirs")).to_contain_text("Written from tab two.")
    expect(conflict.locator(".conflict-yours")).to_contain_text("Written from tab one.")
    expect(page.locator("#autosave-status")).to_contain_text("Not saved")
    # At the top: above the form, in view.
    assert page.evaluate("document.getElementById('autosave-conflict').getBoundingClientRect().top") < 200
    check_a11y(page)
    with page.expect_response(autosave_carrying("from tab one"), timeout=15000) as answer:
        conflict.get_by_role("button", name="Keep my version").click()
    assert answer.value.status == 200
    expect(page.locator("#autosave-status")).to_have_text(SAVED, timeout=15000)
    assert "tab one" in Reflection.objects.get(pk=reflection.pk).sections["what"]


def test_the_editor_on_a_phone(phone_page, login, check_a11y, shot, csp_watch):
    page = phone_page
    violations = csp_watch(page)
    learner = LearnerFactory(username="dee")
    reflection = ReflectionFactory(learner=learner, reflective_model="gibbs", sections={})
    login(page, "dee")
    page.goto(f"/portfolio/reflections/{reflection.pk}/edit/")
    wait_ready(page)
    no_sideways_scroll(page)
    check_a11y(page)
    editor(page, "analysis").tap()
    page.keyboard.type("Housing, ")
    toolbar(page, "analysis").get_by_role("button", name="Italic").tap()
    with page.expect_response(autosave_carrying("income"), timeout=15000):
        page.keyboard.type("income")
    expect(page.locator("#autosave-status")).to_have_text(SAVED, timeout=15000)
    # The status stays in view while the learner is far down the form.
    assert page.evaluate("document.getElementById('autosave-status').getBoundingClientRect().top") >= 0
    assert page.evaluate("document.getElementById('autosave-status').getBoundingClientRect().bottom") < 844
    no_sideways_scroll(page)
    shot(page, "editor at 390 px")
    assert "<em>income</em>" in Reflection.objects.get(pk=reflection.pk).sections["analysis"]
    assert violations() == []


def test_the_toolbar_by_keyboard_alone(browser_page, login, check_a11y):
    page = browser_page
    learner = LearnerFactory(username="eve")
    reflection = ReflectionFactory(learner=learner, reflective_model="rolfe", sections={})
    login(page, "eve")
    page.goto(f"/portfolio/reflections/{reflection.pk}/edit/")
    wait_ready(page)
    editor(page, "what").focus()
    page.keyboard.type("Plain then ")
    page.keyboard.press("Alt+F10")  # to the toolbar: its first button
    expect(toolbar(page, "what").get_by_role("button", name="Bold", exact=True)).to_be_focused()
    page.keyboard.press("ArrowRight")
    italic = toolbar(page, "what").get_by_role("button", name="Italic", exact=True)
    expect(italic).to_be_focused()
    page.keyboard.press("Enter")  # the button puts the focus back in the text
    expect(italic).to_have_attribute("aria-pressed", "true")
    expect(editor(page, "what")).to_be_focused()
    with page.expect_response(autosave_carrying("slanted"), timeout=15000):
        page.keyboard.type("slanted")
    page.keyboard.press("Alt+F10")
    expect(italic).to_be_focused()  # the toolbar remembers the last button used
    page.keyboard.press("Escape")
    expect(editor(page, "what")).to_be_focused()
    page.keyboard.press("ControlOrMeta+k")
    url = page.locator("#id_section_what_field").get_by_label("Link address")
    expect(url).to_be_focused()
    url.fill("javascript:alert(1)")
    page.keyboard.press("Enter")  # refused, and the form is not posted
    expect(page.locator("#id_section_what_link_error")).to_contain_text("Enter a web address")
    url.fill("someone@example.org")
    with page.expect_response(autosave_carrying("mailto"), timeout=15000):
        page.keyboard.press("Enter")
    expect(editor(page, "what").locator("a")).to_have_attribute("href", "mailto:someone@example.org")
    expect(page.locator("#autosave-status")).to_have_text(SAVED, timeout=15000)
    check_a11y(page)
    stored = Reflection.objects.get(pk=reflection.pk).sections["what"]
    assert "<em>slanted" in stored and 'href="mailto:someone@example.org"' in stored
