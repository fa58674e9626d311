"""Filters shared by every app's API."""

from django import forms
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

# Database ids are 64-bit signed integers (PostgreSQL bigint, SQLite INTEGER).
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """`?learner=<id>`: a whole number in the id range, else 400 with a reason.

    django-filter's NumberFilter takes any decimal, which the database then fails to compare
    (a huge or fractional id is a 500 on SQLite); this one rejects it as bad input instead.
    """

    field_class = IdField


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, except that a request with no query parameters but paging
    ones (`page`, `page_size`, `format`) returns the queryset as it is: the filter set would
    bind an empty form, validate it and apply nothing, at about a millisecond per list read
    (bench/api_throughput.py)."""

    PAGING = frozenset({"page", "page_size", "format"})

    @classmethod
    def unfiltered(cls, request) -> bool:
        """True when the request asks for nothing but a page (no filter parameter)."""
        return cls.PAGING.issuperset(request.query_params.keys())

    def filter_queryset(self, request, queryset, view):
        if self.unfiltered(request):
            return queryset
        return super().filter_queryset(request, queryset, view)
