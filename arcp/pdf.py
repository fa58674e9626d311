"""Render an evidence snapshot to a tagged, archival PDF with WeasyPrint.

- Templates: ``arcp/pdf/arcp_pack.html`` and the print stylesheet ``arcp/pdf/arcp.css``
  (``@page`` rules: running header with the learner's name, "Page N of M").
- Output: PDF/A-3a (``pdf_variant="pdf/a-3a"``): archival *and* tagged (WeasyPrint turns tags on
  for the "a" conformance level), with every font embedded (DejaVu, from the system's
  fonts-dejavu-core through fontconfig, never a web font); and PDF/UA-1 on top of it, added
  by a finisher (`arcp.pdf_ua`: the claim, running headers and footers as artifacts).
- Fetching: `ProjectFilesFetcher` serves only the project's own static files (through the
  staticfiles finders) and files under MEDIA_ROOT; any other URL (http, https elsewhere, file,
  data, ftp ...) is refused with an exception, so HTML written by a learner can never make the
  server open a connection.
- Reflection bodies are sanitised when written (``portfolio.sanitize``) and sanitised again
  here before they are marked safe (defence in depth).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import hashlib
import mimetypes
import posixpath
import re
import secrets
import uuid
import zlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import get_template, render_to_string
from django.utils import dateformat, timezone
from django.utils._os import safe_join
from django.utils.html import escape
from django.utils.safestring import mark_safe

from reflect.sanitize import sanitize_html

from . import pdf_ua
from .evidence import LATE_DAYS

PDF_VARIANT = "pdf/a-3a"
INTERNAL_HOST = "arcp-pack.invalid"  # RFC 2606: can never resolve
BASE_URL = f"https://{INTERNAL_HOST}/"


class RefusedURL(ValueError):
    """The renderer asked for a URL outside the project's own static and media files."""


