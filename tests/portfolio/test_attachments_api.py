"""Attachments through the API, exactly as api-contract.md v1.1 says: POST multipart `file` →
201 with its fields; reflections list their attachments; GET on `url` gives the bytes to
whoever may see the reflection (404 otherwise); DELETE → 204 while editable, 409 after."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from portfolio.models import Attachment
from reflect.models import AuditEvent
from tests.factories import ReflectionFactory, submitted_reflection
from tests.factories.files import GPS_IFD, attach, demo_pdf, gps_jpeg, png

pytestmark = pytest.mark.django_db

FIELDS = {"id", "filename", "content_type", "size", "sha256", "url"}


def upload(client, reflection, name, data):
    return client.post(
        f"/api/v1/reflections/{reflection.pk}/attachments/",
        {"file": io.BytesIO(data) if not name else _named(name, data)},
        format="multipart",
    )


def _named(name, data):
    f = io.BytesIO(data)
    f.name = name
    return f


def test_the_learner_attaches_a_photo_and_the_tutor_reads_it(api, world):
    draft = ReflectionFactory(learner=world.learner_a)
    response = upload(api(world.learner_a), draft, "home visit.jpg", gps_jpeg())
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == FIELDS
    assert body["content_type"] == "image/jpeg" and body["filename"] == "home visit.jpg"
    # The learner reads it back: the bytes stored, with no GPS.
    got = api(world.learner_a).get(body["url"])
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
    data = b"".join(got.streaming_content) if got.streaming else got.content
    assert hashlib.sha256(data).hexdigest() == body["sha256"] and len(data) == body["size"]
    assert not Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    assert got["X-Content-Type-Options"] == "nosniff"
    assert got["Content-Disposition"].startswith("inline; ")
    # A draft is the learner's alone; once submitted the tutor reads the file too.
    assert api(world.tutor).get(body["url"]).status_code == 404
    type(draft).objects.filter(pk=draft.pk).update(status="submitted")
    got = api(world.tutor).get(body["url"])
    assert got.status_code == 200
    assert AuditEvent.objects.filter(actor=world.tutor, action="read", object_type="Attachment").count() == 1


def test_reflections_list_their_attachments(api, world):
    reflection = submitted_reflection(world.learner_a)
    first = attach(reflection, "certificate.pdf")
    attach(reflection, "poster.png")
    for client in (api(world.learner_a), api(world.tutor), api(world.examiner), api(world.admin)):
        row = client.get(f"/api/v1/reflections/{reflection.pk}/").json()
        assert [a["filename"] for a in row["attachments"]] == ["certificate.pdf", "poster.png"]
        assert set(row["attachments"][0]) == FIELDS
        assert row["attachments"][0]["sha256"] == first.sha256
        listed = client.get("/api/v1/reflections/").json()["results"]
        assert next(r for r in listed if r["id"] == reflection.pk)["attachments"] == row["attachments"]
        assert client.get(row["attachments"][0]["url"])["Content-Disposition"].startswith("attachment; ")


@pytest.mark.parametrize("who", ["learner_b", "former", "patient_rep", None])
def test_out_of_scope_people_get_nothing(api, world, who):
    reflection = submitted_reflection(world.learner_a)
    attachment = attach(reflection, "certificate.pdf")
    user = getattr(world, who) if who else None
    url = f"/api/v1/reflections/{reflection.pk}/attachments/{attachment.pk}/file/"
    expected = {None: 401, "patient_rep": 403}.get(who, 404)
    client = api(user)
    assert client.get(url).status_code == expected
    assert (
        client.delete(f"/api/v1/reflections/{reflection.pk}/attachments/{attachment.pk}/").status_code
        == expected
    )
    assert upload(client, reflection, "x.pdf", demo_pdf()).status_code == expected
    # Another reflection's id in the path does not open it either.
    other = submitted_reflection(world.learner_a)
    url = f"/api/v1/reflections/{other.pk}/attachments/{attachment.pk}/file/"
    assert api(world.learner_a).get(url).status_code == 404


def test_bad_files_are_400_and_nothing_is_stored(api, world, settings):
    draft = ReflectionFactory(learner=world.learner_a)
    client = api(world.learner_a)
    for name, data in [
        ("photo.jpg", b"MZ" + b"\x00" * 100),
        ("page.jpg", b"<html><script>alert(1)</script></html>"),
        (
            "form.pdf",
            demo_pdf().replace(
                b"/Pages 2 0 R >>", b"/Pages 2 0 R /OpenAction << /S /JavaScript /JS (x) >> >>"
            ),
        ),
        ("cut.png", png(size=(300, 300))[:200]),
    ]:
        response = upload(client, draft, name, data)
        assert response.status_code == 400, (name, response.content)
        assert list(response.json()) == ["file"]
    settings.ATTACHMENT_MAX_BYTES = 1000
    response = upload(client, draft, "big.pdf", demo_pdf() + b"%" * 5000)
    assert response.status_code == 400 and "at most 1000 bytes" in response.json()["file"][0]
    assert (
        client.post(f"/api/v1/reflections/{draft.pk}/attachments/", {}, format="multipart").status_code == 400
    )
    assert not Attachment.objects.exists()


def test_delete_while_editable_then_frozen(api, world):
    draft = ReflectionFactory(learner=world.learner_a)
    client = api(world.learner_a)
    kept = attach(draft, "keep.pdf")
    gone = attach(draft, "gone.pdf")
    assert (
        api(world.tutor).delete(f"/api/v1/reflections/{draft.pk}/attachments/{gone.pk}/").status_code == 404
    )
    assert client.delete(f"/api/v1/reflections/{draft.pk}/attachments/{gone.pk}/").status_code == 204
    assert not Attachment.objects.filter(pk=gone.pk).exists()
    type(draft).objects.filter(pk=draft.pk).update(status="signed_off")
    assert client.delete(f"/api/v1/reflections/{draft.pk}/attachments/{kept.pk}/").status_code == 409
    assert upload(client, draft, "late.pdf", demo_pdf()).status_code == 409
    # The tutor sees a signed-off reflection, but no role other than its learner removes files.
    assert (
        api(world.tutor).delete(f"/api/v1/reflections/{draft.pk}/attachments/{kept.pk}/").status_code == 403
    )
    assert list(Attachment.objects.values_list("pk", flat=True)) == [kept.pk]
