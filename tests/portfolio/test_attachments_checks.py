"""Attachments are judged by their content (issue 16): real JPEGs with GPS lose every bit of
metadata and stand upright; renamed files are what their bytes say; oversized, truncated,
scripted and badly named files are refused, and nothing is stored when they are."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from portfolio import services
from portfolio.models import Attachment, attachment_storage
from reflect import errors
from tests.factories import ReflectionFactory, submitted_reflection
from tests.factories.files import GPS_IFD, as_upload, demo_pdf, gps_jpeg, pdf_with, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):
    return ReflectionFactory(learner=world.learner_a)


def add(reflection, name, data):
    return services.add_attachment(reflection, reflection.learner, as_upload(name, data), via="test")


def stored(attachment) -> bytes:
    with attachment.file.open("rb") as handle:
        return handle.read()


def refused(reflection, name, data) -> str:
    before = sorted(_stored_names())
    with pytest.raises(ValidationError) as caught:
        add(reflection, name, data)
    assert not Attachment.objects.filter(reflection=reflection).exists()
    assert sorted(_stored_names()) == before, "nothing is stored on a refusal"
    return " ".join(caught.value.message_dict["file"])


def _stored_names():
    storage = attachment_storage()
    try:
        return storage.listdir("attachments")[1]
    except FileNotFoundError:
        return []


def test_a_phone_jpeg_is_kept_without_exif_or_gps_and_upright(draft):
    original = gps_jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test can fail
    attachment = add(draft, "home visit.jpg", original)
    data = stored(attachment)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
    assert "exif" not in image.info and "icc_profile" not in image.info
    assert b"PhoneMaker" not in data and b"Exif" not in data
    # Orientation 6 applied: the 64 × 32 picture now stands 32 × 64, red on top.
    assert image.size == (32, 64)
    top, bottom = image.getpixel((16, 4)), image.getpixel((16, 60))
    assert top[0] > 150 and top[2] < 80 and bottom[2] > 150, (top, bottom)
    assert attachment.content_type == "image/jpeg" and attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.filename == "home visit.jpg"


def test_png_text_chunks_and_profiles_are_dropped(draft):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Dr Secret Location")
    attachment = add(draft, "poster.png", png(pnginfo=info))
    data = stored(attachment)
    assert b"Dr Secret Location" not in data and b"tEXt" not in data
    assert Image.open(io.BytesIO(data)).format == "PNG"


def test_the_stored_name_reveals_nothing(draft):
    attachment = add(draft, "Jane Doe NHS letter.pdf", demo_pdf())
    name = attachment.file.name
    assert re.fullmatch(r"attachments/[0-9a-f]{32}", name), name  # 128 random bits, nothing else
    assert add(draft, "Jane Doe NHS letter.pdf", demo_pdf()).file.name != name


def test_a_png_named_pdf_is_a_png_and_named_so(draft):
    attachment = add(draft, "scan.pdf", png())
    assert attachment.content_type == "image/png" and attachment.filename == "scan.png"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200),  # a Windows program
        ("photo.jpg", b"<!doctype html><script>alert(1)</script>"),
        ("photo.png", b"GIF89a" + b"\x00" * 50),
        ("notes.pdf", b"just some text"),
    ],
)
def test_other_types_are_refused_whatever_their_name(draft, name, data):
    assert "Only PDF, PNG or JPEG" in refused(draft, name, data)


def test_an_oversized_file_is_refused(draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    assert "at most 1000 bytes" in refused(draft, "big.pdf", demo_pdf() + b"%" * 3000)


@pytest.mark.parametrize("kind", ["jpeg", "png"])
def test_a_truncated_image_is_refused(draft, kind, monkeypatch):
    from PIL import ImageFile

    # As once WeasyPrint (the ARCP pack) is imported: it makes Pillow draw truncated images.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = gps_jpeg(size=(200, 200)) if kind == "jpeg" else png(size=(200, 200))
    assert "could not be read" in refused(draft, f"cut.{kind}", data[: len(data) * 2 // 3])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # put back for the pack


def test_a_truncated_pdf_is_refused(draft):
    assert "incomplete" in refused(draft, "cut.pdf", demo_pdf()[:-40])


@pytest.mark.parametrize(
    "extra",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        b"/Names << /JavaScript 7 0 R >>",
        b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>",  # names spelled with escapes
        b"/OpenAction << /S /Launch /F (cmd.exe) >>",
    ],
)
def test_a_pdf_with_scripts_or_actions_is_refused(draft, extra):
    assert "scripts or actions" in refused(draft, "form.pdf", pdf_with(extra))


def test_a_script_hidden_in_a_compressed_object_stream_is_refused(draft):
    data = pdf_with(stream=b"7 0 << /S /JavaScript /JS (app.alert(1)) >>")
    assert b"JavaScript" not in data  # only inside the deflated stream
    assert "scripts or actions" in refused(draft, "hidden.pdf", data)


def test_an_encrypted_pdf_is_refused(draft):
    data = demo_pdf().replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt 9 0 R")
    assert "password" in refused(draft, "locked.pdf", data)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "folder/file.pdf",
        "C:\\Users\\x.pdf",
        "evil\x00.pdf",
        "bad\nname.pdf",
        "invoice\u202efdp.exe",
        "",
        "   ",
    ],
)
def test_bad_names_are_refused(draft, name):
    """As another door might hand them over (Django's own uploads already keep only the last
    part of a path: tests/portfolio/test_attachments_site.py)."""

    class RawUpload(io.BytesIO):
        pass

    upload = RawUpload(demo_pdf())
    upload.name, upload.size = name, len(demo_pdf())
    with pytest.raises(ValidationError) as caught:
        services.add_attachment(draft, draft.learner, upload, via="test")
    assert "name" in " ".join(caught.value.message_dict["file"])
    assert not Attachment.objects.exists()


def test_an_empty_file_is_refused(draft):
    assert "empty" in refused(draft, "empty.pdf", b"")


def test_only_the_learner_adds_and_only_while_editable(world, draft):
    with pytest.raises(errors.PermissionDenied):  # a tutor's role never adds
        services.add_attachment(draft, world.tutor, as_upload("a.pdf", demo_pdf()))
    sent = submitted_reflection(world.learner_a)
    with pytest.raises(errors.NotFound):  # another learner: it does not exist for them
        services.add_attachment(sent, world.learner_b, as_upload("a.pdf", demo_pdf()))
    with pytest.raises(errors.PermissionDenied):
        services.add_attachment(sent, world.tutor, as_upload("a.pdf", demo_pdf()))
    with pytest.raises(errors.Conflict):
        services.add_attachment(sent, world.learner_a, as_upload("a.pdf", demo_pdf()))
    assert not Attachment.objects.exists()


def test_removing_deletes_the_row_and_the_bytes(draft, django_capture_on_commit_callbacks):
    attachment = add(draft, "poster.pdf", demo_pdf())
    name = attachment.file.name
    assert attachment_storage().exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_attachment(attachment, draft.learner, via="test")
    assert not Attachment.objects.exists() and not attachment_storage().exists(name)
