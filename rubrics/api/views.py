"""Rubrics API: read-only.

* list: published rubrics only (the current version of each);
* detail: published **and retired** versions, so that a client holding an assessment pinned
  to a retired version can still read the grid it was marked with; drafts are 404;
* no writes: PUT, PATCH, DELETE and POST answer 405 (rubrics change in the admin only).
"""

from django.db.models import Q
from rest_framework import viewsets

from ..models import Rubric
from .permissions import IsRubricReader
from .serializers import RubricSerializer


class RubricViewSet(viewsets.ReadOnlyModelViewSet):
    """Published rubrics with their criteria and levels (any role but patient_rep)."""

    serializer_class = RubricSerializer
    permission_classes = [IsRubricReader]
    filterset_fields = ["slug"]

    def get_queryset(self):
        visible = Q(status=Rubric.Status.PUBLISHED)
        if self.action != "list":
            visible |= Q(status=Rubric.Status.RETIRED)
        return Rubric.objects.filter(visible).with_content().order_by("slug", "-version")
