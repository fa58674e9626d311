"""Verifying a pack by upload: the upload is capped before it is read and hashed in chunks
(issue #13, item 1). A 300 MB upload used to grow the worker by 300 MB, from any signed-in
user, a patient representative included."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, FakePayload, encode_multipart

from arcp import services
from reflect.models import AuditEvent
from tests.factories import ArcpExportFactory

pytestmark = pytest.mark.django_db

PACK = b"%PDF-1.7\n" + b"a pack of a few kilobytes\n" * 200  # ~5 KB
LIMIT = 8 * 1024


class CountingPayload(FakePayload):
    """The request body, counting what the server reads of it."""

    def __init__(self, content):
        super().__init__(content)
        self.bytes_read = 0

    def read(self, size=-1, /):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1, /):
        line = super().readline(size)
        self.bytes_read += len(line)
        return line


@pytest.fixture
def pack(world, settings):
    settings.ARCP_VERIFY_MAX_BYTES = LIMIT
    return ArcpExportFactory(learner=world.learner_a, sha256=hashlib.sha256(PACK).hexdigest(), size=len(PACK))


def multipart(data: bytes) -> bytes:
    return encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("pack.pdf", data, "application/pdf")})


def post_counting(client, path, body: bytes, **extra):
    payload = CountingPayload(body)
    response = client.generic(
        "POST", path, body, content_type=MULTIPART_CONTENT, **{"wsgi.input": payload}, **extra
    )
    return response, payload


def test_a_pack_within_the_limit_is_verified(world, api, client, portfolio_page, pack):
    response = api(world.examiner).post(
        "/api/v1/exports/verify/", {"file": SimpleUploadedFile("p.pdf", PACK)}, format="multipart"
    )
    assert response.json() == {"valid": True, "export_id": str(pack.pk)}
    client.force_login(world.examiner)
    page = client.post("/portfolio/arcp/verify/", {"file": SimpleUploadedFile("p.pdf", PACK)})
    assert page.status_code == 200 and "Genuine: this pack is exactly as issued" in page.content.decode()


def test_api_refuses_an_oversized_upload_before_reading_it(world, api, pack):
    body = multipart(PACK * 40)  # ~200 KB: over the limit and over the allowance for the form
    response, payload = post_counting(api(world.patient_rep), "/api/v1/exports/verify/", body)
    assert response.status_code == 413
    assert response.json() == {"detail": "The file is too large: it can be at most 8 KB."}
    assert payload.bytes_read == 0
    assert not AuditEvent.objects.filter(action="verify").exists()


def test_api_cuts_off_an_upload_that_grows_past_the_limit(world, api, pack):
    """Declared small enough to pass the first check (the form's allowance): stopped by the
    upload handler once the file passes the limit."""
    response = api(world.examiner).post(
        "/api/v1/exports/verify/", {"file": SimpleUploadedFile("p.pdf", PACK * 3)}, format="multipart"
    )
    assert response.status_code == 413 and "8 KB" in response.json()["detail"]


def test_site_refuses_an_oversized_upload_with_a_form_error(world, client, portfolio_page, pack):
    client.force_login(world.examiner)
    response, payload = post_counting(client, "/portfolio/arcp/verify/", multipart(PACK * 40))
    html = response.content.decode()
    assert response.status_code == 413
    assert "The file is too large: it can be at most 8 KB." in html and 'class="field-error"' in html
    assert payload.bytes_read == 0
    grown = client.post("/portfolio/arcp/verify/", {"file": SimpleUploadedFile("p.pdf", PACK * 3)})
    assert grown.status_code == 413 and "at most 8 KB" in grown.content.decode()
    assert not AuditEvent.objects.filter(action="verify").exists()


def test_the_site_form_still_checks_csrf(world, portfolio_page, pack):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.examiner)
    response = client.post("/portfolio/arcp/verify/", {"file": SimpleUploadedFile("p.pdf", PACK)})
    assert response.status_code == 403


def test_the_copy_is_hashed_in_chunks_not_read_whole(world, pack):
    class NoWholeRead(SimpleUploadedFile):
        def read(self, size=-1):
            assert size is not None and size > 0, "the whole upload was read into memory"
            return super().read(size)

    assert services.verify(NoWholeRead("p.pdf", PACK), world.examiner) == pack
