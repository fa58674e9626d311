from django.core.paginator import Page
from django.db.models import Count, Window
from rest_framework import pagination
from rest_framework.exceptions import NotFound

from reflect.api.filters import FilterBackend

TOTAL = "_page_total"
# No list has this many pages; a larger number is "past the end" without asking the database
# (an OFFSET beyond 64 bits is an error there, not an empty page).
MAX_PAGE = 2**31


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M` (default 50, max 200) → {count, next, previous, results}."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_rows(self, queryset, request, view=None) -> list[dict]:
        """`paginate_queryset` for a `.values()` queryset in ONE query instead of two: the
        total comes with the page's rows as `COUNT(*) OVER ()` (a window over the filtered
        rows, computed before LIMIT/OFFSET). Same page, same `count`, same next/previous links
        and the same 404 for a page past the end as `paginate_queryset`
        (tests/api/test_pagination.py).

        A DISTINCT query (the window would count duplicates) or `?page=last` (the total is
        needed first) takes the usual two-query path.
        """
        number = request.query_params.get(self.page_query_param) or 1
        if queryset.query.distinct or number in self.last_page_strings:
            return self.paginate_queryset(queryset, request, view)
        number, page_size = self._bounds(request, number)
        offset = (number - 1) * page_size
        rows = list(queryset.annotate(**{TOTAL: Window(Count("pk"))})[offset : offset + page_size])
        return self._finish(queryset, rows, number, page_size)

    def paginate_list(self, shape, request, view) -> list[dict]:
        """A page of a list endpoint's rows (`portfolio.api.compiled.PageShape`): with filter
        parameters, the view's filters on the ORM query (`paginate_rows`); without, the
        page's SQL reused across requests of the same shape (`paginate_shape`)."""
        if FilterBackend.unfiltered(request):
            return self.paginate_shape(shape, request, view)
        rows = view.filter_queryset(shape.listed(request.user)).values(*shape.columns)
        return self.paginate_rows(rows, request, view)

    def paginate_shape(self, shape, request, view=None) -> list[dict]:
        """`paginate_rows` for an unfiltered list whose page query is a
        `portfolio.api.compiled.PageShape`: the same page, total, links and 404s, with the
        page's SQL reused across requests of the same shape."""
        number = request.query_params.get(self.page_query_param) or 1
        if number not in self.last_page_strings:
            number, page_size = self._bounds(request, number)
            rows = shape.rows(request.user, (number - 1) * page_size, page_size)
            if rows is not None:
                return self._finish(None, rows, number, page_size)
        return self.paginate_rows(shape.build(request.user), request, view)

    def _bounds(self, request, number) -> tuple[int, int]:
        """(page number, page size) of the request; 404 for a page number that is not one."""
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
