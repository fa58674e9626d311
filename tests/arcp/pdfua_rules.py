"""PDF/UA-1 rules (ISO 14289-1, as the Matterhorn Protocol lists its checks) that the ARCP pack
must keep, read off a real PDF with pikepdf. Each rule returns a list of problems in words.

Checked: the `pdfuaid:part` claim in the XMP (Matterhorn 06-002), the document's `/Lang`
(11-001), `/MarkInfo /Marked` (01-001), `DisplayDocTitle` (07-001), every piece of marked
content in the pages either belonging to the structure tree or an artifact (01-005: running
headers and footers are artifacts), lists built of `LI` holding `Lbl`/`LBody` only (16-001,
-002), tables whose data cells name their row's header cell (15-003: `/Headers` and `/ID`),
figures with alternative text (13-004), links whose annotation says where it goes (28-011:
`/Contents`), and every font embedded (31-001).
"""

from __future__ import annotations

import io
import re

import pikepdf

LIST_ITEM_PARTS = {"/Lbl", "/LBody"}
LIST_PARTS = {"/LI", "/Caption"}
TABLE_ROW_PARENTS = {"/Table", "/THead", "/TBody", "/TFoot"}


def _kids(node):
    k = node.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def _elements(root):
    """Every structure element, with its parent's type."""
    stack = [(kid, "/StructTreeRoot") for kid in _kids(root)]
    while stack:
        node, parent = stack.pop()
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            yield node, parent
            stack.extend((kid, str(node.S)) for kid in _kids(node))


def _referenced_mcids(root, pdf) -> set[tuple[int, int]]:
    """(page number, MCID) pairs the structure tree points at."""
    pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
    found = set()
    for node, _ in _elements(root):
        page = pages.get(node.Pg.objgen) if "/Pg" in node else None
        for kid in _kids(node):
            if isinstance(kid, int):
                found.add((page, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                pg = pages.get(kid.Pg.objgen) if "/Pg" in kid else page
                found.add((pg, int(kid.MCID)))
    return found


def _content_mcids(pdf) -> list[tuple[int, int, str]]:
    """(page number, MCID, tag) of every marked-content sequence with an MCID in the pages."""
    out = []
    for number, page in enumerate(pdf.pages):
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "BDC" and len(operands) == 2:
                props = operands[1]
                if isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
                    out.append((number, int(props.MCID), str(operands[0])))
    return out


def problems(data: bytes) -> list[str]:
    pdf = pikepdf.open(io.BytesIO(data))
    root = pdf.Root
    found: list[str] = []
    with pdf.open_metadata() as meta:
        if str(meta.get("pdfuaid:part", "")) != "1":
            found.append("the XMP metadata does not claim PDF/UA-1 (pdfuaid:part)")
    if not str(root.get("/Lang", "")):
        found.append("the document has no /Lang")
    if not (root.get("/MarkInfo") and bool(root.MarkInfo.get("/Marked"))):
        found.append("the document is not marked as tagged (/MarkInfo /Marked)")
    if not (root.get("/ViewerPreferences") and bool(root.ViewerPreferences.get("/DisplayDocTitle"))):
        found.append("viewers are not told to show the title (/DisplayDocTitle)")
    tree = root.get("/StructTreeRoot")
    if tree is None:
        return [*found, "no structure tree"]

    referenced = _referenced_mcids(tree, pdf)
    orphans = [(p, m, tag) for p, m, tag in _content_mcids(pdf) if (p, m) not in referenced]
    if orphans:
        sample = ", ".join(f"page {p + 1} MCID {m} ({tag})" for p, m, tag in orphans[:5])
        found.append(f"{len(orphans)} pieces of tagged content belong to no structure element: {sample}")

    unlinked_rows = 0
    for node, parent in _elements(tree):
        kind = str(node.S)
        child_kinds = {str(k.S) for k in _kids(node) if isinstance(k, pikepdf.Dictionary) and "/S" in k}
        if kind == "/L" and child_kinds - LIST_PARTS:
            found.append(f"a list holds {sorted(child_kinds - LIST_PARTS)} besides list items")
        if kind == "/LI" and child_kinds - LIST_ITEM_PARTS:
            found.append(f"a list item holds {sorted(child_kinds - LIST_ITEM_PARTS)} besides Lbl/LBody")
        if kind == "/LI" and parent != "/L":
            found.append(f"a list item sits in {parent}, not in a list")
        if kind == "/TR" and parent not in TABLE_ROW_PARENTS:
            found.append(f"a table row sits in {parent}")
        if kind == "/TR":
            cells = [k for k in _kids(node) if isinstance(k, pikepdf.Dictionary) and "/S" in k]
            row_ids = {str(c.ID) for c in cells if str(c.S) == "/TH" and "/ID" in c}
            for cell in cells:
                if str(cell.S) != "/TD" or not row_ids:
                    continue
                attrs = cell.get("/A")
                if not isinstance(attrs, pikepdf.Dictionary):
                    attrs = pikepdf.Dictionary()
                named = {str(h) for h in attrs.get("/Headers", [])}
                if not row_ids & named:
                    unlinked_rows += 1
                    break
        if kind == "/Figure" and not str(node.get("/Alt", "")).strip():
            found.append("a figure has no alternative text")
    if unlinked_rows:
        found.append(
            f"{unlinked_rows} table rows have a header cell that their data cells do not name (/Headers)"
        )

    for number, page in enumerate(pdf.pages):
        for annot in page.get("/Annots", []):
            if annot.get("/Subtype") == "/Link" and not str(annot.get("/Contents", "")).strip():
                found.append(f"a link on page {number + 1} does not say where it goes (/Contents)")
                break
    for number, page in enumerate(pdf.pages):
        fonts = page.get("/Resources", {}).get("/Font", {})
        for name, font in fonts.items():
            descendants = font.get("/DescendantFonts")
            target = descendants[0] if descendants else font
            desc = target.get("/FontDescriptor")
            if desc is None or not any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                found.append(f"font {name} on page {number + 1} is not embedded")
    # One line per kind of problem, counted.
    counted: dict[str, int] = {}
    for p in found:
        key = re.sub(r"page \d+", "page N", p)
        counted[key] = counted.get(key, 0) + 1
    return [f"{k} (x{n})" if n > 1 else k for k, n in counted.items()]
