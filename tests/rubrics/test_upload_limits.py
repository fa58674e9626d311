"""The rubric JSON import takes the upload limit of `reflect.uploads` (issue #13, item 1)."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse

from rubrics.models import Rubric

pytestmark = pytest.mark.django_db


def test_an_oversized_rubric_file_is_refused_with_the_limit_in_words(admin_client, settings):
    settings.RUBRIC_IMPORT_MAX_BYTES = 2048
    data = {"slug": "big", "title": "Big", "description": "d" * 100_000, "criteria": []}
    upload = io.BytesIO(json.dumps(data).encode())
    upload.name = "big.json"
    response = admin_client.post(reverse("rubrics_admin_import"), {"file": upload})
    assert response.status_code == 413
    assert "The file is too large: it can be at most 2 KB." in response.content.decode()
    assert not Rubric.objects.filter(slug="big").exists()
    # The page says the limit before anyone uploads.
    assert "At most 2 KB." in admin_client.get(reverse("rubrics_admin_import")).content.decode()
