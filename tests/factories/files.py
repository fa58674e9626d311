"""Real files for the attachment tests, made with Pillow and by hand: a JPEG from a phone with
GPS and camera EXIF (and an orientation), PNGs, PDFs clean and with scripts, and an
attachment already stored on a reflection."""

from __future__ import annotations

import io
import zlib

from PIL import Image

from portfolio.demo.files import as_upload, demo_pdf, demo_png

__all__ = ["as_upload", "attach", "demo_pdf", "demo_png", "gps_jpeg", "pdf_with", "png"]

GPS_IFD = 0x8825
ORIENTATION = 0x0112
MAKE, MODEL = 0x010F, 0x0110


def gps_jpeg(size=(64, 32), orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: camera make and model, GPS position (Cardiff), and an
    orientation (6: the camera was turned; the picture must be rotated 90° to stand up).
    The left half is red and the right half blue, so the rotation can be seen."""
    image = Image.new("RGB", size, (220, 0, 0))
    image.paste((0, 0, 220), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[MODEL] = "Pocket 12"
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 28.0, 53.0), 3: "W", 4: (3.0, 10.0, 44.0), 5: 0, 6: 12.0})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def png(size=(40, 30), colour=(10, 120, 40), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG", **save)
    return out.getvalue()


def pdf_with(extra_catalog: bytes = b"", stream: bytes | None = None) -> bytes:
    """A small PDF whose catalogue carries `extra_catalog` (e.g. an /OpenAction), and, with
    `stream`, an extra object whose deflated stream holds those bytes (as object streams do)."""
    base = demo_pdf()
    if extra_catalog:
        catalog = b"<< /Type /Catalog /Pages 2 0 R"
        base = base.replace(catalog + b" >>", catalog + b" " + extra_catalog + b" >>")
    if stream is not None:
        packed = zlib.compress(stream)
        head = b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>" % len(packed)
        obj = b"6 0 obj\n" + head + b"\nstream\n"
        base = base.replace(b"xref\n", obj + packed + b"\nendstream\nendobj\nxref\n", 1)
    return base


def attach(reflection, name="poster.png", data: bytes | None = None):
    """An attachment stored on `reflection` through the service (the learner adds it)."""
    from portfolio import services

    status = reflection.status
    if not reflection.is_editable:  # frozen: put it on as a draft, then restore the state
        type(reflection).objects.filter(pk=reflection.pk).update(status="draft")
        reflection.refresh_from_db()
    upload = as_upload(name, data if data is not None else (demo_pdf() if name.endswith(".pdf") else png()))
    attachment = services.add_attachment(reflection, reflection.learner, upload, via="test")
    if status != reflection.status:
        type(reflection).objects.filter(pk=reflection.pk).update(status=status)
        reflection.refresh_from_db()
    attachment.reflection = reflection  # as it is now, not as it was while the file was added
    return attachment
