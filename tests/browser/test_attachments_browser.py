"""Attachments in Chromium (issue 16): the learner attaches a phone photo (with GPS) and a PDF
on the edit page, sees a refused file explained, removes one after confirming; the tutor
sees the photo drawn on the reflection's page. axe-core on every page; the photo is 390 px
wide at most on a phone (no sideways scroll)."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import expect

from portfolio.models import Attachment, Reflection
from reflect import roles as R
from tests.factories import AllocationFactory, LearnerFactory, ReflectionFactory, UserFactory
from tests.factories.files import GPS_IFD, demo_pdf, gps_jpeg


def test_learner_attaches_a_photo_and_the_tutor_sees_it(browser_page, login, check_a11y, shot, tmp_path):
    page = browser_page
    learner = LearnerFactory(username="amara", first_name="Amara", last_name="Adeyemi")
    tutor = UserFactory(username="drmorgan", first_name="Helen", last_name="Morgan", roles=(R.TUTOR,))
    AllocationFactory(tutor=tutor, learner=learner)
    draft = ReflectionFactory(learner=learner, title="Food bank morning")
    photo = tmp_path / "food bank.jpg"
    photo.write_bytes(gps_jpeg(size=(640, 480)))
    fake = tmp_path / "leaflet.jpg"
    fake.write_bytes(b"<html><script>alert(1)</script></html>")
    certificate = tmp_path / "certificate.pdf"
    certificate.write_bytes(demo_pdf())

    login(page, "amara")
    page.goto(f"/portfolio/reflections/{draft.pk}/edit/")
    check_a11y(page)
    # A file that is not what its name says: a clear error, nothing stored.
    page.get_by_label("Choose a file to attach").set_input_files(str(fake))
    page.get_by_role("button", name="Attach file").click()
    expect(page.locator(".error-summary")).to_contain_text("Only PDF, PNG or JPEG")
    check_a11y(page)
    shot(page, "refused")
    assert not Attachment.objects.exists()
    page.get_by_label("Choose a file to attach").set_input_files(str(photo))
    page.get_by_role("button", name="Attach file").click()
    expect(page.locator(".messages")).to_contain_text("Attached “food bank.jpg”")
    page.get_by_label("Choose a file to attach").set_input_files(str(certificate))
    page.get_by_role("button", name="Attach file").click()
    expect(page.get_by_role("img", name="food bank.jpg")).to_be_visible()
    check_a11y(page)
    shot(page, "attached")
    stored = Attachment.objects.get(filename="food bank.jpg")
    with stored.file.open("rb") as handle:
        assert not Image.open(io.BytesIO(handle.read())).getexif().get_ifd(GPS_IFD)

    # Remove the certificate, after confirming.
    page.get_by_role("link", name="Remove certificate.pdf").click()
    check_a11y(page)
    page.get_by_role("button", name="Remove the file").click()
    expect(page.locator(".messages")).to_contain_text("Removed “certificate.pdf”")
    assert list(Attachment.objects.values_list("filename", flat=True)) == ["food bank.jpg"]

    # Submitted: the tutor sees the photo, drawn, with its name as alt text. The page is left
    # to finish loading the photo first: on SQLite the live server's read of the reflection (for
    # the photo's scope check) would otherwise lock the table against this write (CI, once).
    page.wait_for_load_state("networkidle")
    Reflection.objects.filter(pk=draft.pk).update(status="submitted")
    login(page, "drmorgan")
    page.goto(f"/portfolio/reflections/{draft.pk}/")
    image = page.get_by_role("img", name="food bank.jpg")
    expect(image).to_be_visible()
    assert (
        page.evaluate("(img) => img.complete && img.naturalWidth", image.element_handle()) == 480
    )  # stood upright
    check_a11y(page)
    shot(page, "tutor sees the photo")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
