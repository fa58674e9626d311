"""Every API error is JSON: {"detail": ...} or DRF's field-error form. Never HTML, never a 500
for bad input. Django's own errors (ValidationError, PermissionDenied, Http404) raised by
services are mapped to their API meaning here, in one place, with the domain errors of
`reflect.errors` (NotFound → 404, Conflict → 409, Gone → 410)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from reflect import errors
from reflect.uploads import UploadTooLarge, in_words

from .parsers import PayloadTooLarge


class Conflict(exceptions.APIException):
    """409: the object changed since it was read, or its state forbids the change."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This object was changed by someone else; reload it and try again."
    default_code = "conflict"


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This link has already been used or has expired."
    default_code = "gone"


def exception_handler(exc, context):
    if isinstance(exc, errors.NotFound):
        # The same body as for an id that does not exist at all: out of scope is "not found".
        exc = exceptions.NotFound()
    elif isinstance(exc, errors.Conflict):
        exc = Conflict(exc.message)
    elif isinstance(exc, errors.Gone):
        exc = Gone(exc.message)
    elif isinstance(exc, UploadTooLarge):
        exc = PayloadTooLarge(exc.message)
    elif isinstance(exc, RequestDataTooBig):  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE, read by DRF
        limit = in_words(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
        exc = PayloadTooLarge(f"The request body is too large: it can be at most {limit}.")
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(str(exc))
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"detail": " ".join(exc.messages)})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(response.data, list):
        response.data = {"detail": " ".join(str(item) for item in response.data)}
    elif isinstance(response.data, dict) and response.status_code == 400 and "detail" in response.data:
        detail = response.data["detail"]
        if isinstance(detail, list) and len(detail) == 1:
            response.data["detail"] = detail[0]
    return response


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout answer (`AXES_LOCKOUT_CALLABLE`): JSON `{"detail"}` for the API,
    the `registration/locked_out.html` page for the site; 429 with `Retry-After` either way.

    Axes counts failures of every `authenticate(request, ...)` call, the site's sign-in form
    and `POST /api/v1/auth/token/` alike; while locked out even the right password is refused.
    """
    from axes.conf import settings as axes_settings
    from axes.helpers import get_cool_off, get_failure_limit
    from django.shortcuts import render

    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else None
    minutes = max(1, round(seconds / 60)) if seconds else None
    status_code = axes_settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        wait = f" Try again in {minutes} minutes." if minutes else ""
        response = json_error(
            request,
            status_code,
            f"Too many failed sign-in attempts: this account is locked for now.{wait}",
        )
    else:
        context = {"failure_limit": get_failure_limit(request, credentials), "cooloff_minutes": minutes}
        response = render(request, axes_settings.AXES_LOCKOUT_TEMPLATE, context, status=status_code)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response


def json_error(request, status_code: int, detail: str):
    return JsonResponse({"detail": detail}, status=status_code)


def api_404(request, exception=None):
    return json_error(request, 404, "Not found.")


def api_500(request):
    return json_error(request, 500, "Server error. The problem has been logged.")


def api_400(request, exception=None):
    return json_error(request, 400, "Bad request.")


def api_403(request, exception=None):
    return json_error(request, 403, "You do not have permission to perform this action.")


__all__ = ["Conflict", "Gone", "PayloadTooLarge", "Response", "exception_handler"]
