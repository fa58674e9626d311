"""The upload limit (`reflect.uploads`) for DRF views: 413 with ``{"detail"}`` naming the limit.

    class ExportViewSet(UploadLimitMixin, viewsets.GenericViewSet):
        upload_limits = {"verify": setting_limit("ARCP_VERIFY_MAX_BYTES", 10 * 1024 * 1024)}

        @action(detail=False, methods=["post"], parser_classes=[MultiPartParser])  # reflect.api.parsers
        def verify(self, request): ...

The limit goes on before DRF authenticates (session authentication reads the body for its
CSRF check): a `Content-Length` over it is refused unread, a body that grows past it is cut off.
"""

from __future__ import annotations

from reflect.uploads import Limit, limit_request, resolve_limit


class UploadLimitMixin:
    #: action name (or HTTP method, lower case, for plain APIViews) → limit in bytes.
    upload_limits: dict[str, Limit] = {}

    def initial(self, request, *args, **kwargs):
        key = getattr(self, "action", None) or request.method.lower()
        limit = self.upload_limits.get(key)
        if limit is not None and request.method in ("POST", "PUT", "PATCH"):
            limit_request(request._request, resolve_limit(limit))  # UploadTooLarge → 413
        super().initial(request, *args, **kwargs)
