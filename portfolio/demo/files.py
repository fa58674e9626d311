"""Files the demo data attaches to reflections, made here (no binary files in the repository):
a photo-like PNG drawn with Pillow and a one-page PDF certificate written by hand."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw


def demo_png(label: str = "Food bank display", size=(480, 320)) -> bytes:
    """A small picture of a display board (a PNG)."""
    image = Image.new("RGB", size, (233, 242, 236))
    draw = ImageDraw.Draw(image)
    width, height = size
    draw.rectangle((20, 20, width - 20, height - 20), outline=(11, 92, 138), width=6)
    for row, colour in enumerate(((214, 69, 65), (241, 196, 15), (39, 174, 96), (52, 152, 219))):
        top = 60 + row * 50
        draw.rectangle((50, top, width - 50, top + 30), fill=colour)
    draw.text((50, height - 50), label, fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def demo_pdf(lines=("Certificate of attendance", "Community health volunteering day")) -> bytes:
    """A valid one-page PDF (A4) with a few lines of text in Helvetica, with its xref table."""
    text = ["BT", "/F1 20 Tf", "72 760 Td"]
    for n, line in enumerate(lines):
        if n:
            text.append("0 -32 Td")
        text.append(f"{_pdf_string(line)} Tj")
    text.append("ET")
    content = "\n".join(text).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def as_upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """Bytes as an uploaded file, as a door would hand them to the service."""
    return SimpleUploadedFile(name, data, content_type=content_type)
