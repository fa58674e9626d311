"""What the pack's render changes in the process around it (issue 19, per page): the cyclic
collector is paused for one render only, and the streams are still Flate-compressed."""

import gc
import io

import pikepdf
import pytest

from arcp import pdf

HTML = "<!DOCTYPE html><html lang='en-GB'><head><title>t</title></head><body><p>One page.</p></body></html>"


def test_the_collector_is_on_again_after_a_render():
    assert gc.isenabled()
    data = pdf.html_to_pdf(HTML)
    assert data.startswith(b"%PDF") and gc.isenabled()


def test_the_collector_is_on_again_after_a_failed_render():
    with pytest.raises(RuntimeError), pdf._collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("the render failed")
    assert gc.isenabled()


def test_a_collector_switched_off_by_someone_else_stays_off():
    gc.disable()
    try:
        with pdf._collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_page_streams_are_flate_compressed_and_read_back():
    with pikepdf.open(io.BytesIO(pdf.html_to_pdf(HTML))) as document:
        contents = document.pages[0].obj.Contents
        assert contents.Filter == pikepdf.Name.FlateDecode
        assert b"BT" in contents.read_bytes()  # decompressed: the page's text operators


def test_the_pack_renders_without_weasyprint_warnings(caplog):
    """The lean user-agent sheet is built without WeasyPrint complaining (it once re-declared
    the stock counter styles: two warnings in every process's log), and the pack's own
    stylesheet parses cleanly."""
    pdf._pack_html_class.cache_clear()
    pdf._pack_stylesheet.cache_clear()
    with caplog.at_level("WARNING", logger="weasyprint"):
        data = pdf.html_to_pdf(
            "<!DOCTYPE html><html lang='en-GB'><head><title>t</title></head>"
            "<body><ol><li>One</li></ol><ul><li>Two</li></ul></body></html>"
        )
    assert data.startswith(b"%PDF")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []
