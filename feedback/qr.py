"""QR codes of feedback links, for in-person use (the tutor shows the screen, the person
scans it with their phone). Drawn as inline SVG, so nothing is fetched or stored."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.utils.html import escape
from django.utils.safestring import mark_safe


def svg(url: str, *, label: str) -> str:
    """An inline ``<svg>`` of `url`, with `role="img"` and an accessible name `label`."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    markup = image.to_string(encoding="unicode")
    # The SVG is made by qrcode from our own URL (no user markup in it); the label is escaped.
    return mark_safe(
        markup.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" class="qr-code" ', 1)
    )
