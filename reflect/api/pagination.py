import re

from django.core.paginator import Page
from django.db.models import Count, Window
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

TOTAL = "_page_total"
# No list has this many pages; a larger number is "past the end" without asking the database
# (an OFFSET beyond 64 bits is an error there, not an empty page).
MAX_PAGE = 2**31
WHOLE_NUMBER = re.compile(r"[0-9]+")


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M` (default 50, max 200) → {count, next, previous, results}.

    Both are whole numbers of 1 or more, as the schema says; anything else (`page_size=null`,
    `page=`, `page=1.0`, `page=last`) is a 400 naming the parameter, not silently the default.
    A page past the end is 404; a `page_size` above 200 gives pages of 200.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()  # `page=last` is not a number: the schema declares an integer

    def check_parameters(self, request) -> None:
        """400 for a `page` or `page_size` that is not a whole number of 1 or more."""
        errors = {}
        for name in (self.page_query_param, self.page_size_query_param):
            if name in request.query_params:
                value = request.query_params[name]
                if not WHOLE_NUMBER.fullmatch(value) or int(value) < 1:
                    errors[name] = [f"A whole number, 1 or more (got {value[:40]!r})."]
        if errors:
            raise ValidationError(errors)

    def get_page_size(self, request) -> int:
        self.check_parameters(request)
        value = request.query_params.get(self.page_size_query_param)
        return min(int(value), self.max_page_size) if value else self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        self.check_parameters(request)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = {"type": "integer", "minimum": 1}
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page (default {self.page_size}; more than {self.max_page_size} "
                    f"gives {self.max_page_size})."
                )
            else:
                parameter["description"] = "A page number; a page past the end is 404."
        return parameters

    def paginate_rows(self, queryset, request, view=None) -> list[dict]:
        """`paginate_queryset` for a `.values()` queryset in ONE query instead of two: the
        total comes with the page's rows as `COUNT(*) OVER ()` (a window over the filtered
        rows, computed before LIMIT/OFFSET). Same page, same `count`, same next/previous links
        and the same 404 for a page past the end as `paginate_queryset`
        (tests/api/test_pagination.py).

        A DISTINCT query (the window would count duplicates) takes the usual two-query path.
        """
        self.check_parameters(request)
        number = request.query_params.get(self.page_query_param) or 1
        if queryset.query.distinct:
            return self.paginate_queryset(queryset, request, view)
        number, page_size = self._bounds(request, number)
        offset = (number - 1) * page_size
        rows = list(queryset.annotate(**{TOTAL: Window(Count("pk"))})[offset : offset + page_size])
        return self._finish(queryset, rows, number, page_size)

    def _bounds(self, request, number) -> tuple[int, int]:
        """(page number, page size) of the request; 400 for a page number that is not one,
        404 for one past any list's end."""
        self.request = request
        page_size = self.get_page_size(request)
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= MAX_PAGE:
            raise NotFound(self.invalid_page_message)
        return number, page_size

    def _finish(self, queryset, rows: list[dict], number: int, page_size: int) -> list[dict]:
        if not rows and number > 1:
            raise NotFound(self.invalid_page_message)
        paginator = self.django_paginator_class(queryset if queryset is not None else rows, page_size)
        # Paginator.count is a cached property: give it the total the query already returned.
        paginator.count = rows[0][TOTAL] if rows else 0
        for row in rows:
            del row[TOTAL]
        self.page = Page(rows, number, paginator)
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return rows
