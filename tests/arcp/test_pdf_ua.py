"""The ARCP pack claims PDF/UA-1 beside PDF/A-3a and keeps its rules (issue 17: "it claims
PDF/A-3a but not PDF/UA-1, and fails it"), checked on real packs with pikepdf by
`tests/arcp/pdfua_rules.py`: the claim, the language, artifacts for running headers and
footers, list and table structure, alternative text, link descriptions, embedded fonts."""

import io

import pikepdf
import pypdf
import pytest

from arcp import services
from tests.arcp.pdfua_rules import problems


@pytest.fixture
def pack(pack_world):
    w = pack_world
    export = services.build_pack(w.learner_a, w.period_from, w.period_to, w.examiner, via="api")
    w.data = services.read_pack(export)
    w.export = export
    return w


def test_the_pack_keeps_every_pdf_ua_rule_checked(pack):
    assert problems(pack.data) == []


def test_the_pack_claims_pdf_ua_1_and_pdf_a_3a_in_one_xmp_packet(pack):
    pdf = pikepdf.open(io.BytesIO(pack.data))
    with pdf.open_metadata() as meta:
        assert str(meta["pdfuaid:part"]) == "1"
        assert str(meta["pdfaid:part"]) == "3" and str(meta["pdfaid:conformance"]) == "A"
    xmp = pdf.Root.Metadata.read_bytes()
    assert xmp.count(b"<rdf:RDF") == 1  # one packet, as XMP requires
    assert b"<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp  # declared for PDF/A


def test_running_headers_and_footers_are_artifacts_yet_still_printed(pack):
    pdf = pikepdf.open(io.BytesIO(pack.data))
    second = pdf.pages[1]
    tags = [
        str(operands[0])
        for operands, operator in pikepdf.parse_content_stream(second)
        if str(operator) in ("BDC", "BMC")
    ]
    assert "/Artifact" in tags
    text = pypdf.PdfReader(io.BytesIO(pack.data)).pages[1].extract_text()
    assert "Page 2 of" in text and str(pack.export.pk) in text.replace("\n", "")


def test_the_checker_catches_what_it_is_for(pack):
    """The rules can fail: a copy without the claim and with a footer span put back."""
    pdf = pikepdf.open(io.BytesIO(pack.data))
    xmp = pdf.Root.Metadata.read_bytes().replace(b"<pdfuaid:part>1</pdfuaid:part>", b"")
    pdf.Root.Metadata.write(xmp)
    page = pdf.pages[1]
    ops = pikepdf.parse_content_stream(page)
    for i, (operands, operator) in enumerate(ops):
        if str(operator) == "BMC" and str(operands[0]) == "/Artifact":
            ops[i] = pikepdf.ContentStreamInstruction(
                [pikepdf.Name("/Span"), pikepdf.Dictionary(MCID=9999)], pikepdf.Operator("BDC")
            )
            break
    page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(ops))
    out = io.BytesIO()
    pdf.save(out)
    found = "\n".join(problems(out.getvalue()))
    assert "pdfuaid" in found and "belong to no structure element" in found
