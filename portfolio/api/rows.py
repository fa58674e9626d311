"""Read-only serializers over plain rows: each API list's shape is written once.

A list endpoint reads its page as `.values()` rows (dicts, column → value, no model
instances) and renders them with ONE serializer whose fields say which column they read
(`IntegerField(source="placement_id")`, a nested serializer with `source="*"` for columns of
the same row). The same serializer renders the detail answer (a page of one row), and the
OpenAPI schema is generated from it, so the list, the detail and the schema cannot drift.

- `RowSerializer.columns()` are the keys to ask `.values()` for: what its fields read,
  nested serializers over the same row included. Lists of children (a reflection's theme
  codes, an assessment's scores) come from a second query and are put in the rows with
  `attach()`; the serializer names them in `Meta.children`.
- `to_representation(row)` answers exactly what DRF's `Serializer.to_representation` answers
  for the row (tests/api/test_rows.py compares them); it only decides once per serializer
  instance, instead of once per value, how each field reads and renders its column
  (`reflect.api.rendering.column_renderers`: DRF's own `to_representation` for each field, or
  a quicker equivalent for datetimes and decimals, tests/api/test_rendering.py).
- Anything that is not a dict (a model instance) takes DRF's path unchanged, so a shared
  serializer such as `PersonRefSerializer` still renders instances elsewhere.
- `RowViewMixin` is a viewset's `list` and `retrieve` over such rows (page, children, audit).

Nothing here filters: the rows are those of the querysets the views take from the policies.
No SQL text, scope or page is kept between requests; only the column names of each
serializer class are worked out once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from rest_framework import serializers
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from reflect import audit
from reflect.api.rendering import column_renderers


class RowSerializer(serializers.Serializer):
    # A read-only serializer whose fields read plain rows (see the module docstring). No
    # docstring: the schema would take it as every subclass's description.
    # A field reads `row[field.source]` (one key, no dots), or the whole row when its source
    # is "*" (nested serializers, method fields); a field with `row_columns` says which
    # columns it reads from the whole row.

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        """The `.values()` keys a row needs, in field order, without `Meta.children`."""
        return _columns_of(cls)

    def to_representation(self, instance):
        if not isinstance(instance, dict):
            return super().to_representation(instance)
        plan = self.__dict__.get("_plan")
        if plan is None:
            plan = self._plan = self._make_plan()
        out = {}
        for name, key, render in plan:
            if key is None:
                out[name] = render(instance)
            else:
                value = instance[key]
                out[name] = None if value is None else render(value)
        return out

    def _make_plan(self) -> list[tuple]:
        """(output key, row key or None for the whole row, function) per readable field, as
        DRF reads them: `field.get_attribute(row)`, None stays None, else
        `field.to_representation(value)`."""
        by_key: dict[str, serializers.Field] = {}
        plan = []
        for field in self._readable_fields:
            if isinstance(field, serializers.SerializerMethodField):
                # What its to_representation does: the parent's (this serializer's) method.
                plan.append((field.field_name, None, getattr(self, field.method_name)))
                continue
            if field.source == "*":
                plan.append((field.field_name, None, field.to_representation))
                continue
            if len(field.source_attrs) != 1:
                raise ValueError(f"{type(self).__name__}.{field.field_name}: rows are flat; use one key")
            by_key[field.field_name] = field
            plan.append((field.field_name, field.source, None))
        render = column_renderers(by_key, by_key)
        return [(name, key, function or render[name]) for name, key, function in plan]


@functools.cache
def _columns_of(cls) -> tuple[str, ...]:
    # Column names only: what the class's fields read, the same for every request.
    return tuple(dict.fromkeys(_columns(cls())))


def _columns(serializer: serializers.Serializer) -> Iterable[str]:
    children = getattr(getattr(serializer, "Meta", None), "children", ())
    for name, field in serializer.fields.items():
        if field.write_only or name in children:
            continue
        if hasattr(field, "row_columns"):
            yield from field.row_columns
        elif isinstance(field, serializers.Serializer) and field.source == "*":
            yield from _columns(field)
        elif field.source != "*":  # method fields read columns other fields name
            yield field.source


def attach(rows: list[dict], name: str, children: Iterable[tuple]) -> list[dict]:
    """Give each row a list `row[name]` of its children, in the order of `children`.

    Args:
        rows: the page, dicts with an `id`.
        name: the key to fill (one of the serializer's `Meta.children`).
        children: (parent id, child) pairs, e.g. from `values_list("reflection_id", "code")`.

    Returns:
        `rows`, each with `row[name]` set (an empty list for a row without children).
    """
    lists: dict = {}
    for row in rows:
        row[name] = lists[row["id"]] = []
    for parent, child in children:
        lists[parent].append(child)
    return rows


class RowViewMixin:
    """`list` and `retrieve` of a DRF viewset, answered from `.values()` rows of its
    `get_queryset()` (the policy's) through its `serializer_class` (a `RowSerializer`).

    The viewset sets `learner_column` (the row key of the learner whose portfolio a row is
    part of, for the audit log) and may override `with_children(rows)` to attach its lists.
    A list is the page's query (with its total), one query per attached list and one audit
    row per learner on the page; a read is the same for one row, audited as one object.
    """

    learner_column = "learner_id"

    def with_children(self, rows: list[dict]) -> list[dict]:
        return rows

    def rows_queryset(self, queryset=None):
        """`queryset` (by default the view's, filtered) as rows of the serializer's columns."""
        if queryset is None:
            queryset = self.filter_queryset(self.get_queryset())
        return queryset.values(*self.get_serializer_class().columns())

    def render_row(self, queryset) -> dict:
        """The one row of `queryset` (a filter of the policy's), rendered."""
        (row,) = self.with_children(list(self.rows_queryset(queryset)))
        return self.get_serializer(row).data

    def list(self, request, *args, **kwargs):
        rows = self.rows_queryset()
        page = self.with_children(self.paginator.paginate_rows(rows, request, self))
        learner = self.learner_column.removesuffix("_id")
        kind = rows.model.__name__
        audit.record_reads(request.user, page, via="api", learner_attr=learner, object_type=kind)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        rows = self.rows_queryset()
        lookup = self.lookup_url_kwarg or self.lookup_field
        row = get_object_or_404(rows, **{self.lookup_field: kwargs[lookup]})
        self.check_object_permissions(request, row)
        # The audit row names the learner and the object by id: no query for either.
        learner, obj = get_user_model()(pk=row[self.learner_column]), rows.model(pk=row["id"])
        audit.record(request.user, "read", learner=learner, obj=obj, via="api")
        return Response(self.get_serializer(self.with_children([row])[0]).data)
