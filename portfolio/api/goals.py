"""`/api/v1/goals/`: goals (a personal development plan), an extension of contract v1.1.

Same scope as the learner (`portfolio.policies.goals`): the learner sees their own; tutors,
examiners and admins the goals of learners in their scope; patient representatives 403.
`GET` list (filters `learner`, `status`) and one goal; `POST` sets a goal in the caller's own
plan (learners only) through `portfolio.services.goals`. Reads of others' goals are audited.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from reflect import audit
from reflect.api.filters import IdFilter
from reflect.api.permissions import NotPatientRep
from rubrics.models import Competency

from ..goal_models import GOAL_TEXT, Goal, GoalComment
from ..policies import goals as policy
from ..services import goals as services
from .serializers import PersonRefSerializer


class GoalCommentSerializer(serializers.ModelSerializer):
    author = PersonRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = GoalComment
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = fields


class GoalSerializer(serializers.ModelSerializer):
    learner = PersonRefSerializer(read_only=True)
    reflection = serializers.IntegerField(source="reflection_id", read_only=True, allow_null=True)
    themes = serializers.SerializerMethodField()
    comments = GoalCommentSerializer(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = [
            "id",
            "learner",
            "reflection",
            "what",
            "due_on",
            "success_measure",
            "themes",
            "status",
            "review",
            "reviewed_at",
            "comments",
            "created_at",
        ]
        read_only_fields = fields

    def get_themes(self, goal) -> list[str]:
        return [t.code for t in goal.themes.all()]


class GoalCreateSerializer(serializers.Serializer):
    what = serializers.CharField(max_length=GOAL_TEXT)
    due_on = serializers.DateField()
    success_measure = serializers.CharField(max_length=GOAL_TEXT)
    themes = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=20)
    reflection = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="One of your own reflections."
    )


class GoalFilter(filters.FilterSet):
    learner = IdFilter(field_name="learner_id")
    status = filters.ChoiceFilter(choices=Goal.Status.choices)

    class Meta:
        model = Goal
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="Goals in your scope (same scope as the learner)", tags=["goals"]),
    retrieve=extend_schema(summary="One goal, with its review and comments", tags=["goals"]),
    create=extend_schema(
        summary="Set a goal in your own plan (learners only)",
        description="A goal due before the date of the reflection it comes from → 400 (`due_on`); "
        "a reflection that is not yours → 404.",
        request=GoalCreateSerializer,
        responses={201: GoalSerializer},
        tags=["goals"],
    ),
)
class GoalViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = GoalSerializer
    permission_classes = [NotPatientRep]
    filterset_class = GoalFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Goal.objects.none()
        comments = GoalComment.objects.select_related("author").order_by("created_at", "id")
        themes = Competency.objects.order_by(*Competency._meta.ordering or ["pk"])
        return (
            policy.visible(self.request.user)
            .select_related("learner")
            .prefetch_related(Prefetch("themes", queryset=themes), Prefetch("comments", queryset=comments))
            .order_by("due_on", "id")
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        audit.record_reads(request.user, page, via="api")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        goal = self.get_object()
        audit.record(request.user, "read", learner=goal.learner, obj=goal, via="api")
        return Response(self.get_serializer(goal).data)

    def create(self, request, *args, **kwargs):
        body = GoalCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        goal = services.create_goal(request.user, dict(body.validated_data), via="api")
        created = self.get_queryset().get(pk=goal.pk)
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)
