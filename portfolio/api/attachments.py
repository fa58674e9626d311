"""Attachments in the API (api-contract.md v1.1, "Attachments"):

- `POST /api/v1/reflections/{id}/attachments/` (multipart `file`; the learner, while the
  reflection is editable) → 201 `{"id", "filename", "content_type", "size", "sha256", "url"}`;
  a file that is not PDF, PNG or JPEG by its content, over the limit, damaged, scripted or
  badly named → 400 `{"file": [message]}`; nothing is stored.
- `DELETE /api/v1/reflections/{id}/attachments/{aid}/` while editable → 204.
- `GET url` (`/api/v1/reflections/{id}/attachments/{aid}/file/`) → the bytes, for whoever may
  see the reflection; 404 for everyone else.
Reflections carry their `attachments` (`AttachmentSerializer`, attached by the reflection views).
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from reflect.api.parsers import MultiPartParser, PayloadTooLarge
from reflect.api.permissions import NotPatientRep
from reflect.uploads import UploadTooLarge, limit_request

from .. import services
from ..attachment_http import file_response
from ..policies import attachments as attachment_policy
from ..policies import reflections as reflection_policy
from ..services.attachment_files import max_bytes
from .rows import RowSerializer, attach

FILE_ANSWER = "The file as stored (its `content_type`); images inline, PDFs as a download."
ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description='JSON error: `{"detail": "..."}`.')


def file_url(request, reflection_id: int, attachment_id: int) -> str:
    path = reverse("api-attachment-file", args=[reflection_id, attachment_id])
    return request.build_absolute_uri(path) if request is not None else path


class AttachmentSerializer(RowSerializer):
    """A file attached to a reflection. `url` answers its bytes (`GET`, same scope)."""

    # Of a row of `Attachment.objects.values(*columns())`, or of an instance.
    id = serializers.IntegerField(read_only=True)
    filename = serializers.CharField(read_only=True, help_text="The name it came with, cleaned.")
    content_type = serializers.ChoiceField(
        choices=["application/pdf", "image/png", "image/jpeg"], read_only=True
    )
    size = serializers.IntegerField(read_only=True, help_text="Bytes stored.")
    sha256 = serializers.CharField(read_only=True, help_text="SHA-256 (hex) of the bytes stored.")
    url = serializers.SerializerMethodField()

    def get_url(self, row) -> str:
        reflection_id = row["reflection_id"] if isinstance(row, dict) else row.reflection_id
        attachment_id = row["id"] if isinstance(row, dict) else row.pk
        return file_url(self.context.get("request"), reflection_id, attachment_id)


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A PDF, PNG or JPEG file (judged by its content), at most 10 MB.")


ATTACHMENT_COLUMNS = ("id", "reflection_id", "filename", "content_type", "size", "sha256")


def with_attachments(rows: list[dict], user) -> list[dict]:
    """The reflection rows with their `attachments` (the policy's, in the order they were
    added): one query for the page."""
    found = (
        attachment_policy.visible(user)
        .filter(reflection_id__in=[row["id"] for row in rows])
        .order_by("created_at", "id")
        .values(*ATTACHMENT_COLUMNS)
    )
    return attach(rows, "attachments", ((a["reflection_id"], a) for a in found))


class ReflectionAttachmentsView(APIView):
    permission_classes = [NotPatientRep]
    parser_classes = [MultiPartParser]

    def initial(self, request, *args, **kwargs):
        if request.method == "POST":
            # The limit goes on before anything reads the body (see reflect.uploads); a file
            # over it is answered 400, as the contract says, not the generic 413.
            limit_request(request._request, max_bytes())
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc):
        if isinstance(exc, UploadTooLarge | PayloadTooLarge):
            message = exc.message if isinstance(exc, UploadTooLarge) else str(exc.detail)
            return Response({"file": [message]}, status=status.HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)

    @extend_schema(
        operation_id="reflections_attachments_create",
        summary="Attach a file to your own editable reflection",
        description="PDF, PNG or JPEG, judged by content, at most 10 MB (`ATTACHMENT_MAX_BYTES`). "
        "Images are stored re-encoded without their metadata (EXIF, GPS). Anything else → 400 "
        '`{"file": [message]}` and nothing is stored. A reflection that is submitted or signed off → 409.',
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={
            201: AttachmentSerializer,
            400: OpenApiResponse(description='The file was refused: `{"file": ["message"]}`.'),
            409: OpenApiResponse(description="The reflection is not editable in its state."),
        },
        tags=["reflections"],
    )
    def post(self, request, pk: int):
        reflection = reflection_policy.get(request.user, pk)
        serializer = AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = services.add_attachment(
            reflection, request.user, serializer.validated_data["file"], via="api"
        )
        data = AttachmentSerializer(attachment, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)


class ReflectionAttachmentView(APIView):
    permission_classes = [NotPatientRep]

    @extend_schema(
        operation_id="reflections_attachments_destroy",
        summary="Remove a file from your own editable reflection",
        request=None,
        responses={
            204: OpenApiResponse(description="Removed."),
            409: OpenApiResponse(description="The reflection is not editable in its state."),
        },
        tags=["reflections"],
    )
    def delete(self, request, pk: int, aid: int):
        attachment = services.attachment_for(request.user, pk, aid)
        services.remove_attachment(attachment, request.user, via="api")
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReflectionAttachmentFileView(APIView):
    """The bytes, with the stored content type (PDF, PNG or JPEG)."""

    permission_classes = [NotPatientRep]
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        # Whatever the client accepts: the file is answered as it is, and errors are JSON.
        return (JSONRenderer(), JSONRenderer.media_type)

    @extend_schema(
        operation_id="reflections_attachments_file",
        summary="Download an attached file",
        responses={
            (200, media): OpenApiResponse(OpenApiTypes.BINARY, description=FILE_ANSWER)
            for media in ("application/pdf", "image/png", "image/jpeg")
        }
        | {
            (401, "application/json"): ERROR,
            (403, "application/json"): ERROR,
            (404, "application/json"): ERROR,
        },
        tags=["reflections"],
    )
    def get(self, request, pk: int, aid: int):
        attachment = services.attachment_for(request.user, pk, aid)
        try:
            data = services.read_attachment(attachment, request.user, via="api")
        except FileNotFoundError:
            raise Http404("This file is missing.") from None
        return file_response(attachment, data)
