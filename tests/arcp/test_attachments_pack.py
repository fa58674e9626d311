"""Attachments in the ARCP pack and the subject-access ZIP (issue 16): the pack draws the
images (an image XObject in the PDF, read back with pypdf) and lists the PDFs with their
SHA-256; files attached after the cut-off or invisible to the reader are not there; the
learner's ZIP holds every attached file byte for byte."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pypdf
import pytest
from django.utils import timezone

from arcp import evidence, services, subject_access
from portfolio.models import Attachment
from tests.factories import ReflectionFactory, submitted_reflection
from tests.factories.files import attach, demo_png, gps_jpeg

pytestmark = pytest.mark.django_db


def image_xobjects(data: bytes) -> int:
    count = 0
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        count += sum(1 for ref in xobjects.values() if ref.get_object().get("/Subtype") == "/Image")
    return count


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def attached(world, portfolio_page):
    reflection = submitted_reflection(world.learner_a, title="Food bank display")
    world.photo = attach(reflection, "display.png", demo_png())
    world.certificate = attach(reflection, "certificate.pdf")
    world.reflection = reflection
    world.today = timezone.localdate()
    return world


def test_the_pack_draws_the_image_and_lists_the_pdf_with_its_sha256(attached):
    w = attached
    export = services.build_pack(w.learner_a, w.today - datetime.timedelta(days=30), w.today, w.examiner)
    data = services.read_pack(export)
    assert image_xobjects(data) >= 1
    text = pdf_text(data)
    assert w.certificate.sha256 in text and "certificate.pdf" in text
    assert w.photo.sha256 in text  # the image's caption carries its digest too


def test_without_attachments_no_image_is_drawn(world, portfolio_page):
    """The check above can fail: a pack with no attached image has no image XObject."""
    submitted_reflection(world.learner_a, title="Plain")
    today = timezone.localdate()
    export = services.build_pack(world.learner_a, today - datetime.timedelta(days=30), today, world.examiner)
    assert image_xobjects(services.read_pack(export)) == 0


def test_files_attached_after_the_cut_off_are_left_out(attached):
    w = attached
    period = (w.today - datetime.timedelta(days=30), w.today)
    snapshot = evidence.gather(w.learner_a, *period, viewer=w.examiner)
    assert [a.pk for a in snapshot.reflections[0].attachments] == [w.photo.pk, w.certificate.pk]
    # Written, submitted and the certificate attached three days ago; the photo today.
    earlier = timezone.now() - datetime.timedelta(days=3)
    type(w.reflection).objects.filter(pk=w.reflection.pk).update(
        created_at=earlier, submitted_at=earlier, occurred_on=period[0]
    )
    Attachment.objects.filter(pk=w.certificate.pk).update(created_at=earlier)
    yesterday = w.today - datetime.timedelta(days=1)
    (item,) = evidence.gather(w.learner_a, period[0], yesterday, viewer=w.examiner).reflections
    assert [a.pk for a in item.attachments] == [w.certificate.pk]


def test_the_pack_holds_only_what_its_reader_may_see(world, portfolio_page):
    """A draft's files are the learner's alone: even their own pack leaves drafts out."""
    draft = ReflectionFactory(learner=world.learner_a, title="Draft with a photo")
    attach(draft, "home.jpg", gps_jpeg())
    today = timezone.localdate()
    for viewer in (world.learner_a, world.tutor, world.examiner):
        snapshot = evidence.gather(world.learner_a, today - datetime.timedelta(days=30), today, viewer=viewer)
        assert not [a for item in snapshot.reflections for a in item.attachments]


def test_the_subject_access_zip_holds_every_attached_file(attached, world):
    draft = ReflectionFactory(learner=world.learner_a, title="Draft")
    draft_photo = attach(draft, "home.jpg", gps_jpeg())
    other = attach(ReflectionFactory(learner=world.learner_b), "not-mine.pdf")
    archive = zipfile.ZipFile(io.BytesIO(subject_access.build_zip(world.learner_a, world.learner_a)))
    names = archive.namelist()
    for attachment in (attached.photo, attached.certificate, draft_photo):
        path = subject_access.attachment_path(attachment)
        assert path in names
        with attachment.file.open("rb") as handle:
            assert archive.read(path) == handle.read()
    assert not any(other.filename in name for name in names)
    listed = {a["sha256"]: a for r in json.loads(archive.read("reflections.json")) for a in r["attachments"]}
    assert listed[attached.certificate.sha256]["file"] == subject_access.attachment_path(attached.certificate)
    assert len(listed) == 3
    assert "attachments/" in archive.read("README.txt").decode()
