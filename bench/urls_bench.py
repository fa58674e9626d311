"""Bench-only URL conf: the project (`config.urls`), two bare DRF twins and two "floor" twins.

Selected with `ROOT_URLCONF=bench.urls_bench` in the benchmark's server process only. The bare
views go through the same DRF stack as the project's API (token authentication, permission
check, throttles, JSON renderer) but return a precomputed page of plain dicts, shaped exactly
like the real response (captured from it), so the difference measures the project's own work:
queryset, scope filter, serializers.

The floor twins (PostgreSQL only) do the project's list work with the query *building* taken
away: the page SQL the project's own queryset compiles to for this user (compiled once per
process, then executed as it is), the scores or themes by one fixed statement, the same audit
write (`portfolio.audit.record_reads`) and the same rendering (`*_list_data`). What separates
them from the bare views is the work no implementation of the contract can skip: running the
scoped page query, reading the children, writing the audit rows, turning rows into JSON.
They answer "how far could any Python-side optimisation take the ratio on this machine?".
"""

import json
import os
from pathlib import Path

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView


def _load() -> dict:
    source = os.environ.get("BENCH_BARE_DATA")
    return json.loads(Path(source).read_text()) if source else {"assessments": {}, "reflections": {}}


BARE = _load()


_compiled: dict = {}


def _compile(queryset) -> tuple[str, list, list[str]]:
    query = queryset.query
    sql, params = query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params), [*query.extra_select, *query.values_select, *query.annotation_select]


def _children_sql(queryset) -> str:
    """The SQL of `queryset` filtered with `<fk>__in=[0]`, taking the id list as ONE array."""
    sql, _params = queryset.query.get_compiler(using=queryset.db).as_sql()
    assert sql.count(" IN (%s)") == 1, sql
    return sql.replace(" IN (%s)", " = ANY(%s)")


def _page(kind: str, user) -> tuple[list[dict], list]:
    from django.db import connection
    from django.db.models import Count, Window

    key = (kind, user.pk)
    if key not in _compiled:
        if kind == "assessments":
            from assessments.api.serializers import ASSESSMENT_LIST_COLUMNS, SCORE_LIST_COLUMNS
            from assessments.api.views import SCORE_ORDER
            from assessments.models import Assessment, Score

            scoped = Assessment.objects.visible_to(user).order_by("-created_at", "-id")
            rows = scoped.values(*ASSESSMENT_LIST_COLUMNS)
            children = Score.objects.filter(assessment_id__in=[0]).order_by(*SCORE_ORDER)
            children = children.values_list(*SCORE_LIST_COLUMNS)
        else:
            from portfolio.api.serializers import REFLECTION_LIST_COLUMNS
            from portfolio.models import Reflection
            from rubrics.models import Competency

            scoped = Reflection.objects.visible_to(user).order_by("-occurred_on", "-id")
            rows = scoped.values(*REFLECTION_LIST_COLUMNS)
            order = [f"competency__{field}" for field in Competency._meta.ordering]
            children = Reflection.themes.through.objects.filter(reflection_id__in=[0]).order_by(*order)
            children = children.values_list("reflection_id", "competency__code")
        page = rows.annotate(_page_total=Window(Count("pk")))[:100]
        _compiled[key] = (*_compile(page), _children_sql(children))
    sql, params, names, children_sql = _compiled[key]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        cursor.execute(children_sql, [[row["id"] for row in rows]])
        children = cursor.fetchall()
    return rows, children


def _floor_response(request, rows: list[dict], results: list[dict]) -> Response:
    from rest_framework.utils.urls import replace_query_param

    count = rows[0]["_page_total"] if rows else 0
    url = request.build_absolute_uri()
    return Response(
        {
            "count": count,
            "next": replace_query_param(url, "page", 2) if count > len(rows) else None,
            "previous": None,
            "results": results,
        }
    )


class FloorAssessments(APIView):
    def get(self, request):
        from assessments.api.serializers import assessment_list_data
        from assessments.models import Assessment
        from portfolio import audit

        rows, scores = _page("assessments", request.user)
        audit.record_reads(
            request.user,
            [{"id": row["id"], "learner_id": row["reflection__learner_id"]} for row in rows],
            via="api",
            object_type=Assessment.__name__,
        )
        return _floor_response(request, rows, assessment_list_data(rows, scores))


class FloorReflections(APIView):
    def get(self, request):
        from portfolio import audit
        from portfolio.api.serializers import reflection_list_data
        from portfolio.models import Reflection
        from portfolio.site import portfolio_root

        rows, themes = _page("reflections", request.user)
        audit.record_reads(request.user, rows, via="api", object_type=Reflection.__name__)
        return _floor_response(request, rows, reflection_list_data(rows, themes, portfolio_root()))


class BareAssessments(APIView):
    def get(self, request):
        return Response(BARE["assessments"])


class BareReflections(APIView):
    def get(self, request):
        return Response(BARE["reflections"])


urlpatterns = [
    path("bench/bare/assessments/", BareAssessments.as_view()),
    path("bench/bare/reflections/", BareReflections.as_view()),
    path("bench/floor/assessments/", FloorAssessments.as_view()),
    path("bench/floor/reflections/", FloorReflections.as_view()),
    path("", include("config.urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
