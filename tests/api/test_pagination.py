"""`PageNumberPagination.paginate_rows` (page and total in one query) must answer exactly as
DRF's two-query `paginate_queryset` does: same rows, count, next/previous links, and the same
404 for every page number past the end, and the same 400 for every one that is not a whole
number of 1 or more (the schema's integer)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from reflect.api.pagination import PageNumberPagination
from reflect.models import AuditEvent

pytestmark = pytest.mark.django_db

PAGES = ["", "1", "2", "3", "4", "last", "0", "-1", "abc", "1.0", " 2", "99999999999999999999"]


def _answer(method: str, queryset, params: dict):
    request = Request(APIRequestFactory().get("/api/v1/things/", params))
    paginator = PageNumberPagination()
    try:
        rows = getattr(paginator, method)(queryset, request)
    except NotFound as exc:
        return ("404", str(exc.detail))
    except ValidationError as exc:
        return ("400", exc.detail)
    response = paginator.get_paginated_response(rows).data
    return (list(rows), response["count"], response["next"], response["previous"])


@pytest.fixture
def rows():
    AuditEvent.objects.bulk_create(
        [AuditEvent(action="read", object_type="T", object_id=str(i)) for i in range(7)]
    )
    return AuditEvent.objects.order_by("-id").values("id", "object_id")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("size", ["3", "7", "50"])
def test_same_answer_as_drf(rows, page, size):
    params = {"page_size": size, **({"page": page} if page else {})}
    assert _answer("paginate_rows", rows, params) == _answer("paginate_queryset", rows, params)


@pytest.mark.parametrize("page", ["", "1", "2"])
def test_empty_list(page):
    empty = AuditEvent.objects.filter(pk=-1).values("id")
    params = {"page": page} if page else {}
    fast = _answer("paginate_rows", empty, params)
    assert fast == _answer("paginate_queryset", empty, params)
    assert fast == (("404", "Invalid page.") if page == "2" else ([], 0, None, None))


def test_one_query_for_page_and_total(rows):
    request = Request(APIRequestFactory().get("/api/v1/things/", {"page_size": 3, "page": 2}))
    paginator = PageNumberPagination()
    with CaptureQueriesContext(connection) as ctx:
        page = paginator.paginate_rows(rows, request)
    assert len(ctx.captured_queries) == 1
    assert [row["object_id"] for row in page] == ["3", "2", "1"]
    assert paginator.page.paginator.count == 7


def test_distinct_takes_the_counting_path(rows):
    request = Request(APIRequestFactory().get("/api/v1/things/", {"page_size": 3}))
    with CaptureQueriesContext(connection) as ctx:
        PageNumberPagination().paginate_rows(rows.distinct(), request)
    assert len(ctx.captured_queries) == 2
