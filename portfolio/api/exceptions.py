"""Every API error is JSON: {"detail": ...} or DRF's field-error form. Never HTML, never a 500
for bad input. Django's own errors (ValidationError, PermissionDenied, Http404) raised by
services are mapped to their API meaning here, in one place."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .. import errors


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
    if isinstance(exc, errors.Conflict):
        exc = Conflict(exc.message)
    elif isinstance(exc, errors.Gone):
        exc = Gone(exc.message)
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


__all__ = ["Conflict", "Gone", "Response", "exception_handler"]