def _resolve_local(url: str) -> Path:
    """Map an internal URL to a file of ours, or raise `RefusedURL`."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.netloc != INTERNAL_HOST or parts.username or parts.port:
        raise RefusedURL(f"Refused to fetch {url!r}: only the project's static and media files.")
    path = unquote(parts.path)
    if "\x00" in path or "\\" in path:
        raise RefusedURL(f"Refused to fetch {url!r}.")
    for prefix, kind in ((settings.STATIC_URL, "static"), (settings.MEDIA_URL, "media")):
        prefix = "/" + prefix.strip("/") + "/"
        if not path.startswith(prefix):
            continue
        relative = posixpath.normpath(path[len(prefix) :])
        if relative in ("", ".") or relative.startswith(("/", "..")):
            raise RefusedURL(f"Refused to fetch {url!r}: path outside {kind} files.")
        if kind == "static":
            found = finders.find(relative)
            if not found:
                raise RefusedURL(f"No static file {relative!r}.")
            return Path(found if isinstance(found, str) else found[0])
        try:
            target = Path(safe_join(str(settings.MEDIA_ROOT), relative))
        except SuspiciousFileOperation as exc:
            raise RefusedURL(f"Refused to fetch {url!r}: outside MEDIA_ROOT.") from exc
        if not target.is_file():
            raise RefusedURL(f"No media file {relative!r}.")
        return target
    raise RefusedURL(f"Refused to fetch {url!r}: only the project's static and media files.")


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ProjectFilesFetcher(URLFetcher):
        """WeasyPrint URL fetcher that serves only our static and media files."""

        def __init__(self, attachments=()):
            super().__init__(allowed_protocols=("https",), allow_redirects=False, fail_on_errors=False)
            self.refused: list[str] = []
            # The pack's attachments (already in the reader's scope), by their internal URL.
            self.attachments = {attachment_src(a): a for a in attachments}

        def fetch(self, url, headers=None):
            if url in self.attachments:
                attachment = self.attachments[url]
                with attachment.file.open("rb") as handle:
                    body = handle.read()
                return URLFetcherResponse(url, body=body, headers={"Content-Type": attachment.content_type})
            try:
                path = _resolve_local(url)
            except RefusedURL:
                self.refused.append(url)
                raise
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return ProjectFilesFetcher


def make_fetcher(attachments=()):
    """A fresh `ProjectFilesFetcher` (it records the URLs it refused, in `.refused`), which also
    serves the images among `attachments` (the snapshot's, so in its reader's scope)."""
    return _fetcher_class()(attachments)


def attachment_src(attachment) -> str:
    """Internal URL of an attached image in the print HTML (its SHA-256 in it, so the
    evidence digest changes with the file)."""
    return f"{BASE_URL}attachments/{attachment.pk}/{attachment.sha256}"


def pack_images(snapshot) -> list:
    return [a for item in snapshot.reflections for a in item.attachments if a.is_image]


def static_url(relative: str) -> str:
    """Internal URL of a static file for use inside the print templates."""
    return BASE_URL + settings.STATIC_URL.strip("/") + "/" + relative.lstrip("/")


# --- Pieces of markup built in Python ------------------------------------------------------
# Presentation attributes, not classes: WeasyPrint's SVG renderer does not apply the page CSS.
TEXT = 'font-family="DejaVu Sans" font-size="12" fill="#1b1f24"'


def theme_chart_svg(coverage: list[dict], width: int = 720) -> str:
    """Horizontal bar chart (inline SVG, no script) of reflections per theme.

    Every bar carries its number as text, so the chart does not depend on colour."""
    row_h, label_w, gap = 26, 330, 6
    bar_max = width - label_w - 60
    top = max((c["count"] for c in coverage), default=0) or 1
    height = row_h * len(coverage) + 8
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="theme-chart-title">',
        '<title id="theme-chart-title">Reflections per social-accountability theme</title>',
    ]
    for i, item in enumerate(coverage):
        y = 4 + i * row_h
        bar = round(bar_max * item["count"] / top) if item["count"] else 0
        box = f'x="{label_w}" y="{y + gap / 2:.0f}" height="{row_h - gap}"'
        text_y = f"{y + row_h / 2 + 4:.0f}"
        out.append(
            f'<text x="{label_w - 8}" y="{text_y}" text-anchor="end" {TEXT}>{escape(item["title"])}</text>'
        )
        out.append(f'<rect {box} width="{bar_max}" fill="#eef1f4"/>')
        if bar:
            out.append(f'<rect {box} width="{bar}" fill="#0b5c8a"/>')
        label = str(item["count"]) if item["count"] else "0 (none)"
        out.append(f'<text x="{label_w + bar + 6}" y="{text_y}" {TEXT}>{escape(label)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text node above is escaped


def safe_body(html: str) -> str:
    """Reflection HTML, sanitised again at render time, then marked safe for the template."""
    return mark_safe(sanitize_html(html))  # noqa: S308 - sanitised on the line itself


# --- Rendering -----------------------------------------------------------------------------
MADE_AT_FORMAT = "j F Y, H:i"
# What a pack prints that is not evidence: its id and the time it was made.
_DIGEST_ID = uuid.UUID(int=0)
_DIGEST_TIME = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _made_at_text(value: datetime.datetime) -> str:
    return dateformat.format(timezone.localtime(value), MADE_AT_FORMAT)


class PackHTML:
    """The print HTML of a snapshot, rendered once, with the two things that are not evidence
    (the export id and the time the pack was made) left as placeholders.

    `digest` hashes it with a fixed id and time; `html(export_id)` fills in the real ones.
    One template render serves both (the digest used to render the whole pack a second time).
    The placeholders are random per render, so no text of a learner's can imitate them."""

    def __init__(self, snapshot):
        token = secrets.token_hex(16)
        self._id_token, self._time_token = f"arcp-id-{token}", f"arcp-made-{token}"
        self.made_at = snapshot.made_at
        self.reflections = len(snapshot.reflections)
        for item in snapshot.reflections:
            item.safe_body = safe_body(item.body_html)
            for attachment in item.attachments:
                attachment.pack_src = attachment_src(attachment)
            item.attached_pdfs = [a for a in item.attachments if not a.is_image]
        # The attached images the fetcher may serve (the snapshot's, so in its reader's scope).
        self.images = pack_images(snapshot)
        context = {
            "s": snapshot,
            "summary": snapshot.summary,
            "export_id": self._id_token,
            "made_at": self._time_token,
            "late_days": LATE_DAYS,
            "theme_chart": theme_chart_svg(snapshot.summary["theme_coverage"]),
        }
        self._text = render_to_string("arcp/pdf/arcp_pack.html", context)

    def html(self, export_id, made_at: datetime.datetime | None = None) -> str:
        made_at = self.made_at if made_at is None else made_at
        return self._text.replace(self._id_token, escape(str(export_id))).replace(
            self._time_token, escape(_made_at_text(made_at))
        )

    @property
    def digest(self) -> str:
        """SHA-256 of the pack's print HTML with a fixed id and time: equal digests print the
        same evidence for the same reader, so the earlier pack may be given back
        (`services.build_pack`)."""
        return hashlib.sha256(self.html(_DIGEST_ID, _DIGEST_TIME).encode()).hexdigest()


