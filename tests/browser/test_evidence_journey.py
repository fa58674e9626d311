"""Issue 16's journey in one go, in Chromium, through the site's links: a learner writes a
Gibbs reflection with the editor only (bold, a list, a link), sees "Saved", reloads and finds
the formatting, types an NHS number and sees it flagged before submitting, attaches a photo
and a PDF, submits; the tutor reads both attachments; the learner's ARCP pack draws the photo
(proved by rendering its page to PNG with pdftoppm) and lists the PDF with its SHA-256.
axe-core (and HTML_CodeSniffer) on every page."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess

import pypdf
import pytest
from PIL import Image
from playwright.sync_api import expect

from portfolio.models import Attachment, Reflection
from reflect import roles as R
from tests.browser.editing import write_section
from tests.factories import AllocationFactory, LearnerFactory, PlacementFactory, UserFactory
from tests.factories.files import demo_pdf, gps_jpeg

NHS = "943 476 5919"
SAVED = re.compile(r"^Saved \d\d:\d\d$")


def nav(page, label):
    page.get_by_role("navigation", name="Your work").get_by_role("link", name=label).first.click()
    page.wait_for_load_state()


def autosave_carrying(text):
    def match(response):
        return "/autosave/" in response.request.url and text in (response.request.post_data or "")

    return match


def test_a_reflection_with_evidence_from_the_editor_to_the_pack(
    browser_page, login, check_a11y, shot, tmp_path
):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is needed to render the pack's page")
    page = browser_page
    learner = LearnerFactory(username="amara", first_name="Amara", last_name="Adeyemi")
    tutor = UserFactory(username="drmorgan", first_name="Helen", last_name="Morgan", roles=(R.TUTOR,))
    AllocationFactory(tutor=tutor, learner=learner)
    PlacementFactory(organisation="Riverside food bank", place="Cardiff", type="third_sector")
    photo = tmp_path / "food bank display.jpg"
    photo.write_bytes(gps_jpeg(size=(640, 480)))
    letter = tmp_path / "letter from the charity.pdf"
    letter.write_bytes(demo_pdf())

    # --- the learner writes with the editor only -------------------------------------------
    login(page, "amara")
    nav(page, "New reflection")
    page.get_by_label("Gibbs reflective cycle").check()
    page.get_by_role("button", name="Start writing").click()
    page.wait_for_selector("form[data-editor-ready='']")
    check_a11y(page)
    page.locator("#id_title").fill("A morning at the food bank")
    page.locator("#id_kind").select_option("third_sector")
    page.locator("#id_themes_group").get_by_label("Equity and power").check()
    bar = page.locator("#id_section_description_field").get_by_role("toolbar")
    page.locator("#id_section_description_editor").click()
    page.keyboard.type("I sorted parcels with ")
    bar.get_by_role("button", name="Bold", exact=True).click()
    page.keyboard.type("two volunteers")
    bar.get_by_role("button", name="Bold", exact=True).click()
    page.keyboard.type(".")
    page.keyboard.press("Enter")
    bar.get_by_role("button", name="List with bullets").click()
    page.keyboard.type("no fresh food")
    page.keyboard.press("Enter")
    page.keyboard.type("a long queue")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.type("Trussell report")
    for _ in "report":
        page.keyboard.press("Shift+ArrowLeft")
    bar.get_by_role("button", name="Link", exact=True).click()
    page.locator("#id_section_description_field").get_by_label("Link address").fill("www.trussell.org.uk")
    with page.expect_response(autosave_carrying("trussell"), timeout=20000):
        page.locator("#id_section_description_field").get_by_role("button", name="Add link").click()
    expect(page.locator("#autosave-status")).to_have_text(SAVED, timeout=20000)
    expect(page).to_have_url(re.compile(r"/portfolio/reflections/\d+/edit/$"))
    shot(page, "written")

    page.reload()
    page.wait_for_selector("form[data-editor-ready='']")
    text = page.locator("#id_section_description_editor")
    expect(text.locator("strong")).to_have_text("two volunteers")
    expect(text.locator("ul li")).to_have_count(2)
    expect(text.locator("a")).to_have_attribute("href", "https://www.trussell.org.uk")

    # An NHS number is flagged while typing, before any submission; then taken out.
    write_section(page, "feelings", f"A man gave me his letter; his NHS number {NHS} was on it.")
    findings = page.locator("#id_section_feelings_findings")
    expect(findings).to_contain_text("Must be removed: NHS number", timeout=20000)
    check_a11y(page)
    shot(page, "nhs number flagged")
    write_section(page, "feelings", "I felt embarrassed that he had to show a letter at all.")
    expect(findings).to_be_empty(timeout=20000)
    for key, words in (
        ("evaluation", "The volunteers knew every family by name."),
        ("analysis", "Food insecurity is a clinical problem hidden from clinics."),
        ("conclusion", "Ask about food as routinely as about smoking."),
        ("action_plan", "Add a food question to my clerking."),
    ):
        write_section(page, key, words)
    page.locator("#id_title").focus()  # leaving the section saves at once

    # --- attachments: a photo (with GPS) and a PDF ------------------------------------------
    page.get_by_label("Choose a file to attach").set_input_files(str(photo))
    page.get_by_role("button", name="Attach file").click()
    expect(page.get_by_role("img", name="food bank display.jpg")).to_be_visible()
    page.get_by_label("Choose a file to attach").set_input_files(str(letter))
    page.get_by_role("button", name="Attach file").click()
    expect(page.get_by_role("link", name="letter from the charity.pdf", exact=True)).to_be_visible()
    check_a11y(page)
    shot(page, "attached")
    reflection = Reflection.objects.get(learner=learner)
    assert reflection.attachments.count() == 2

    # --- submit ------------------------------------------------------------------------------
    page.get_by_role("button", name="Save and check before submitting").click()
    clean = "We found nothing that looks like patient-identifiable information"
    expect(page.get_by_text(clean)).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted. Your tutor has been told")).to_be_visible()
    assert Reflection.objects.get(pk=reflection.pk).status == "submitted"
    html = Reflection.objects.get(pk=reflection.pk).sections["description"]
    assert "<strong>two volunteers</strong>" in html and "<ul><li>" in html and "trussell.org.uk" in html

    # --- the tutor reads both attachments ---------------------------------------------------
    login(page, "drmorgan")
    nav(page, "Review queue")
    page.get_by_role("link", name="A morning at the food bank").first.click()
    page.wait_for_load_state()
    image = page.get_by_role("img", name="food bank display.jpg")
    expect(image).to_be_visible()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle())
    check_a11y(page)
    shot(page, "tutor reads the attachments")
    letter_link = page.get_by_role("link", name="letter from the charity.pdf", exact=True).first
    href = letter_link.get_attribute("href")
    served = page.request.get(href)
    assert served.status == 200 and served.headers["content-type"] == "application/pdf"
    stored_pdf = Attachment.objects.get(filename="letter from the charity.pdf")
    assert hashlib.sha256(served.body()).hexdigest() == stored_pdf.sha256

    # --- the learner's pack draws the photo and lists the PDF --------------------------------
    login(page, "amara")
    nav(page, "My ARCP")
    page.get_by_role("button", name="Make my pack").click()
    expect(page.get_by_text(re.compile("Pack made for"))).to_be_visible(timeout=30000)
    check_a11y(page)
    download = page.locator("a[href*='/download/']").first.get_attribute("href")
    pack = page.request.get(download).body()
    text = " ".join(" ".join(p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(pack)).pages).split())
    assert "letter from the charity.pdf" in text
    assert stored_pdf.sha256[:16] in text.replace(" ", "")
    (tmp_path / "pack.pdf").write_bytes(pack)
    # Every page to PNG (WeasyPrint shares one resource dictionary between pages, so the PDF
    # cannot say which page draws an image): the photo's red and blue halves must be drawn.
    pages = ["pdftoppm", "-png", "-r", "40", str(tmp_path / "pack.pdf"), str(tmp_path / "page")]
    subprocess.run(pages, check=True)
    drawn = []
    for png in sorted(tmp_path.glob("page*.png")):
        colours = Image.open(png).convert("RGB").getcolors(maxcolors=1 << 20)
        reds = sum(n for n, (r, g, b) in colours if r > 170 and g < 60 and b < 60)
        blues = sum(n for n, (r, g, b) in colours if b > 170 and r < 60 and g < 60)
        if reds > 300 and blues > 300:
            drawn.append(png.name)
    assert drawn, "no page of the pack draws the photo"
