"""The reflection editor's server side (issue 16): the autosave answers with the submission's
identifier check, a conflict carries the stored text, whatever the editor (or anything else)
sends is sanitised, the form works without JavaScript, and the editor can produce nothing the
sanitiser would drop."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils import timezone

from portfolio import services
from portfolio.models import Reflection
from reflect.sanitize import ALLOWED_TAGS, sanitize_html
from tests.trust.xss import PAYLOADS, SKIP_REASON

from .test_sanitize_corpora import MARKER, assert_safe

pytestmark = pytest.mark.django_db

NHS = "943 476 5919"  # valid Modulus 11 check digit
NOT_NHS = "943 476 5918"  # same digits, wrong check digit
EDITOR_JS = Path(settings.BASE_DIR) / "portfolio/static/portfolio/js/reflection-editor.js"


def make(learner, **kwargs):
    data = {
        "title": "Food bank evening",
        "kind": "third_sector",
        "occurred_on": timezone.localdate() - datetime.timedelta(days=2),
        "reflective_model": "rolfe",
        "sections": {"what": "<p>I sorted parcels at a food bank.</p>"},
    }
    data.update(kwargs)
    return services.create_reflection(learner, data)


def autosave_post(reflection, **fields):
    return {
        "title": reflection.title,
        "kind": reflection.kind,
        "occurred_on": reflection.occurred_on.isoformat(),
        "reflective_model": reflection.reflective_model,
        "version": reflection.version,
        **fields,
    }


FETCH = {"HTTP_X_REQUESTED_WITH": "fetch", "HTTP_ACCEPT": "application/json"}


# --- Identifiers caught while typing -----------------------------------------------------------
def test_autosave_answers_with_the_submission_check_beside_each_field(world, portfolio_page, client):
    reflection = make(world.learner_a)
    client.force_login(world.learner_a)
    r = client.post(
        f"/portfolio/reflections/{reflection.pk}/autosave/",
        autosave_post(
            reflection,
            title="Visit with Mrs D (mrs.d@example.org)",
            section_what=f"<p>Her NHS number <strong>{NHS}</strong> was on the letter.</p>",
            section_so_what=f"<p>Not a number: {NOT_NHS}.</p>",
        ),
        **FETCH,
    )
    assert r.status_code == 200
    findings = r.json()["findings"]
    assert set(findings) == {"title", "section_what"}  # the invalid number is not flagged
    [nhs] = findings["section_what"]
    assert nhs["kind"] == "nhs_number" and nhs["blocking"] is True and nhs["match"] == NHS
    assert nhs["label"] == "NHS number" and "identifies one person" in nhs["message"]
    [email] = findings["title"]
    assert email["kind"] == "email" and email["blocking"] is False
    # The same check as at submission: it blocks there too.
    reflection.refresh_from_db()
    assert [f.kind for f in services.check_identifiers(reflection)] == ["email", "nhs_number"]

    r = client.post(
        f"/portfolio/reflections/{reflection.pk}/autosave/",
        autosave_post(reflection, title="Food bank evening", section_what="<p>A woman in her eighties.</p>"),
        **FETCH,
    )
    assert r.status_code == 200 and r.json()["findings"] == {}


def test_a_new_draft_not_yet_saveable_is_checked_all_the_same(world, portfolio_page, client):
    client.force_login(world.learner_a)
    r = client.post(
        "/portfolio/reflections/new/autosave/",
        {"reflective_model": "gibbs", "title": "", "section_feelings": f"<p>NHS no {NHS}</p>"},
        **FETCH,
    )
    assert r.status_code == 400 and "errors" in r.json()
    assert r.json()["findings"]["section_feelings"][0]["kind"] == "nhs_number"
    assert not Reflection.objects.exists()


def test_the_edit_page_shows_stored_findings_beside_the_section_without_javascript(
    world, portfolio_page, client
):
    reflection = make(world.learner_a, sections={"so_what": f"<p>NHS {NHS}.</p>"})
    client.force_login(world.learner_a)
    page = client.get(f"/portfolio/reflections/{reflection.pk}/edit/").content.decode()
    box = page.split('id="id_section_so_what_findings"', 1)[1].split("</div>", 1)[0]
    assert "Must be removed: NHS number" in box and NHS in box
    empty = page.split('id="id_section_what_findings"', 1)[1].split("</div>", 1)[0]
    assert "finding" not in empty


# --- Conflicts: both texts kept ------------------------------------------------------------------
def test_a_stale_autosave_gets_the_stored_text_to_show_beside_its_own(world, portfolio_page, client):
    reflection = make(world.learner_a)
    client.force_login(world.learner_a)
    stale = autosave_post(reflection, section_what="<p>Mine, from tab one.</p>")
    services.update_reflection(
        reflection,
        world.learner_a,
        {"sections": {"what": "<p>Theirs, from tab two.</p>"}},
        reflection.version,
    )
    r = client.post(f"/portfolio/reflections/{reflection.pk}/autosave/", stale, **FETCH)
    assert r.status_code == 409
    body = r.json()
    assert body["conflict"] is True and "Someone else saved" in body["detail"]
    theirs = body["theirs"]
    assert theirs["version"] == stale["version"] + 1 == Reflection.objects.get(pk=reflection.pk).version
    assert theirs["sections"]["section_what"] == {"label": "What?", "html": "<p>Theirs, from tab two.</p>"}
    assert re.fullmatch(r"\d\d:\d\d", theirs["saved_at"])
    assert "Mine" not in Reflection.objects.get(pk=reflection.pk).sections["what"]  # nothing overwritten
    # Keeping mine: the same text sent with their version is saved.
    r = client.post(
        f"/portfolio/reflections/{reflection.pk}/autosave/", {**stale, "version": theirs["version"]}, **FETCH
    )
    assert r.status_code == 200
    assert Reflection.objects.get(pk=reflection.pk).sections["what"] == "<p>Mine, from tab one.</p>"


def test_a_stale_post_without_javascript_shows_both_texts(world, portfolio_page, client):
    reflection = make(world.learner_a)
    client.force_login(world.learner_a)
    stale = autosave_post(reflection, section_what="Mine, typed without JavaScript.")
    services.update_reflection(
        reflection,
        world.learner_a,
        {"sections": {"what": "<p>Theirs, saved elsewhere.</p>"}},
        reflection.version,
    )
    r = client.post(f"/portfolio/reflections/{reflection.pk}/edit/", stale)
    assert r.status_code == 409
    page = r.content.decode()
    top = page.split('id="conflict"', 1)[1].split("</details>", 1)[0]
    assert "Theirs, saved elsewhere." in top
    assert "Mine, typed without JavaScript." in page  # still in the form


# --- Everything sent is sanitised ------------------------------------------------------------------
TIPTAP_OUTPUT = (
    "<h2>What happened</h2><p>I joined a <strong>home visit</strong> and <em>listened</em>.</p>"
    "<ul><li><p>steep stairs</p></li><li><p>no rail</p></li></ul>"
    '<ol start="3" type="a"><li><p>ask</p></li></ol>'
    '<p><a target="_blank" rel="noopener noreferrer nofollow" class="x" '
    'href="https://www.nice.org.uk/guidance/ng249">guidance</a><br>line two</p>'
    '<blockquote><p>Nobody asked.</p></blockquote><p style="color:red" onclick="x()">styled</p>'
    '<p><a href="javascript:alert(1)">bad</a></p><table><tr><td>pasted table</td></tr></table>'
)


def test_editor_output_is_sanitised_on_autosave(world, portfolio_page, client):
    reflection = make(world.learner_a)
    client.force_login(world.learner_a)
    r = client.post(
        f"/portfolio/reflections/{reflection.pk}/autosave/",
        autosave_post(reflection, section_what=TIPTAP_OUTPUT),
        **FETCH,
    )
    assert r.status_code == 200
    stored = Reflection.objects.get(pk=reflection.pk).sections["what"]
    assert stored == sanitize_html(TIPTAP_OUTPUT)
    assert "<strong>home visit</strong>" in stored and "<ul><li><p>steep stairs</p></li>" in stored
    assert '<a href="https://www.nice.org.uk/guidance/ng249">guidance</a><br>line two' in stored
    assert (
        "<ol><li><p>ask</p></li></ol>" in stored and "<blockquote><p>Nobody asked.</p></blockquote>" in stored
    )
    for gone in ("target=", "rel=", "class=", "style=", "onclick", "javascript:", "<table", "<td"):
        assert gone not in stored, gone
    assert "pasted table" in stored  # the text stays


@pytest.mark.skipif(not PAYLOADS, reason=SKIP_REASON)
def test_the_attack_corpus_through_the_autosave(world, portfolio_page, client):
    reflection = make(world.learner_a)
    client.force_login(world.learner_a)
    version = reflection.version
    for payload in PAYLOADS:
        r = client.post(
            f"/portfolio/reflections/{reflection.pk}/autosave/",
            {**autosave_post(reflection), "version": version, "section_what": f"<p>{MARKER}</p>{payload}"},
            **FETCH,
        )
        assert r.status_code == 200, payload
        version = r.json()["version"]
        stored = Reflection.objects.get(pk=reflection.pk).sections["what"]
        assert_safe(stored, payload)
        assert MARKER in stored


# --- Without JavaScript --------------------------------------------------------------------------
def test_plain_text_posted_without_javascript_becomes_paragraphs(world, portfolio_page, client):
    client.force_login(world.learner_a)
    day = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    r = client.post(
        "/portfolio/reflections/new/",
        {
            "title": "Typed on an old phone",
            "kind": "other",
            "occurred_on": day,
            "reflective_model": "rolfe",
            "section_what": "First paragraph, 3 < 4 & so on.\r\nSame paragraph, new line.\r\n\r\nSecond one.",
            "section_so_what": "<p>HTML typed by hand <script>alert(1)</script>still works.</p>",
            "action": "save",
        },
    )
    assert r.status_code == 302
    reflection = Reflection.objects.get(learner=world.learner_a)
    assert reflection.sections["what"] == (
        "<p>First paragraph, 3 &lt; 4 &amp; so on.<br>Same paragraph, new line.</p><p>Second one.</p>"
    )
    assert reflection.sections["so_what"] == "<p>HTML typed by hand still works.</p>"


def test_the_form_offers_the_editor_and_no_longer_asks_for_html(world, portfolio_page, client):
    client.force_login(world.learner_a)
    page = client.get("/portfolio/reflections/new/?model=gibbs").content.decode()
    assert "type HTML" not in page and "&lt;p&gt;" not in page
    assert 'data-rich-text="true"' in page and 'id="autosave-status"' in page
    assert 'class="autosave-bar"' in page.split("<h2>About the experience</h2>")[0]  # at the top
    assert "<noscript>" in page  # says how to write without the editor
    # The editor's files are the package's own static files, served from this site.
    module = re.search(r'data-editor-module="([^"]+)"', page).group(1)
    assert module.startswith(settings.STATIC_URL) and module.endswith("django_prose_editor/editor.js")
    assert finders.find("django_prose_editor/editor.js") and finders.find("django_prose_editor/editor.css")
    assert "django_prose_editor" in settings.INSTALLED_APPS


def test_the_editor_can_make_only_what_the_sanitiser_keeps():
    """The extensions reflection-editor.js loads, mapped to HTML by django-prose-editor's own
    table: every tag among those `sanitize_html` keeps (a new extension fails here)."""
    from django_prose_editor.config import EXTENSION_MAPPING

    source = EDITOR_JS.read_text()
    listed = re.search(r"extensions: \[(.*?)\],\s*editorProps", source, re.S).group(1)
    names = set(re.findall(r"\bE\.(\w+)", listed)) | {"Link", "OrderedList"}
    names -= {"Document", "Text", "UndoRedo", "History"}  # no HTML of their own
    assert names >= {"Bold", "Italic", "BulletList", "ListItem", "Heading", "Paragraph", "Link"}
    shared = {"tags": set(), "attributes": {}}
    for name in names:
        config = {"levels": [2, 3, 4]} if name == "Heading" else {}
        EXTENSION_MAPPING[name](config, shared)
    assert shared["tags"] <= ALLOWED_TAGS, shared["tags"] - ALLOWED_TAGS
    assert "levels: [2, 3, 4]" in source
    assert re.search(r"(https\?\|mailto)", source)  # the link schemes the sanitiser keeps
