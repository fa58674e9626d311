"""Domain errors raised by services and policies, mapped once at each edge:

- the API: `reflect.api.exceptions.exception_handler` (NotFound → 404, Conflict → 409,
  Gone → 410, ValidationError → 400, PermissionDenied → 403);
- the site: `reflect.middleware.DomainErrorMiddleware` (NotFound → the 404 page,
  PermissionDenied → Django's 403 page; Conflict and ValidationError are turned into
  messages and form errors by the views that expect them).

Services never raise `Http404` and never take a request.
"""

from django.core.exceptions import (
    PermissionDenied,  # noqa: F401  (re-exported for services)
    ValidationError,  # noqa: F401
)


class NotFound(LookupError):
    """The object does not exist, or lies outside the caller's scope: the same answer for
    both, everywhere (404)."""

    def __init__(self, message: str = "Not found."):
        self.message = message
        super().__init__(message)


class Conflict(Exception):
    """The object changed since it was read, or its state forbids the change (409)."""

    default_message = "This was changed by someone else; reload it and try again."

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)


class StaleVersion(Conflict):
    default_message = (
        "Someone else saved this since you opened it. Your changes were not saved: reload to see "
        "the latest version, then make your changes again."
    )


class Gone(Exception):
    """A one-time link that was used or has expired (410)."""

    def __init__(self, message: str = "This link has already been used or has expired."):
        self.message = message
        super().__init__(message)
