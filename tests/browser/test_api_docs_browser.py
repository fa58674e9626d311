"""/api/v1/docs/ (issue 13, item 7): Swagger UI from the project's own static files, under the
site's Content-Security-Policy, with no violation in Chromium and nothing fetched elsewhere."""

from __future__ import annotations

from reflect.middleware import SITE_CSP


def test_api_docs_render_under_the_site_csp(browser_page, csp_watch):
    page = browser_page
    watch = csp_watch(page)
    response = page.goto("/api/v1/docs/")
    assert response.status == 200
    assert response.headers["content-security-policy"] == SITE_CSP
    page.locator(".opblock").first.wait_for()  # Swagger UI drew the operations from the schema
    page.wait_for_load_state("networkidle")
    assert page.locator(".opblock").count() >= 25
    assert page.get_by_text("/api/v1/reflections/{id}/submit/").count() >= 1
    assert watch() == []
