"""Uploads with a size limit, read in chunks (issue #13, item 1): the one helper for every door
that takes a file. A request over the limit is refused before its body is read (by its
`Content-Length`), and a body that lies about its length, or declares none, is cut off as
soon as the files in it pass the limit, while it streams in. Nothing is held in memory whole:
files stay in Django's upload handlers (memory up to `FILE_UPLOAD_MAX_MEMORY_SIZE`, a
temporary file above) and are hashed chunk by chunk (`sha256_of`).

Doors and their limits (settings, bytes; see `config/settings/base.py`):

- ARCP "verify a pack", site and API: `ARCP_VERIFY_MAX_BYTES`
- CSV import of members and allocations (admin): `CSV_IMPORT_MAX_BYTES`
- rubric JSON import (admin): `RUBRIC_IMPORT_MAX_BYTES`
- reflection attachments (issue 16; the contract says at most 10 MB): `ATTACHMENT_MAX_BYTES`

How to use it:

- a function view: ``@limit_upload(setting_limit("X_MAX_BYTES", default), refused=render_it)``;
- a class-based form view: mix in `LimitedUploadMixin` and set `upload_limit`;
- a DRF view: mix in `reflect.api.uploads.UploadLimitMixin` and set `upload_limits` per action
  (413 with ``{"detail"}``), with `reflect.api.parsers.MultiPartParser` as its parser.

Why the CSRF dance: Django's CSRF middleware reads `request.POST` (so the whole upload) before
the view runs. As Django's documentation on upload handlers advises, the limited views are
CSRF-exempt on the outside and check CSRF themselves once the limit is in place.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt, csrf_protect

# What a multipart body holds besides its files: boundaries, part headers, the CSRF token and
# the other fields of the form (those are limited apart, by DATA_UPLOAD_MAX_MEMORY_SIZE).
FORM_OVERHEAD = 64 * 1024
CHUNK = 64 * 1024

Limit = int | Callable[[], int]


def in_words(size: int) -> str:
    """A limit as people read it: 1 MB, 2.5 MB, 500 KB, 900 bytes (1 MB = 1024 × 1024 bytes)."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


class UploadTooLarge(MultiPartParserError):
    """An upload over its limit. A `MultiPartParserError`, so Django treats the body as one it
    could not parse (`request.POST` and `request.FILES` stay empty), and the API answers 413."""

    def __init__(self, limit: int):
        self.limit = limit
        self.message = f"The file is too large: it can be at most {in_words(limit)}."
        super().__init__(self.message)


def setting_limit(name: str, default: int) -> Callable[[], int]:
    """A limit read from setting `name` when a request comes (so tests can override it)."""
    return lambda: int(getattr(settings, name, default))


def resolve_limit(limit: Limit) -> int:
    return limit() if callable(limit) else int(limit)


class SizeLimitedUploadHandler(FileUploadHandler):
    """Refuses a multipart body whose declared length is over the limit before reading it, and
    stops one whose files add up to more than the limit while they stream in. It passes every
    chunk on to the next handler (memory or temporary file) and stores nothing itself."""

    def __init__(self, request=None, max_bytes: int = 0):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.max_bytes + FORM_OVERHEAD:
            raise UploadTooLarge(self.max_bytes)
        return None  # the other handlers do the work

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            raise UploadTooLarge(self.max_bytes)
        return raw_data

    def file_complete(self, file_size):
        return None


def declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # Django refuses a malformed length itself


def limit_request(request: HttpRequest, max_bytes: int) -> None:
    """Put the limit on `request` before anything reads its body.

    Args:
        request: a Django request whose `POST`, `FILES` and `body` have not been read.
        max_bytes: the most bytes its files may hold together.

    Raises:
        UploadTooLarge: its declared length is already over the limit (nothing was read).
        AttributeError: the body was read already (Django refuses to change the handlers):
            the limit would come too late, which is a programming error.
    """
    request.upload_handlers = [SizeLimitedUploadHandler(request, max_bytes), *request.upload_handlers]
    if declared_length(request) > max_bytes + FORM_OVERHEAD:
        raise UploadTooLarge(max_bytes)


def settle(request: HttpRequest) -> None:
    """After a refusal, make `request.POST` and `request.FILES` empty for good (the limit's own
    handler refuses again, without reading, and Django marks the body unparseable)."""
    try:
        request.FILES  # noqa: B018 - the read is the point
    except UploadTooLarge:
        pass


def limit_upload(limit: Limit, refused: Callable[[HttpRequest, UploadTooLarge], HttpResponse]):
    """Decorator for a function view that takes a file: the limit is in place before anything
    reads the body, then CSRF is checked as usual. Over the limit, `refused(request, error)`
    answers (it should show `error.message` next to the file field, status 413); no CSRF
    check is needed for that, as nothing is done."""

    def decorator(view):
        protected = csrf_protect(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("POST", "PUT", "PATCH"):
                return protected(request, *args, **kwargs)
            try:
                limit_request(request, resolve_limit(limit))
                return protected(request, *args, **kwargs)
            except UploadTooLarge as error:
                settle(request)
                return refused(request, error)

        return csrf_exempt(wrapper)

    return decorator


def form_with_error(form, field: str, message: str):
    """`form` (unbound, so it keeps its initial values, e.g. a ticked "dry run") showing
    `message` on `field`, as a form that failed validation would."""
    form.cleaned_data = {}
    form.add_error(field, message)
    return form


class LimitedUploadMixin:
    """For a class-based `FormView` that takes a file (put it after the view's own permission
    mixins, so they run first). Set `upload_limit`; over it, the form is shown again with the
    limit in words on `upload_field`, status 413."""

    upload_limit: Limit = 0
    upload_field = "file"

    @classmethod
    def as_view(cls, **initkwargs):
        return csrf_exempt(super().as_view(**initkwargs))

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("POST", "PUT", "PATCH"):
            return super().dispatch(request, *args, **kwargs)
        try:
            limit_request(request, resolve_limit(type(self).upload_limit))
            return csrf_protect(super().dispatch)(request, *args, **kwargs)
        except UploadTooLarge as error:
            settle(request)
            return self.upload_refused(error)

    def upload_form_kwargs(self) -> dict:
        """Keyword arguments for an unbound form (FormView's own, without data and files)."""
        kwargs = self.get_form_kwargs()
        kwargs.pop("data", None)
        kwargs.pop("files", None)
        return kwargs

    def upload_refused(self, error: UploadTooLarge) -> HttpResponse:
        form = self.get_form_class()(**self.upload_form_kwargs())
        form = form_with_error(form, self.upload_field, error.message)
        return self.render_to_response(self.get_context_data(form=form), status=413)


def sha256_of(upload) -> tuple[str, int]:
    """(SHA-256 hex digest, size in bytes) of an uploaded file, read `CHUNK` bytes at a time
    from its start (or of bytes)."""
    digest = hashlib.sha256()
    if isinstance(upload, bytes | bytearray | memoryview):
        digest.update(upload)
        return digest.hexdigest(), len(upload)
    size = 0
    upload.seek(0)
    while chunk := upload.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size
