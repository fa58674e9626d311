"""Request parsers of the API, with limits (issue #13).

- `JSONParser`: DRF's, but the body is read only up to `DATA_UPLOAD_MAX_MEMORY_SIZE` (Django's
  limit for request bodies; 413 above, unread when `Content-Length` says so) and parsed by
  `reflect.safejson`: nesting deeper than `API_JSON_MAX_DEPTH`, numbers too large for a
  float, NaN and Infinity are a 400 with the reason. Deeply nested JSON used to be a 500
  (RecursionError) on every endpoint, `auth/token/` without signing in included.
- `FormParser`: DRF's, read within the same size limit (DRF's reads the whole body).
- `MultiPartParser`: DRF's, but an upload over its limit (`reflect.uploads`) is a 413 that
  names the limit, not a 400 "parse error".
"""

from __future__ import annotations

from django.conf import settings
from django.http import QueryDict
from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError

from reflect import safejson
from reflect.uploads import UploadTooLarge, in_words


class PayloadTooLarge(APIException):
    """413: an upload or a request body over its limit. (Defined here, not in `.exceptions`,
    which imports DRF's views, which import the parsers named in the settings.)"""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request is too large."
    default_code = "too_large"


def max_body_bytes() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440)


def max_json_depth() -> int:
    return int(getattr(settings, "API_JSON_MAX_DEPTH", safejson.DEFAULT_MAX_DEPTH))


def read_within_limit(stream, parser_context) -> bytes:
    """The request body, or 413 if it is over `max_body_bytes()` (unread if it says so)."""
    limit = max_body_bytes()
    request = (parser_context or {}).get("request")
    try:
        declared = int(getattr(request, "META", {}).get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    body = b"" if stream is None or declared > limit else stream.read(limit + 1)
    if declared > limit or len(body) > limit:
        raise PayloadTooLarge(f"The request body is too large: it can be at most {in_words(limit)}.")
    return body


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = read_within_limit(stream, parser_context)
        encoding = parsers.get_encoding(parser_context or {})
        try:
            return safejson.loads(body.decode(encoding), max_depth=max_json_depth())
        except UnicodeDecodeError as error:
            raise ParseError(f"JSON parse error - the body is not {encoding} text.") from error
        except safejson.JSONError as error:
            raise ParseError(f"JSON parse error - {error}") from error


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        body = read_within_limit(stream, parser_context)
        return QueryDict(body, encoding=parsers.get_encoding(parser_context or {}))


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError as error:
            # DRF turns every MultiPartParserError into a 400; ours says the limit.
            cause = error.__context__
            if isinstance(cause, UploadTooLarge):
                raise PayloadTooLarge(cause.message) from cause
            raise
