"""Every HTML door of reflections against public XSS corpora (../shared/corpora, see its
README): the sanitiser directly, the services, the site form and the API.

We check properties of our output, not upstream expected outputs: no script-capable or
unknown element, no on* attribute, no style, no javascript:/vbscript:/data: URL, benign text
kept, and sanitising twice changes nothing.
"""

from __future__ import annotations

import datetime
import html
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from portfolio import services
from portfolio.models import Reflection
from reflect.sanitize import sanitize_html

# The corpora, their loader and the allow-list are shared with tests/trust (one copy).
from tests.trust.xss import BAD_SCHEMES, KNOWN_ATTRS, KNOWN_TAGS, PAYLOADS, SKIP_REASON

MARKER = "Benign reflection text 4821 stays"
needs_corpora = pytest.mark.skipif(not PAYLOADS, reason=SKIP_REASON)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def problems(output: str) -> list[str]:
    """Why `output` is unsafe (empty when safe)."""
    parser = _Collector()
    parser.feed(output)
    parser.close()
    found = []
    for tag, attrs in parser.tags:
        if tag not in KNOWN_TAGS:
            found.append(f"element <{tag}>")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                found.append(f"event handler {name}")
            if name == "style":
                found.append("style attribute")
            if name not in KNOWN_ATTRS.get(tag, set()):
                found.append(f"attribute {name} on <{tag}>")
            if value is not None:
                url = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(value)).lower()
                if url.startswith(BAD_SCHEMES):
                    found.append(f"dangerous URL in {name}: {value[:40]}")
    if re.search(r"<\s*(script|style|iframe|object|embed|svg|math)\b", output, re.IGNORECASE):
        found.append("raw dangerous tag text")
    return found


def assert_safe(output: str, payload: str) -> None:
    bad = problems(output)
    assert not bad, f"{bad} in {output[:200]!r} from {payload[:200]!r}"


def test_checker_catches_what_it_should():
    assert problems('<img src=x onerror="alert(1)">')
    assert problems('<a href=" java\tscript:alert(1)">x</a>')
    assert problems('<p style="x">y</p>')
    assert problems("<svg><script>1</script></svg>")
    assert not problems('<p>ok <a href="https://example.org">link</a></p>')


@needs_corpora
@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"v{i}" for i in range(len(PAYLOADS))])
def test_sanitize_html_against_corpus(payload):
    out = sanitize_html(f"<p>{MARKER}</p>{payload}")
    assert_safe(out, payload)
    assert MARKER in out
    assert sanitize_html(out) == out


def test_benign_formatting_is_kept_exactly():
    benign = (
        "<h2>What happened</h2>"
        "<p>I visited a <strong>food bank</strong> with <em>the practice nurse</em>.</p>"
        '<ul><li>Parcels</li><li>Advice on <a href="https://www.citizensadvice.org.uk/">benefits</a></li></ul>'
        "<blockquote>Nobody asked me how I was.</blockquote>"
    )
    assert sanitize_html(benign) == benign


def _section_payload(payload):
    return {
        "title": "Corpus check",
        "kind": "other",
        "occurred_on": timezone.localdate() - datetime.timedelta(days=1),
        "reflective_model": "rolfe",
        "sections": {"what": f"<p>{MARKER}</p>{payload}", "so_what": payload},
    }


@needs_corpora
@pytest.mark.django_db
def test_through_the_service(world):
    for payload in PAYLOADS:
        r = services.create_reflection(world.learner_a, _section_payload(payload))
        for value in (r.body_html, *r.sections.values()):
            assert_safe(value, payload)
        assert MARKER in r.body_html
        r = services.update_reflection(
            r, world.learner_a, {"body_html": payload + MARKER, "title": "T " + payload[:200]}, r.version
        )
        assert_safe(r.body_html, payload)
        assert "<" not in r.title or not problems(r.title)


@needs_corpora
@pytest.mark.django_db
def test_through_the_site_form(world, portfolio_page, client):
    client.force_login(world.learner_a)
    day = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    for payload in PAYLOADS:
        response = client.post(
            "/portfolio/reflections/new/",
            {
                "title": "Corpus check",
                "kind": "other",
                "occurred_on": day,
                "reflective_model": "free",
                "section_free": f"<p>{MARKER}</p>{payload}",
            },
        )
        assert response.status_code == 302, payload
    assert Reflection.objects.count() == len(PAYLOADS)
    for r in Reflection.objects.all():
        assert_safe(r.body_html, r.sections["free"])
        assert MARKER in r.body_html
    # And the page that shows one renders it safely.
    r = Reflection.objects.first()
    page = client.get(f"/portfolio/reflections/{r.pk}/").content.decode()
    body = page.split('<article class="panel reflection-body prose"', 1)[1].split("</article>", 1)[0]
    assert_safe(
        body.split(">", 1)[1].replace('<h2 id="body-heading" class="visually-hidden">Reflection</h2>', ""), ""
    )


@needs_corpora
@pytest.mark.django_db
def test_through_the_api(world, api):
    client = api(world.learner_a)
    for i, payload in enumerate(PAYLOADS):
        # Titles of one and two words, as real titles vary. With every title the same length,
        # Wagtail's PostgreSQL search backend re-normalises *every* index entry on each save
        # (it refreshes the rows whose title_norm is 1.0, and lavg / length is then 1.0 for
        # all of them): 362 posts took 5 minutes instead of seconds.
        title = "Corpus" if i % 2 else "Corpus vector"
        response = client.post(
            "/api/v1/reflections/",
            {"title": title, "kind": "other", "occurred_on": "2026-01-01", "body_html": MARKER + payload},
            format="json",
        )
        assert response.status_code == 201, (payload, response.content)
        body = response.json()["body_html"]
        assert_safe(body, payload)
        assert MARKER in body
