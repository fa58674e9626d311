"""What an attached file is, judged by its bytes (never by its name or the browser's type),
and the bytes that are kept: the checks behind `portfolio.services.attachments`.

- PNG and JPEG: the signature, then Pillow opens, verifies and decodes the whole image (a
  truncated one is refused); over `ATTACHMENT_MAX_PIXELS` is refused before decoding. The
  image kept is re-encoded from its pixels after its EXIF orientation is applied, so nothing
  of the original's metadata survives: no EXIF (GPS, camera, times), XMP, IPTC or text
  chunks. An ICC colour profile is converted away (the pixels go to sRGB) and dropped too,
  as it can carry text of its own.
- PDF: the header at the start, `%%EOF` at the end, no encryption (it could not be checked),
  and no active content: a byte-level scan (no PDF library at run time) for the names
  /JavaScript, /JS, /Launch, /RichMedia and /XFA, with `#xx` escapes in names decoded, in
  the file and inside every stream that inflates (object streams hide dictionaries there).
  An /OpenAction or /AA that points at JavaScript is caught by the /JS it needs.
- The name: Unicode-normalised; path separators and control or format characters
  (bidirectional overrides included) are refused, as is an empty or over-long name. The
  extension is made to match the content (a PNG called "scan.pdf" is kept as "scan.png").

Every refusal is a `ValidationError` on the field "file" with a message for the person.
"""

from __future__ import annotations

import io
import re
import threading
import unicodedata
import warnings
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

from reflect.uploads import in_words

from ..models import ATTACHMENT_NAME_MAX, Attachment

MAX_BYTES_DEFAULT = 10 * 1024 * 1024  # api-contract.md v1.1
MAX_PIXELS_DEFAULT = 50_000_000  # a 50-megapixel photo; larger is refused before decoding
PDF_MAX_INFLATED = 64 * 1024 * 1024  # inflating streams to scan them stops here (zip bombs)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PDF_SIGNATURE = b"%PDF-"
ACTIVE_PDF_NAMES = frozenset({b"JavaScript", b"JS", b"Launch", b"RichMedia", b"XFA"})
EXTENSIONS = {
    Attachment.ContentType.PDF: (".pdf",),
    Attachment.ContentType.PNG: (".png",),
    Attachment.ContentType.JPEG: (".jpg", ".jpeg", ".jpe"),
}
KNOWN_TYPES = "PDF, PNG or JPEG"


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check: what to store and what to call it."""

    filename: str
    content_type: str
    data: bytes


def refuse(message: str):
    return ValidationError({"file": [message]})


def max_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", MAX_BYTES_DEFAULT))


def max_pixels() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_PIXELS", MAX_PIXELS_DEFAULT))


# --- The name ------------------------------------------------------------------------------
def clean_filename(name) -> str:
    """The name to show and to download the file as, or `ValidationError`."""
    name = unicodedata.normalize("NFC", str(name or "")).strip()
    if not name or name in (".", ".."):
        raise refuse("The file has no name. Give it a name (for example poster.pdf) and try again.")
    if "/" in name or "\\" in name:
        raise refuse("The file's name holds a / or \\. Rename the file without them and try again.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise refuse(
            "The file's name holds invisible control characters. Rename the file using letters, "
            "numbers, spaces and punctuation, and try again."
        )
    if len(name) > ATTACHMENT_NAME_MAX - 5:  # room for an extension to be put right
        raise refuse(f"The file's name is too long: use at most {ATTACHMENT_NAME_MAX - 5} characters.")
    return name


def with_extension(name: str, content_type: str) -> str:
    """`name` with the extension its content calls for (a known wrong one replaced)."""
    wanted = EXTENSIONS[content_type]
    stem, dot, ext = name.rpartition(".")
    ext = f".{ext.lower()}" if dot else ""
    if ext in wanted:
        return name
    if dot and stem and ext in {e for exts in EXTENSIONS.values() for e in exts}:
        return stem + wanted[0]
    return name + wanted[0]


# --- The content ---------------------------------------------------------------------------
def sniff(head: bytes) -> str | None:
    """The content type the first bytes announce (PDF, PNG, JPEG), or None."""
    if head.startswith(PNG_SIGNATURE):
        return Attachment.ContentType.PNG
    if head.startswith(JPEG_SIGNATURE):
        return Attachment.ContentType.JPEG
    if head.startswith(PDF_SIGNATURE):
        return Attachment.ContentType.PDF
    return None


_NAME = re.compile(rb"/([^\s/<>\[\]()%{}\x00]+)")
_STREAM = re.compile(rb"stream\r?\n")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _names(data: bytes) -> set[bytes]:
    """Every PDF name in `data`, `#xx` escapes decoded (/J#61vaScript is /JavaScript)."""
    return {_HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), n) for n in _NAME.findall(data)}


