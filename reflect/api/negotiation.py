"""Content negotiation that refuses a `?format=` the view cannot answer in (400), instead of
DRF's silent fallback (an empty `format=` was ignored) or its 404 (`format=xml`).

`format` selects one of the view's renderers, as in DRF: `json` everywhere, `pdf` for the ARCP
pack, `zip` for subject access. Anything else is bad input, as the schema says.
"""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation

_REFUSED = "_reflect_refused_format"


class StrictContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        name = self.settings.URL_FORMAT_OVERRIDE
        if not format_suffix and name and name in request.query_params:
            value = request.query_params[name]
            formats = [renderer.format for renderer in renderers]
            if value not in formats:
                json = next((r for r in renderers if r.format == "json"), None)
                if getattr(request, _REFUSED, False) and json is not None:
                    # DRF asks again (forced) to render the error: answer it in JSON.
                    return json, json.media_type
                setattr(request, _REFUSED, True)
                message = f"Unknown format {value[:40]!r}: use one of {', '.join(formats)}."
                raise ValidationError({name: [message]})
        return super().select_renderer(request, renderers, format_suffix)
