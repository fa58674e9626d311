"""The pack read back with pypdf: contents, structure, archival/tagged, pictures for people."""

import io
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

from arcp import services
from reflect.models import AuditEvent

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "arcp"


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    # one space for any run of whitespace: table cells wrap lines anywhere
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def outline_titles(items) -> list[str]:
    titles = []
    for item in items:
        if isinstance(item, list):
            titles.extend(outline_titles(item))
        else:
            titles.append(item.title)
    return titles


@pytest.fixture
def pack(pack_world):
    w = pack_world
    export = services.build_pack(w.learner_a, w.period_from, w.period_to, w.examiner, via="api")
    w.export = export
    w.data = services.read_pack(export)
    w.text = pdf_text(w.data)
    w.reader = pypdf.PdfReader(io.BytesIO(w.data))
    return w


def test_every_reflection_in_period_and_none_outside(pack):
    for r in pack.in_period:
        assert r.title in pack.text
    for absent in ("OLD ONE", "DRAFT never shown", "SUBMITTED AFTER", "Learner B's own"):
        assert absent not in pack.text


def test_cover_names_learner_cohort_period_and_export(pack):
    assert "Amara Okafor" in pack.text
    assert "Cohort A" in pack.text
    assert str(pack.export.pk) in pack.text
    # running header on later pages carries the learner's name, and page numbers
    page3 = " ".join(pack.reader.pages[2].extract_text().split())
    assert "Amara Okafor" in page3
    assert f"Page 3 of {len(pack.reader.pages)}" in page3
    assert len(pack.reader.pages) > 1


def test_chosen_levels_are_marked_in_words(pack):
    # First reflection: level index 2 ("Level 3"); the replacement: "Level 2".
    assert "✓ Chosen" in pack.text
    assert "✓ Chosen Level 3 (2)" in pack.text
    assert "✓ Chosen Level 2 (1)" in pack.text
    assert "Comment on criterion 1." in pack.text


def test_no_template_syntax_reaches_the_page(pack):
    """A template comment written over two lines ({# ... #} is one-line only) is printed, and
    any markup in it with it."""
    for syntax in ("{#", "#}", "{%", "%}", "{{", "}}"):
        assert syntax not in pack.text


def test_superseded_assessment_not_drawn_but_reported(pack):
    assert "was superseded" in pack.text
    assert "Marked against the wrong criterion descriptors" in pack.text
    # the superseded marking chose "Level 1" everywhere; the summary counts only current ones
    assert "Level 1: 0" in pack.text


def test_feedback_anonymous_stays_anonymous_and_withdrawn_is_counted(pack):
    assert "Anonymous patient representative" in pack.text
    assert "Spoke to me like a person." in pack.text
    assert "Maureen Doyle" in pack.text  # named respondent who chose to be named
    assert "Withdrawn Person" not in pack.text and "WITHDRAWN session" not in pack.text
    assert "1 withdrawn" in pack.text


def test_signoffs_previous_outcomes_and_late_entries(pack):
    assert "Excellent link to housing policy." in pack.text
    assert "More community exposure needed." in pack.text
    assert "U2" in pack.text
    assert "Late entry" in pack.text


def test_bookmarks_tags_pdfa_and_embedded_fonts(pack):
    titles = outline_titles(pack.reader.outline)
    for section in ("Summary", "Reflections", "Sign-offs", "Previous ARCP outcomes"):
        assert section in titles
    assert any(t.startswith("1. Night shelter") for t in titles)
    root = pack.reader.trailer["/Root"]
    assert "/StructTreeRoot" in root  # tagged
    assert root["/MarkInfo"]["/Marked"]
    metadata = root["/Metadata"].get_object().get_data().decode()
    assert "pdfaid:part" in metadata and "3" in metadata
    fonts = set()
    for page in pack.reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (
                font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                if "/DescendantFonts" in font
                else font["/FontDescriptor"]
            )
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]))
    assert any("DejaVu" in f for f in fonts)


def test_contents_lists_every_section_at_the_page_it_starts(pack):
    """The cover's contents begin with the supervisor's reports (once left out) and name the
    later sections; each entry's page number is the page its section's heading is on."""
    cover = " ".join(pack.reader.pages[0].extract_text().split())
    contents = cover[cover.index("Contents ") + len("Contents ") :]
    entries = re.findall(r"([A-Z][^·]+?) · page (\d+)", contents)
    titles = [title for title, _ in entries]
    assert titles[:2] == ["Educational supervisor's reports", "Summary"], titles
    assert "Previous ARCP outcomes" in titles and "Sign-offs" in titles
    for title, page in entries:
        heading = title.split(" (")[0]  # "Reflections (3)": the heading says "Reflections"
        text = " ".join(pack.reader.pages[int(page) - 1].extract_text().split())
        assert heading in text, (title, page)
    assert [int(p) for _, p in entries] == sorted(int(p) for _, p in entries)


def test_export_is_recorded_and_audited(pack):
    import hashlib

    assert pack.export.sha256 == hashlib.sha256(pack.data).hexdigest()
    assert pack.export.size == len(pack.data)
    assert pack.export.created_by == pack.examiner
    event = AuditEvent.objects.get(action="export", object_id=str(pack.export.pk))
    assert event.learner == pack.learner_a and event.actor == pack.examiner and event.via == "api"


def test_pages_as_images_for_people(pack):
    """Keep three pages (cover, summary, a reflection with its rubric grid) as artefacts."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) not installed")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "pack.pdf").write_bytes(pack.data)
    for page in (1, 2, 4):
        prefix = ARTIFACTS / f"page-{page}"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                "-",
                str(prefix),
            ],
            input=pack.data,
            check=True,
        )
        assert (ARTIFACTS / f"page-{page}.png").stat().st_size > 5000