def render_html(snapshot, export_id) -> str:
    """The print HTML of a snapshot (the same HTML the benchmark renders on its own)."""
    return PackHTML(snapshot).html(export_id)


def stylesheet_source() -> str:
    return get_template("arcp/pdf/arcp.css").template.source


@functools.cache
def _pack_stylesheet():
    """The pack's print stylesheet, parsed once per process (WeasyPrint's parse of it is a
    fixed cost of every export). It fetches nothing: if it ever does (``url()``), only through
    a fresh restricted fetcher, here."""
    from weasyprint import CSS

    return CSS(string=stylesheet_source(), base_url=BASE_URL, url_fetcher=make_fetcher())


@functools.cache
def _pack_html_class():
    """`weasyprint.HTML` with a leaner user-agent stylesheet (built once per process).

    WeasyPrint's default UA sheet has universal pseudo-element rules (``::marker`` and the
    five ``::footnote-*``/``::note-*`` ones) that match *every* element, so the cascade keeps six
    extra computed styles per element: for a 200-reflection pack that is ~300k style objects
    and ~250 MB of the peak. The pack uses no footnotes or notes and markers only on ``li``, so
    those rules go (``::marker`` becomes ``li::marker``); everything else is the stock sheet.
    (Overrides ``HTML._ua_stylesheets``, an internal hook of WeasyPrint 70: re-check on upgrade.)
    """
    from weasyprint import CSS, HTML
    from weasyprint.css.counters import CounterStyle
    from weasyprint.html import UA, UA_FORM_STYLESHEET

    _memoise_page_references()
    _flate_at_level()
    lean = re.sub(r"^::(?:footnote|note)-[a-z]+ \{[^}]*\}\n", "", UA, flags=re.M)
    lean = lean.replace("\n::marker {", "\nli::marker {")
    if "::footnote-call" in lean or "li::marker" not in lean:  # the stock sheet changed shape
        return HTML
    # Each document takes its counter styles from `HTML._ua_counter_style` (a copy of
    # UA_COUNTER_STYLE, which the stock sheet filled at import), so this sheet's @counter-style
    # rules go into a registry of their own: parsed into UA_COUNTER_STYLE again, "decimal" and
    # "disc" were refused as redefinitions, with a warning each in every process's log.
    lean_sheet = CSS(string=lean, counter_style=CounterStyle())

    class LeanHTML(HTML):
        def _ua_stylesheets(self, forms=False):
            return [lean_sheet, UA_FORM_STYLESHEET] if forms else [lean_sheet]

    return LeanHTML


def _memoise_page_references() -> None:
    """pydyf's ``PDF.page_references`` builds a new tuple of every page's reference on each
    read, and WeasyPrint's tagging reads it once per tagged box (``/Pg``): quadratic in pages
    (≈9k reads × 60 pages at 50 reflections, ≈40k × 240 at 200). The same tuple, rebuilt only
    when a page is added, gives the same bytes. (pydyf 0.11 internals: re-check on upgrade;
    if the property is not there, nothing changes.)"""
    import pydyf

    stock = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(stock, property) or getattr(stock.fget, "memoised", False):
        return

    def page_references(self):
        count = len(self.pages["Kids"])
        cached = self.__dict__.get("_page_references_memo")
        if cached is None or cached[0] != count:
            cached = self._page_references_memo = (count, stock.fget(self))
        return cached[1]

    page_references.memoised = True
    pydyf.PDF.page_references = property(page_references)


