"""The admin's CSV import takes the upload limit of `reflect.uploads` (issue #13, item 1): over
`CSV_IMPORT_MAX_BYTES` the file is refused before it is read (413, the limit in words, the
form shown again with its dry run still ticked), and nothing is imported."""

from __future__ import annotations

import io

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from portfolio.models import Enrolment
from tests.arcp.test_upload_limits import CountingPayload

pytestmark = pytest.mark.django_db

ROW = "newlearner{n},New,Learner,new{n}@example.org,Cohort A\n"
HEADER = "username,first_name,last_name,email,cohort\n"


def csv_file(rows: int) -> io.BytesIO:
    upload = io.BytesIO((HEADER + "".join(ROW.format(n=n) for n in range(rows))).encode())
    upload.name = "members.csv"
    return upload


@pytest.fixture
def admin(client, world, settings):
    settings.CSV_IMPORT_MAX_BYTES = 4 * 1024
    client.force_login(world.admin)
    return client


def test_a_file_within_the_limit_is_checked(admin):
    response = admin.post(
        reverse("portfolio_csv_import"), {"kind": "members", "file": csv_file(10), "dry_run": "on"}
    )
    assert response.status_code == 200 and "the file is clean" in response.content.decode()


def test_an_oversized_csv_is_refused_unread(admin):
    body = encode_multipart(BOUNDARY, {"kind": "members", "file": csv_file(3000), "dry_run": "on"})
    payload = CountingPayload(body)
    response = admin.generic(
        "POST",
        reverse("portfolio_csv_import"),
        body,
        content_type=MULTIPART_CONTENT,
        **{"wsgi.input": payload},
    )
    html = response.content.decode()
    assert response.status_code == 413 and "The file is too large: it can be at most 4 KB." in html
    assert payload.bytes_read == 0
    assert response.context["form"]["dry_run"].value() is True  # still a dry run next time
    assert not Enrolment.objects.filter(learner__username__startswith="newlearner").exists()


def test_a_csv_that_grows_past_the_limit_is_cut_off(admin):
    response = admin.post(reverse("portfolio_csv_import"), {"kind": "members", "file": csv_file(200)})
    assert response.status_code == 413 and "at most 4 KB" in response.content.decode()
    assert not Enrolment.objects.filter(learner__username__startswith="newlearner").exists()