def _inflated_streams(data: bytes):
    """The inflated bytes of each stream that inflates (zlib), within `PDF_MAX_INFLATED` in all."""
    budget = PDF_MAX_INFLATED
    for match in _STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            break
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(data[start:end], budget + 1)
        except zlib.error:
            continue  # not deflated (images, fonts in other filters): nothing to read
        budget -= len(out)
        if budget < 0:
            raise refuse("This PDF is too complex to check. Save it again (print to PDF) and try again.")
        yield out


def check_pdf(data: bytes) -> None:
    """Refuse a PDF that is truncated, encrypted or carries active content (see module doc)."""
    if b"%%EOF" not in data[-1024:]:
        raise refuse("This PDF is incomplete (it may not have finished uploading). Try again.")
    names = _names(data)
    if b"Encrypt" in names:
        raise refuse("This PDF is protected with a password or encrypted. Attach a copy without protection.")
    for inflated in _inflated_streams(data):
        names |= _names(inflated)
    active = names & ACTIVE_PDF_NAMES
    if active:
        raise refuse(
            "This PDF contains scripts or actions (" + ", ".join(sorted(n.decode() for n in active)) + "), "
            "which are not allowed. Save it again without them (for example, print it to PDF)."
        )


def _to_srgb(image: Image.Image) -> Image.Image:
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        return ImageCms.profileToProfile(
            image, io.BytesIO(icc), ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: keep the pixels as they are


_strict_lock = threading.Lock()
_strict_users = 0
_saved_truncated = False


@contextmanager
def _strict_decoding():
    """Pillow refuses truncated images while we decode. WeasyPrint sets Pillow's global
    `ImageFile.LOAD_TRUNCATED_IMAGES = True` when it is imported (to draw what it can), which
    would let a cut-off upload through; the flag is turned off while any check runs and put
    back after the last one. (WeasyPrint only ever draws our own re-encoded images and static
    files, so briefly strict decoding cannot hurt a pack.)"""
    global _strict_users, _saved_truncated
    with _strict_lock:
        if _strict_users == 0:
            _saved_truncated = ImageFile.LOAD_TRUNCATED_IMAGES
            ImageFile.LOAD_TRUNCATED_IMAGES = False
        _strict_users += 1
    try:
        yield
    finally:
        with _strict_lock:
            _strict_users -= 1
            if _strict_users == 0:
                ImageFile.LOAD_TRUNCATED_IMAGES = _saved_truncated


def reencode_image(data: bytes, content_type: str) -> bytes:
    """The image's pixels, upright and re-encoded without any metadata, or `ValidationError`."""
    kind = "PNG" if content_type == Attachment.ContentType.PNG else "JPEG"
    unreadable = refuse(f"This {kind} image could not be read: it may be damaged or incomplete.")
    try:
        with warnings.catch_warnings(), _strict_decoding():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ({"PNG"} if kind == "PNG" else {"JPEG", "MPO"}):
                raise unreadable
            width, height = probe.size
            if width * height > max_pixels():
                raise refuse(f"This image is too large ({width} × {height} pixels). Make it smaller.")
            probe.verify()  # structure and checksums
            image = Image.open(io.BytesIO(data))
            image.load()  # every pixel: a truncated image fails here
            upright = ImageOps.exif_transpose(image)
            upright = _to_srgb(upright)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse("This image is too large to open safely. Make it smaller and try again.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise unreadable from None
    if kind == "JPEG":
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
    elif upright.mode == "P":
        upright = upright.convert("RGBA" if "transparency" in upright.info else "RGB")
    elif upright.mode not in ("1", "L", "LA", "RGB", "RGBA", "I;16"):
        upright = upright.convert("RGBA")
    # A fresh image of the pixels alone: nothing of `info` (EXIF, XMP, ICC, text) is carried over.
    clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    out = io.BytesIO()
    if kind == "JPEG":
        clean.save(out, "JPEG", quality=90, optimize=True)
    else:
        clean.save(out, "PNG", optimize=True)
    return out.getvalue()


def check_file(upload) -> CheckedFile:
    """Read an uploaded file (a Django `UploadedFile`, or anything with `name`, `size` and
    `read`), judge it by its content and return what to store.

    Raises:
        ValidationError: {"file": [message]} for an empty, oversized, unknown, damaged or
            active file, or a bad name.
    """
    if upload is None:
        raise refuse(f"Choose a file to attach ({KNOWN_TYPES}).")
    filename = clean_filename(getattr(upload, "name", ""))
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise refuse(f"The file is too large: it can be at most {in_words(limit)}.")
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise refuse(f"The file is too large: it can be at most {in_words(limit)}.")
    if not data:
        raise refuse("The file is empty.")
    content_type = sniff(data[:16])
    if content_type is None:
        raise refuse(
            f"Only {KNOWN_TYPES} files can be attached, and this file is none of them "
            "(whatever its name says)."
        )
    if content_type == Attachment.ContentType.PDF:
        check_pdf(data)
    else:
        data = reencode_image(data, content_type)
    return CheckedFile(with_extension(filename, content_type), content_type, data)
