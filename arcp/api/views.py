"""ARCP API: the pack as a PDF, recorded exports, verification and panel reviews.

Thin views: rules live in `arcp.services`; errors are JSON (the project exception handler).
"""

from __future__ import annotations

from django.http import HttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from reflect import audit
from reflect import roles as R
from reflect.api.filters import IdFilter
from reflect.api.parsers import FormParser, MultiPartParser
from reflect.api.permissions import HasAnyRole, NotPatientRep
from reflect.api.uploads import UploadLimitMixin
from reflect.uploads import setting_limit

from .. import services
from ..models import ArcpReview, SupervisorReport
from ..policies import exports, reviews, supervisor_reports
from .serializers import (
    AppealRequestSerializer,
    ArcpExportSerializer,
    ArcpReviewSerializer,
    PeriodQuerySerializer,
    ReviewResponseRequestSerializer,
    SupervisorReportSerializer,
    VerifyRequestSerializer,
    VerifyResponseSerializer,
)

ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description='JSON error: `{"detail": "..."}` or field errors.')


class PDFRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


class ArcpPackView(APIView):
    """`GET /api/v1/learners/{id}/arcp.pdf?from=YYYY-MM-DD&to=YYYY-MM-DD` → the PDF.

    Makes and records a new pack (who, when, learner, period, SHA-256) and returns its bytes
    with its id in `X-Export-Id`. Errors stay JSON."""

    permission_classes = [NotPatientRep]
    renderer_classes = [PDFRenderer, JSONRenderer]

    def handle_exception(self, exc):
        # Errors are JSON whatever the client accepted (the PDF renderer cannot draw them).
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    @extend_schema(
        operation_id="learners_arcp_pdf",
        summary="Download the learner's ARCP evidence pack (PDF)",
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=True,
                description="Start of the period. Must not be after `to`.",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                OpenApiParameter.QUERY,
                required=True,
                description="End of the period and evidence cut-off. Must be on or after `from` "
                '(`to >= from`), else 400 `{"to": ["`to` must not be before `from`."]}`.',
            ),
            OpenApiParameter("format", exclude=True),
            OpenApiParameter(
                "X-Export-Id",
                OpenApiTypes.UUID,
                OpenApiParameter.HEADER,
                response=[200],
                description="Id of the recorded pack (see `GET /api/v1/exports/{id}/`).",
            ),
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The pack; its id is in the `X-Export-Id` header."
            ),
            (400, "application/json"): ERROR,
            (401, "application/json"): ERROR,
            (403, "application/json"): ERROR,
            (404, "application/json"): ERROR,
        },
        tags=["arcp"],
    )
    def get(self, request, pk: int):
        learner = services.visible_learner(request.user, pk)
        query = PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        export = services.build_pack(
            learner, query.validated_data["from"], query.validated_data["to"], request.user, via="api"
        )
        response = HttpResponse(services.read_pack(export), content_type="application/pdf")
        response["X-Export-Id"] = str(export.pk)
        response["Content-Disposition"] = f'attachment; filename="{services.pack_filename(learner, export)}"'
        response["Access-Control-Expose-Headers"] = "X-Export-Id"
        return response


