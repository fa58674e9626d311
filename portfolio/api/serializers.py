from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import roles as R
from ..models import Cohort, Panel
from ..people import display_name


class CohortRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cohort
        fields = ["id", "name"]


class PersonRefSerializer(serializers.Serializer):
    """`{id, display_name}` used wherever the contract nests a person."""

    id = serializers.IntegerField(read_only=True)
    display_name = serializers.SerializerMethodField()

    def get_display_name(self, obj) -> str:
        return display_name(obj)


class MeSerializer(serializers.ModelSerializer):
    display_name = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    cohorts = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "display_name", "roles", "cohorts"]

    def get_display_name(self, obj) -> str:
        return display_name(obj)

    def get_roles(self, obj) -> list[str]:
        return R.roles_of(obj)

    @extend_schema_field(CohortRefSerializer(many=True))
    def get_cohorts(self, obj):
        ids = set(Panel.objects.current().filter(examiner=obj).values_list("cohort_id", flat=True))
        enrolment = getattr(obj, "enrolment", None)
        if enrolment is not None:
            ids.add(enrolment.cohort_id)
        return CohortRefSerializer(Cohort.objects.filter(pk__in=ids).order_by("name"), many=True).data


class LearnerSerializer(serializers.ModelSerializer):
    display_name = serializers.SerializerMethodField()
    cohort = serializers.SerializerMethodField()
    reflection_count = serializers.IntegerField(read_only=True)
    assessment_count = serializers.IntegerField(read_only=True)
    feedback_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = get_user_model()
        fields = [
            "id",
            "username",
            "display_name",
            "cohort",
            "reflection_count",
            "assessment_count",
            "feedback_count",
        ]

    def get_display_name(self, obj) -> str:
        return display_name(obj)

    @extend_schema_field(CohortRefSerializer(allow_null=True))
    def get_cohort(self, obj):
        enrolment = getattr(obj, "enrolment", None)
        return CohortRefSerializer(enrolment.cohort).data if enrolment else None


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
