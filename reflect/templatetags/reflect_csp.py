"""`{% load reflect_csp %}`: start an admin widget without an inline script.

Wagtail's admin starts a few widgets with an inline `<script>` (date pickers, inline panels,
choosers), which the admin's Content-Security-Policy refuses. Our overrides of those templates
(reflect/templates/wagtailadmin/) write the same call as data instead:

    {% csp_init "initDateChooser" widget.attrs.id widget.config_json|json_value %}
    → <script type="application/json" data-reflect-call="initDateChooser">["id_x", {...}]</script>

A data block is never executed; reflect/static/reflect/js/admin-csp.js makes the call (only
for the functions it knows), for the page as loaded and for forms added later.
"""

from __future__ import annotations

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# As django.utils.html.json_script: nothing in the data can close the element.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def json_value(text: str):
    """A JSON text (such as Wagtail's `config_json`, `options_json`) as the value it encodes."""
    return json.loads(text)


@register.simple_tag
def csp_init(name: str, *args, new: bool = False):
    """`name(*args)` (or `new name(*args)`) as a data block for admin-csp.js."""
    data = json.dumps(list(args), cls=DjangoJSONEncoder).translate(_ESCAPES)
    return format_html(
        '<script type="application/json" data-reflect-{}="{}">{}</script>',
        "new" if new else "call",
        name,
        mark_safe(data),
    )
