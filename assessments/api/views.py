"""Assessments API: thin views over the policy (`assessments.policies.assessments`: what a
person may see and do) and the marking services (`assessments.services`)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from portfolio.api.rows import RowViewMixin, attach
from portfolio.api.serializers import ErrorDetailSerializer
from portfolio.models import Reflection
from reflect import roles as R
from reflect.api.permissions import HasAnyRole, NotPatientRep
from rubrics.models import Rubric

from .. import services
from ..models import Assessment, Score
from ..policies import assessments as policy
from .filters import AssessmentFilter
from .serializers import (
    AssessmentCreateSerializer,
    AssessmentSerializer,
    AssessmentUpdateSerializer,
    FinaliseSerializer,
    IncompleteSerializer,
    ScoreSerializer,
)

TutorOnly = HasAnyRole.of(R.TUTOR)
SCORE_ORDER = ("criterion__sort_order", "criterion_id")


def _listed(user):
    """The assessments `user` may see, in list order (the list, detail and write views)."""
    return policy.visible(user).order_by("-created_at", "-id")


def _with_scores(rows: list[dict]) -> list[dict]:
    """The rows with their scores (`scores`, in criterion order): one query for the page."""
    scores = Score.objects.filter(assessment_id__in=[row["id"] for row in rows]).order_by(*SCORE_ORDER)
    scores = scores.values("assessment_id", *ScoreSerializer.columns())
    return attach(rows, "scores", ((score.pop("assessment_id"), score) for score in scores))


def _field_error(field: str, message: str) -> Response:
    return Response({field: [message]}, status=status.HTTP_400_BAD_REQUEST)


class AssessmentViewSet(RowViewMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Assessments in the caller's scope (learner: finalised ones of own reflections; tutor:
    ones they wrote or of allocated learners; examiner: finalised ones in their cohorts;
    admin: all). Blind second markings stay hidden from the other marker until both are
    finalised."""

    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    learner_column = "reflection__learner_id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        if self.action in ("create", "partial_update", "finalise"):
            return [TutorOnly()]
        return [NotPatientRep()]

    def get_queryset(self):
        listed = _listed(self.request.user)
        if self.action in ("list", "retrieve"):
            return listed  # read as `.values()` rows
        # Writes act on the instance, whose reflection's learner the policy asks about.
        return listed.select_related("reflection__learner")

    def with_children(self, rows: list[dict]) -> list[dict]:
        return _with_scores(rows)

    def _fresh(self, assessment: Assessment) -> dict:
        """The assessment as the caller now sees it (after a write)."""
        return self.render_row(_listed(self.request.user).filter(pk=assessment.pk))

    @extend_schema(
        request=AssessmentCreateSerializer,
        responses={
            201: AssessmentSerializer,
            404: OpenApiResponse(
                ErrorDetailSerializer,
                description="The reflection does not exist or is outside your scope (a draft, or "
                "a learner you are not allocated to): the same answer for both",
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        """Start a draft marking (tutor allocated to the reflection's learner)."""
        data = AssessmentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        reflection = Reflection.objects.select_related("learner").filter(pk=data.validated_data["reflection"])
        reflection = reflection.first()
        if reflection is None or not policy.target_visible(user, "add", reflection):
            # Out of scope is "does not exist", as everywhere (API contract, General).
            raise NotFound("No reflection you can see has this id.")
        rubric = Rubric.objects.filter(pk=data.validated_data["rubric"]).first()
        if rubric is None:
            return _field_error("rubric", "No rubric has this id.")
        assessment = services.create_assessment(
            reflection,
            rubric,
            user,
            data.validated_data.get("scores", []),
            data.validated_data.get("overall_comment", ""),
            via="api",
        )
        return Response(self._fresh(assessment), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AssessmentUpdateSerializer,
        responses={200: AssessmentSerializer, 409: None},
    )
    def partial_update(self, request, *args, **kwargs):
        """Change a draft (send the `version` you read; stale or finalised → 409)."""
        assessment = self.get_object()
        data = AssessmentUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.update_assessment(assessment, request.user, values, values["version"], via="api")
        return Response(self._fresh(assessment))

    @extend_schema(
        request=FinaliseSerializer,
        responses={200: AssessmentSerializer, 400: IncompleteSerializer, 409: None},
    )
    @action(detail=True, methods=["post"])
    def finalise(self, request, pk=None):
        """Finalise a draft: every criterion must be scored (else 400 listing the missing)."""
        assessment = self.get_object()
        data = FinaliseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.finalise(assessment, request.user, data.validated_data.get("version"), via="api")
        except services.IncompleteAssessment as exc:
            return Response(
                {
                    "detail": exc.messages[0],
                    "missing_criteria": [{"id": c.pk, "title": c.title} for c in exc.missing],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(self._fresh(assessment))
