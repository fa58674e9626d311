"""/api/v1/docs/ (issue 13, item 7): Swagger UI from our own static files (drf-spectacular-
sidecar), not a CDN, with the site's Content-Security-Policy and no inline script or style.
The browser test (tests/browser/test_api_docs_browser.py) checks it in Chromium."""

import re

import pytest
from django.contrib.staticfiles import finders

from reflect.middleware import SITE_CSP

from .test_csp import inline_problems

pytestmark = pytest.mark.django_db


def test_docs_page_uses_own_static_files_under_the_site_csp(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == SITE_CSP
    html = response.content.decode()
    assert inline_problems(html) == []
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    assert "cdn" not in html.lower() and "@latest" not in html
    for path in sources:
        if path.startswith("/static/"):
            assert finders.find(path.removeprefix("/static/")), path


def test_docs_start_up_script_is_served_from_our_origin(client):
    response = client.get("/api/v1/docs/?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()