@extend_schema_view(retrieve=extend_schema(summary="A recorded ARCP pack", tags=["arcp"]))
class ExportViewSet(UploadLimitMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Recorded packs: same scope as their learner."""

    upload_limits = {"verify": setting_limit("ARCP_VERIFY_MAX_BYTES", services.VERIFY_MAX_BYTES)}

    serializer_class = ArcpExportSerializer
    permission_classes = [NotPatientRep]
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"

    def get_queryset(self):
        return exports.visible(self.request.user).select_related("learner")

    def get_object(self):
        return services.export_for(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs):
        export = self.get_object()
        audit.record(request.user, "read", learner=export.learner, obj=export, via="api")
        return Response(self.get_serializer(export).data)

    @extend_schema(
        summary="Is this file byte-for-byte an ARCP pack we issued?",
        request={"multipart/form-data": VerifyRequestSerializer},
        responses={
            200: VerifyResponseSerializer,
            400: ERROR,
            401: ERROR,
            413: OpenApiResponse(OpenApiTypes.OBJECT, description='Over the size limit: `{"detail"}`.'),
        },
        tags=["arcp"],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="verify",
        permission_classes=[IsAuthenticated],
        parser_classes=[MultiPartParser, FormParser],
    )
    def verify(self, request):
        serializer = VerifyRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        match = services.verify(upload, request.user, via="api")
        return Response({"valid": match is not None, "export_id": str(match.pk) if match else None})


class ReviewFilter(filters.FilterSet):
    learner = IdFilter(field_name="learner_id")

    class Meta:
        model = ArcpReview
        fields = ["learner"]


@extend_schema_view(
    list=extend_schema(summary="ARCP outcomes (same scope as the learner)", tags=["arcp"]),
    retrieve=extend_schema(summary="One ARCP outcome", tags=["arcp"]),
    create=extend_schema(
        summary="Record the panel's outcome (examiner on the learner's panel)",
        responses={201: ArcpReviewSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
        tags=["arcp"],
    ),
)
class ArcpReviewViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ArcpReviewSerializer
    filterset_class = ReviewFilter

    def get_permissions(self):
        if self.action == "create":
            return [HasAnyRole.of(R.EXAMINER)()]
        return [NotPatientRep()]

    def get_queryset(self):
        return (
            reviews.visible(self.request.user)
            .select_related("examiner", "superseded_by")
            .order_by("-period_to", "-created_at", "-id")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        audit.record_reads(request.user, page, via="api")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        review = self.get_object()
        audit.record(request.user, "read", learner=review.learner, obj=review, via="api")
        return Response(self.get_serializer(review).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        learner = services.visible_learner(request.user, data["learner_id"])
        review = services.record_review(
            request.user,
            learner,
            data["period_from"],
            data["period_to"],
            data["export_id"],
            data["outcome"],
            data.get("reason_codes") or [],
            data.get("comments") or "",
            actions=data.get("actions") or "",
            next_review_on=data.get("next_review_on"),
            supersedes=data.get("supersedes_id"),
            correction_reason=data.get("correction_reason") or "",
            via="api",
        )
        return Response(self.get_serializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The learner acknowledges their outcome",
        request=None,
        responses={200: ArcpReviewSerializer, 401: ERROR, 403: ERROR, 404: ERROR},
        tags=["arcp"],
    )
    @action(detail=True, methods=["post"], url_path="acknowledge")
    def acknowledge(self, request, pk=None):
        review = services.acknowledge_review(request.user, pk, via="api")
        return Response(self.get_serializer(review).data)

    @extend_schema(
        summary="The learner's written response to their outcome (once), shown to the panel",
        request=ReviewResponseRequestSerializer,
        responses={200: ArcpReviewSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
        tags=["arcp"],
    )
    @action(detail=True, methods=["post"], url_path="respond")
    def respond(self, request, pk=None):
        body = ReviewResponseRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.respond_to_review(request.user, pk, body.validated_data["response"], via="api")
        return Response(self.get_serializer(review).data)

    @extend_schema(
        summary="The learner asks for a review of outcome 2 or appeals outcome 3 or 4 "
        "(within 10 working days of the outcome being recorded)",
        description='Refused with 400 `{"detail"}` for other outcomes, a superseded record or '
        "after the window (`appeal_closes_on`); 409 when a request was already made.",
        request=AppealRequestSerializer,
        responses={200: ArcpReviewSerializer, 400: ERROR, 401: ERROR, 403: ERROR, 404: ERROR, 409: ERROR},
        tags=["arcp"],
    )
    @action(detail=True, methods=["post"], url_path="appeal")
    def appeal(self, request, pk=None):
        body = AppealRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.request_appeal(request.user, pk, body.validated_data["reason"], via="api")
        return Response(self.get_serializer(review).data)


class SupervisorReportFilter(filters.FilterSet):
    learner = IdFilter(field_name="learner_id")
    status = filters.ChoiceFilter(choices=SupervisorReport.Status.choices)

    class Meta:
        model = SupervisorReport
        fields = ["learner", "status"]


@extend_schema_view(
    list=extend_schema(
        summary="Educational supervisor's reports (the learner's scope; examiners see signed ones only)",
        tags=["arcp"],
    ),
    retrieve=extend_schema(summary="One educational supervisor's report", tags=["arcp"]),
)
class SupervisorReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Read-only: what `arcp.policies.supervisor_reports` lets the caller see (a learner their
    own once shared, the author theirs, other allocated tutors and the panel signed ones)."""

    serializer_class = SupervisorReportSerializer
    filterset_class = SupervisorReportFilter
    permission_classes = [NotPatientRep]

    def get_queryset(self):
        reports = supervisor_reports.visible(self.request.user).with_themes()
        return reports.order_by("-period_to", "-created_at", "-id")

    def get_object(self):
        return supervisor_reports.get(self.request.user, self.kwargs["pk"], self.get_queryset())

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        audit.record_reads(request.user, page, via="api")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        report = self.get_object()
        audit.record(request.user, "read", learner=report.learner, obj=report, via="api")
        return Response(self.get_serializer(report).data)
