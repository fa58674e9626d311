"""How an attachment's bytes are answered, at every door that serves them (the site's view and
the API's): the stored content type, never sniffed (`X-Content-Type-Options: nosniff`);
`Content-Disposition` built from the cleaned name as RFC 6266 says (an ASCII `filename=`
fallback and the exact name in `filename*=UTF-8''…`); images inline, PDFs as a download; a
sandboxing Content-Security-Policy, and no caching (it is personal data)."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from django.http import HttpResponse

from .models import Attachment

# A served file may run nothing and load nothing; an image may still be drawn on its own.
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _ascii_fallback(name: str) -> str:
    """`name` in printable ASCII for old clients: accents dropped, anything else `_`."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\%;' else "_" for ch in plain)
    return plain.strip() or "attachment"


def content_disposition(name: str, *, inline: bool) -> str:
    """`inline` or `attachment` with both forms of the file name (RFC 6266, RFC 8187)."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{_ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def file_response(attachment: Attachment, data: bytes) -> HttpResponse:
    """The bytes of `attachment` as an HTTP answer (the caller asked the policy)."""
    response = HttpResponse(data, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(attachment.filename, inline=attachment.is_image)
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
