"""PDF/UA-1 on top of WeasyPrint's PDF/A-3a: what WeasyPrint 70 leaves out.

- The claim: `pdfuaid:part=1` in the XMP metadata, with the PDF/A extension schema that
  declares it (PDF/A-3 accepts only declared properties; ISO 19005-3, 6.6.2.3.2).
- Running headers and footers are artifacts (ISO 14289-1, 7.8; Matterhorn 18-001, 01-005):
  WeasyPrint tags the text of page-margin boxes as `Span`s that no structure element holds
  ("It could be included in tree as Artifact, but that's only allowed in PDF 2.0", its
  pdf/tags.py). `mark_margins_as_artifacts`, a `write_pdf` finisher, turns each such
  marked-content sequence into an `/Artifact` one and drops its parent-tree entry.

Everything here reads WeasyPrint 70 / pydyf 0.12 objects (`Stream.stream`, the parent tree
that `pdf/tags.py` builds): `tests/arcp/test_pdf_ua.py` checks the result on real packs with
pikepdf, so an upgrade that changes them fails there rather than silently.
"""

from __future__ import annotations

import pydyf

XMP_PDFUA = b"""<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<pdfuaid:part>1</pdfuaid:part></rdf:Description>
<rdf:Description rdf:about=""
  xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
  xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
  xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>"""


def claim_pdf_ua(document, pdf) -> None:
    """WeasyPrint finisher: add the PDF/UA-1 claim to the XMP metadata, inside its one
    `rdf:RDF` (an XMP packet holds one; WeasyPrint's `xmp_metadata` option would add a
    second after it)."""
    reference = pdf.catalog.get("Metadata")
    if reference is None:
        raise ValueError("No XMP metadata to claim PDF/UA in: render with a PDF/A variant.")
    stream = pdf.objects[_number(reference)]
    content = b"".join(part if isinstance(part, bytes) else bytes(part) for part in stream.stream)
    if b"pdfuaid" not in content:
        content = content.replace(b"</rdf:RDF>", XMP_PDFUA + b"</rdf:RDF>", 1)
    stream.stream = [content]


def _number(reference) -> int:
    return int(bytes(reference).split()[0])


def _reachable(pdf, root) -> set[int]:
    """Numbers of the structure elements the structure tree holds."""
    seen: set[int] = set()
    stack = [ref for ref in root["K"]]
    while stack:
        ref = stack.pop()
        if not isinstance(ref, bytes | bytearray):
            continue  # an MCID
        number = _number(ref)
        element = pdf.objects[number]
        if number in seen or not isinstance(element, pydyf.Dictionary) or "S" not in element:
            continue
        seen.add(number)
        stack.extend(element.get("K", []))
    return seen


def mark_margins_as_artifacts(document, pdf) -> int:
    """WeasyPrint finisher: marked content that belongs to no structure element becomes an
    artifact. Returns how many sequences it changed."""
    tree = pdf.catalog.get("StructTreeRoot")
    if tree is None:
        return 0
    root = pdf.objects[_number(tree)]
    mapping = pdf.objects[_number(root["ParentTree"])]
    held = _reachable(pdf, pdf.objects[_number(root["K"][0])])
    nums = mapping["Nums"]
    orphans: dict[int, set[int]] = {}
    for i in range(0, len(nums), 2):
        key, value = nums[i], nums[i + 1]
        if not isinstance(value, pydyf.Array):
            continue  # an annotation's entry
        for mcid, ref in enumerate(value):
            if isinstance(ref, bytes | bytearray) and _number(ref) not in held:
                orphans.setdefault(int(key), set()).add(mcid)
                value[mcid] = b"null"
    changed = 0
    kids = pdf.pages["Kids"]  # pydyf keeps them flat: number, 0, "R", number, 0, "R", ...
    for page_number, object_number in enumerate(kids[0::3]):
        lost = orphans.get(page_number)
        if not lost:
            continue
        stream = pdf.objects[_number(pdf.objects[object_number]["Contents"])]
        ops = stream.stream
        # "/Tag <</MCID n>> BDC" of a lost n becomes "/Artifact BMC" (found by the BDC operator:
        # a page's stream has thousands of operations, a few of them the margins' marked content).
        starts = [
            i - 2
            for i, op in enumerate(ops)
            if op == b"BDC"
            and i >= 2
            and isinstance(ops[i - 1], pydyf.Dictionary)
            and ops[i - 1].get("MCID") in lost
        ]
        out, done = [], 0
        for start in starts:
            out.extend(ops[done:start])
            out.extend(("/Artifact", b"BMC"))
            done = start + 3
        out.extend(ops[done:])
        changed += len(starts)
        stream.stream = out
    return changed