# zlib level of the PDF's streams: pydyf compresses every one at level 9, which costs about a
# tenth of WeasyPrint's time at 50 reflections; level 6 (zlib's own default) makes the same
# pack about 4 % larger (279 → 290 KB) and is read the same.
FLATE_LEVEL = 6


class _PydyfZlib:
    """`zlib` as pydyf sees it: ``compressobj`` at `FLATE_LEVEL` whatever level pydyf asks for."""

    def __getattr__(self, name):
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level=FLATE_LEVEL, *args, **kwargs):
        return zlib.compressobj(FLATE_LEVEL, *args, **kwargs)


def _flate_at_level() -> None:
    """Point pydyf's ``zlib`` at `_PydyfZlib` (pydyf 0.13 calls ``zlib.compressobj(level=9)``
    in ``Stream.data``: re-check on upgrade; if pydyf stops importing zlib, nothing changes)."""
    import pydyf

    if getattr(pydyf, "zlib", None) is zlib:
        pydyf.zlib = _PydyfZlib()


@contextlib.contextmanager
def _collector_paused():
    """The cyclic garbage collector off while WeasyPrint renders and writes one pack.

    A pack allocates millions of objects that live until the PDF is written (boxes, styles,
    PDF objects), so the collector's passes over them, each over the whole heap, find almost
    nothing. Paused, the render of 50 reflections costs about 8 % less CPU, counting the one
    collection of what the render left (≈73k objects in cycles, ≈50 ms) when it is switched
    back on; peak RSS at 200 reflections 310 → 317 MB.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(0)  # everything made while paused is in the youngest generation


def _release_layout(document, _pdf) -> None:
    """WeasyPrint finisher: let the laid-out pages go before the PDF is serialised.

    By the time a finisher runs, every page is drawn into its content stream and the tag tree is
    built, so what is left (``pdf.write``) reads only the PDF objects. The page boxes and the
    parsed HTML are the largest thing in memory (about 150 MB of a 200-reflection pack) and
    were otherwise kept until the bytes were out, on top of the serialisation's own peak.
    (``Page._page_box`` and ``Document._html`` are WeasyPrint 70 internals: re-check on upgrade;
    if they are gone this does nothing.)
    """
    for page in document.pages:
        if hasattr(page, "_page_box"):
            page._page_box = None
        page.links = []
    if hasattr(document, "_html"):
        document._html = None


def html_to_pdf(html: str, fetcher=None) -> bytes:
    """Render print HTML to PDF/A-3a bytes with our stylesheet and the restricted fetcher."""
    fetcher = fetcher or make_fetcher()
    html_class = _pack_html_class()
    css = _pack_stylesheet()
    options = {"pdf_variant": PDF_VARIANT, "pdf_tags": True}
    # Render, then write, holding no reference to the parsed HTML, so that the finisher can
    # free the layout before serialisation.
    with _collector_paused():
        rendering = html_class(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
            stylesheets=[css], **options
        )
        data = rendering.write_pdf(finisher=_finish, **options)
        del rendering  # before the collection, so that it frees the layout's cycles too
    return data


def _finish(document, pdf) -> None:
    """WeasyPrint finisher: the PDF/UA-1 claim, running headers and footers as artifacts
    (`arcp.pdf_ua`), then the layout is let go before serialisation."""
    pdf_ua.claim_pdf_ua(document, pdf)
    pdf_ua.mark_margins_as_artifacts(document, pdf)
    _release_layout(document, pdf)


def evidence_digest(snapshot) -> str:
    """The evidence digest of a snapshot (see `PackHTML.digest`)."""
    return PackHTML(snapshot).digest


def render_pack(pack_html: PackHTML, export_id) -> bytes:
    """Print HTML → PDF bytes. The caller passes the `PackHTML` in without keeping the
    snapshot (which `PackHTML` does not hold), so that the snapshot is let go before the layout.

    Its ORM objects refer to each other (prefetch caches), so they wait for the collector's
    next full pass. A full `gc.collect()` here freed them before the layout (≈12 MB at 200
    reflections) but cost 80 ms with Django and WeasyPrint loaded, 3 % of a 50-reflection
    export; the 200-reflection peak stays far under its 600 MB goal without it."""
    html = pack_html.html(export_id)
    fetcher = make_fetcher(pack_html.images)
    del pack_html
    return html_to_pdf(html, fetcher)
