"""Content-Security-Policy without inline script, on every site page.

Two layers: the header on real responses (site pages for each role, error pages, the public
feedback link, the lockout page, the API), and the absence of anything the policy would block
(inline `<script>`, `on*=` event-handler attributes, `style=` / `<style>`) both in the rendered
pages and in every template file of the project.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from ..factories import feedback_invitation, submitted_reflection

BASE = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [BASE / "templates", *sorted(BASE.glob("*/templates"))]
# Pages only the Wagtail admin renders (it has its own policy) and the PDF's print templates
# (never served to a browser as HTML) may carry inline styles; no template may carry script.
STYLE_EXEMPT_PARTS = {"admin", "pdf"}


class InlineFinder(HTMLParser):
    """Collect what a CSP of `script-src 'self'; style-src 'self'` would block."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        names = {name.lower() for name, _ in attrs}
        if tag == "script" and "src" not in names:
            types = {value for name, value in attrs if name == "type"}
            # JSON data islands (type="application/json") are not executed.
            if not types & {"application/json", "application/ld+json"}:
                self.problems.append(f"inline <script> {attrs}")
        if tag == "style":
            self.problems.append("<style> block")
        for name in names:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
        for name, value in attrs:
            if name in {"href", "src", "action", "formaction"} and value:
                if value.strip().lower().startswith("javascript:"):
                    self.problems.append(f"javascript: URL in {name} on <{tag}>")


def inline_problems(html: str) -> list[str]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.problems


def assert_site_csp(response):
    policy = response.headers.get("Content-Security-Policy", "")
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())
    assert "script-src" in directives, policy
    assert directives["script-src"].split() == ["'self'"], policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, policy
    assert directives.get("object-src") == "'none'", policy
    assert directives.get("frame-ancestors") == "'none'", policy


# --- The parser itself must catch what it claims to ------------------------------------------
@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<body onload="go()">',
        '<a href="javascript:alert(1)">x</a>',
        '<p style="color:red">x</p>',
        "<style>p{}</style>",
    ],
)
def test_finder_catches_inline_code(html):
    assert inline_problems(html)


def test_finder_passes_external_script():
    assert inline_problems('<script src="/static/js/app.js" defer></script><p class="x">ok</p>') == []


# --- Template files -----------------------------------------------------------------------------
TEMPLATE_FILES = sorted(p for d in TEMPLATE_DIRS for p in d.rglob("*.html"))
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL)
INLINE_STYLE = re.compile(r"<style\b|<[a-zA-Z][^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL)


def test_there_are_templates_to_check():
    assert len(TEMPLATE_FILES) > 10
    assert BASE / "templates" / "base.html" in TEMPLATE_FILES


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: str(p.relative_to(BASE)))
def test_template_has_no_inline_script_or_handlers(path):
    text = path.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), f"inline <script> in {path}"
    assert not EVENT_HANDLER.search(text), f"on*= event handler in {path}"
    assert "javascript:" not in text.lower(), f"javascript: URL in {path}"
    if not STYLE_EXEMPT_PARTS & set(path.relative_to(BASE).parts):
        assert not INLINE_STYLE.search(text), f"inline style in {path}"


# --- Rendered pages ---------------------------------------------------------------------------
def site_pages(world):
    reflection = submitted_reflection(world.learner_a)
    _, token = feedback_invitation(world.learner_a, by=world.tutor)
    return [
        (None, "/"),
        (None, "/accounts/login/"),
        (None, "/no-such-page/"),
        (None, f"/feedback/{token}/"),
        (None, "/feedback/not-a-real-token/"),
        ("learner_a", "/portfolio/"),
        ("learner_a", "/portfolio/reflections/"),
        ("learner_a", "/portfolio/reflections/new/"),
        ("learner_a", f"/portfolio/reflections/{reflection.pk}/"),
        ("learner_a", "/portfolio/feedback/"),
        ("learner_a", "/accounts/api-tokens/"),
        ("tutor", "/portfolio/"),
        ("tutor", "/portfolio/review/"),
        ("tutor", f"/portfolio/review/{reflection.pk}/"),
        ("tutor", "/portfolio/feedback/invite/"),
        ("examiner", "/portfolio/"),
        ("admin", "/portfolio/"),
    ]


EXPECTED_404 = {"/no-such-page/", "/feedback/not-a-real-token/"}


@pytest.mark.django_db
def test_site_pages_send_csp_and_carry_no_inline_code(world, portfolio_page):
    checked = 0
    for who, url in site_pages(world):
        client = Client()
        if who:
            client.force_login(getattr(world, who))
        response = client.get(url)
        expected = 404 if url in EXPECTED_404 else 200
        assert response.status_code == expected, (who, url, response.status_code)
        assert response["Content-Type"].startswith("text/html"), (who, url)
        assert_site_csp(response)
        assert inline_problems(response.content.decode()) == [], (who, url)
        checked += 1
    assert checked >= 15
    # Out of scope: the 404 page, with the same policy.
    client = Client()
    client.force_login(world.learner_b)
    response = client.get(f"/portfolio/reflections/{world.learner_a.reflections.first().pk}/")
    assert response.status_code == 404
    assert_site_csp(response)


@pytest.mark.django_db
def test_lockout_page_sends_csp(world, portfolio_page):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"login": "tutor", "password": "wrong"})
    assert response.status_code == 429
    assert_site_csp(response)
    assert inline_problems(response.content.decode()) == []


@pytest.mark.django_db
def test_api_responses_send_csp(world, api):
    response = api(world.tutor).get("/api/v1/me/")
    assert response.status_code == 200
    assert_site_csp(response)


@pytest.mark.django_db
def test_other_security_headers(world, portfolio_page):
    response = Client().get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]
