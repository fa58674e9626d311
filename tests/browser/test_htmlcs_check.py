"""The second checker can fail: HTML_CodeSniffer, run as `check_a11y` runs it, reports the
errors of a page built to have them and none on the same page put right."""

from __future__ import annotations

import os

import pytest

from .htmlcs_check import HTMLCS_JS, assert_htmlcs_clean, htmlcs_errors

BAD = """<!doctype html><html lang="en"><head><title>Bad</title></head><body><main>
<h1>Form</h1><form><input type="text" name="who"><img src="x.png"></form></main></body></html>"""
GOOD = """<!doctype html><html lang="en"><head><title>Good</title></head><body><main>
<h1>Form</h1><form><label for="who">Who</label><input type="text" id="who" name="who">
<img src="x.png" alt="A cross"><button>Save</button>
<input hidden disabled type="submit"><div style="display:none"><input type="text" name="later"></div>
</form></main></body></html>"""


@pytest.fixture
def blank_page(_browser):
    if not HTMLCS_JS.is_file():
        if os.environ.get("REFLECT_REQUIRE_HTMLCS") == "1":
            pytest.fail(f"{HTMLCS_JS} missing and REFLECT_REQUIRE_HTMLCS=1 (make htmlcs)")
        pytest.skip(f"{HTMLCS_JS} missing (make htmlcs)")
    context = _browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def test_htmlcs_reports_an_unlabelled_input_and_an_image_without_alt(blank_page):
    blank_page.set_content(BAD)
    codes = [e["code"] for e in htmlcs_errors(blank_page)]
    assert any(".H37" in c for c in codes), codes  # img without alt
    assert any("F68" in c or "H44" in c or "H91" in c for c in codes), codes  # no label
    with pytest.raises(AssertionError, match="HTML_CodeSniffer .* found"):
        assert_htmlcs_clean(blank_page)


def test_htmlcs_passes_the_page_put_right(blank_page):
    """Elements nobody's accessibility tree holds (hidden, display:none) are left out, as
    axe-core leaves them out."""
    blank_page.set_content(GOOD)
    assert htmlcs_errors(blank_page) == []
