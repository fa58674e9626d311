"""Rubrics API shapes, exactly as the contract says ("Rubrics")."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import scoring
from ..models import Criterion, Level, Rubric


class LevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Level
        fields = ["id", "label", "descriptor", "points"]
        read_only_fields = fields


class CriterionSerializer(serializers.ModelSerializer):
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False, read_only=True)
    competencies = serializers.SerializerMethodField()
    levels = LevelSerializer(many=True, read_only=True)

    class Meta:
        model = Criterion
        fields = ["id", "title", "description", "weight", "competencies", "levels"]
        read_only_fields = fields

    def get_competencies(self, obj) -> list[str]:
        return [c.code for c in obj.competencies.all()]


class RubricSerializer(serializers.ModelSerializer):
    max_score = serializers.SerializerMethodField()
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Rubric
        fields = ["id", "slug", "title", "version", "status", "content_hash", "max_score", "criteria"]
        read_only_fields = fields

    @extend_schema_field({"type": "number", "format": "decimal", "example": 12.0})
    def get_max_score(self, obj) -> Decimal:
        """A JSON number (two places), like the assessments' `total` and `max_score`."""
        return scoring.max_score(obj)
