"""Domain errors raised by services. The site shows them as messages; the API maps them in
`reflect.api.exceptions` (Conflict → 409, Gone → 410, Django's ValidationError → 400,
PermissionDenied → 403, Http404 → 404)."""

from django.core.exceptions import (
    PermissionDenied,  # noqa: F401  (re-exported for services)
    ValidationError,  # noqa: F401
)


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
