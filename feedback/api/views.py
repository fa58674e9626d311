"""Patient-representative feedback API: thin views over `feedback.services`.

- ``POST feedback-invitations/``: tutor (allocated learner) or admin creates a one-time link.
- ``GET|POST feedback/respond/{token}/``: no login; the representative's context and answers.
- ``GET feedback/``: feedback in the caller's scope (`feedback.policies.feedback`).
"""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from feedback import instrument, policies
from feedback import services as services
from feedback.api.serializers import (
    ColleagueRoundSerializer,
    FeedbackSerializer,
    InvitationCreatedSerializer,
    InvitationCreateSerializer,
    RespondContextSerializer,
    RespondDoneSerializer,
    RespondSubmitSerializer,
)
from feedback.models import ColleagueRound, Feedback
from feedback.services import rounds as round_services
from reflect import audit
from reflect import roles as R
from reflect.api.filters import IdFilter
from reflect.api.permissions import HasAnyRole, NotPatientRep

TutorOrAdmin = HasAnyRole.of(R.TUTOR, R.ADMIN)
ERROR = OpenApiResponse(RespondDoneSerializer, description='`{"detail": "..."}`')


class FeedbackInvitationViewSet(viewsets.GenericViewSet):
    """Create one-time feedback links. The raw token appears only in this response (and the
    e-mail); only its SHA-256 is stored."""

    permission_classes = [TutorOrAdmin]
    serializer_class = InvitationCreateSerializer

    @extend_schema(
        summary="Invite a patient, carer, community partner, placement supervisor or colleague",
        request=InvitationCreateSerializer,
        responses={
            201: InvitationCreatedSerializer,
            400: OpenApiResponse(description="Field errors"),
            403: ERROR,
            404: OpenApiResponse(description="Learner unknown or not allocated to the calling tutor"),
        },
    )
    def create(self, request):
        serializer = InvitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invitation, raw = services.create_invitation(
            data["learner"],
            request.user,
            data["context_title"],
            data["occurred_on"],
            data.get("email", ""),
            base_url=request.build_absolute_uri("/"),
            via="api",
            respondent_type=data["respondent_type"],
            placement=data.get("placement"),
        )
        body = {
            "id": invitation.pk,
            "respond_url": request.build_absolute_uri(services.respond_path(raw)),
            "expires_at": invitation.expires_at,
        }
        response = Response(InvitationCreatedSerializer(body).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class FeedbackRespondView(APIView):
    """The representative's side, without login. Unknown tokens count towards a per-address
    guessing limit (429 with Retry-After), on top of the `feedback` throttle scope."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "feedback"

    def _guarded(self, request, token, fn, *args, **kwargs):
        try:
            return services.guarded_lookup(request, token, fn, *args, **kwargs)
        except services.TooManyGuesses as exc:
            raise exceptions.Throttled(wait=exc.retry_after) from None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response

    @extend_schema(
        summary="What the feedback link is about",
        auth=[],
        responses={200: RespondContextSerializer, 404: ERROR, 410: ERROR, 429: ERROR},
    )
    def get(self, request, token: str):
        invitation = self._guarded(request, token, services.invitation_for_token)
        version = invitation.instrument
        body = {
            "learner_display_name": services.learner_first_name(invitation),
            "context_title": invitation.context_title,
            "occurred_on": invitation.occurred_on,
            "respondent_type": invitation.respondent_type,
            "instrument": {"key": version.key, "title": version.title, "version": version.version},
            "roles": version.roles,
            "items": instrument.items_for_api(version),
        }
        return Response(RespondContextSerializer(body).data)

    @extend_schema(
        summary="Send the answers (once)",
        auth=[],
        request=RespondSubmitSerializer,
        responses={
            201: RespondDoneSerializer,
            400: OpenApiResponse(description="Field errors (ratings off the scale, unknown keys, role)"),
            404: ERROR,
            410: ERROR,
            429: ERROR,
        },
    )
    def post(self, request, token: str):
        # The link is checked first: a spent or unknown link answers 410/404 whatever was sent.
        self._guarded(request, token, services.invitation_for_token)
        serializer = RespondSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.submit_feedback(
            token,
            data["ratings"],
            data["comments"],
            data["anonymous"],
            data["respondent_role"],
            data["respondent_name"],
            via="api",
        )
        return Response(
            {"detail": "Thank you: your feedback has been received."}, status=status.HTTP_201_CREATED
        )


class FeedbackFilter(filters.FilterSet):
    learner = IdFilter(field_name="learner_id")

    class Meta:
        model = Feedback
        fields = ["learner"]


@extend_schema_view(
    list=extend_schema(
        summary="Feedback in scope",
        description="learner: own; tutor: allocated learners; examiner: their cohorts; admin: all "
        "(withdrawn feedback only for admins). `respondent_name` is null when anonymous.",
    ),
    retrieve=extend_schema(summary="One piece of feedback in scope"),
)
class FeedbackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = FeedbackSerializer
    permission_classes = [NotPatientRep]
    filterset_class = FeedbackFilter

    def get_queryset(self):
        return (
            policies.feedback.visible(self.request.user)
            .select_related("learner", "instrument")
            .order_by("-submitted_at", "-id")
        )

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        audit.record_reads(request.user, page, via="api")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        audit.record(request.user, "read", learner=obj.learner, obj=obj, via="api")
        return Response(self.get_serializer(obj).data)


@extend_schema_view(
    list=extend_schema(
        summary="Colleague rounds in scope",
        description="learner: own (results once released); tutor: allocated learners; examiner: "
        "released rounds of their cohorts; admin: all. Only combined results, never an answer.",
    ),
    retrieve=extend_schema(summary="One colleague round in scope"),
)
class ColleagueRoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ColleagueRoundSerializer
    permission_classes = [NotPatientRep]
    queryset = ColleagueRound.objects.none()  # for the schema; get_queryset() is the scope

    def get_queryset(self):
        return (
            policies.rounds.visible(self.request.user)
            .select_related("learner", "instrument")
            .order_by("-created_at", "-id")
        )

    def get_serializer_context(self):
        user = self.request.user

        def results(obj):
            if not policies.rounds.may_see_report(user, obj):
                return None
            return round_services.report(obj, user)

        return {**super().get_serializer_context(), "results": results}

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        audit.record(request.user, "read", learner=obj.learner, obj=obj, via="api")
        return Response(self.get_serializer(obj).data)
