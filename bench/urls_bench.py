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
`/bench/jsonfloor/assessments/` goes one step further as an experiment: PostgreSQL renders the
page, its scores and the JSON in one statement (then the same audit write).
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
    """The page of 100 and its children, from SQL compiled once per (kind, user) from the
    project's own page and children queries."""
    from django.db import connection

    key = (kind, user.pk)
    if key not in _compiled:
        if kind == "assessments":
            from assessments.api.views import LIST_PAGE as page_shape
            from assessments.api.views import LIST_SCORES as children
        else:
            from portfolio.api.views import REFLECTION_PAGE as page_shape
            from portfolio.api.views import REFLECTION_THEMES as children
        page = page_shape.page_queryset(user, 0, 100)
        _compiled[key] = (*_compile(page), _children_sql(children.build([0])))
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
        from reflect import audit

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
        from portfolio.api.serializers import reflection_list_data
        from portfolio.models import Reflection
        from portfolio.site import portfolio_root
        from reflect import audit

        rows, themes = _page("reflections", request.user)
        audit.record_reads(request.user, rows, via="api", object_type=Reflection.__name__)
        return _floor_response(request, rows, reflection_list_data(rows, themes, portfolio_root()))


# The page of assessments rendered to JSON by PostgreSQL itself (an experiment: how far would
# moving the rendering into the database go?). Columns in ASSESSMENT_LIST_COLUMNS order, then
# the total; the JSON must parse to what the endpoint returns (checked by api_throughput.py).
_JSON_PAGE = """
SELECT json_build_object(
  'count', coalesce(max(p.total), 0),
  'results', coalesce(json_agg(json_build_object(
    'id', p.id,
    'reflection', p.reflection_id,
    'learner', json_build_object('id', p.learner_id,
        'display_name',
        coalesce(nullif(btrim(p.learner_first || ' ' || p.learner_last), ''), p.learner_username)),
    'rubric', json_build_object('id', p.rubric_id, 'version', p.rubric_version),
    'assessor', json_build_object('id', p.assessor_id,
        'display_name',
        coalesce(nullif(btrim(p.assessor_first || ' ' || p.assessor_last), ''), p.assessor_username)),
    'status', p.status,
    'scores', (SELECT coalesce(json_agg(json_build_object('criterion', s.criterion_id, 'level', s.level_id,
                  'points', l.points, 'comment', s.comment) ORDER BY c.sort_order, s.criterion_id), '[]')
               FROM assessments_score s JOIN rubrics_criterion c ON c.id = s.criterion_id
               LEFT JOIN rubrics_level l ON l.id = s.level_id WHERE s.assessment_id = p.id),
    'total', p.total_score,
    'max_score', p.max_score,
    'overall_comment', p.overall_comment,
    'finalised_at', CASE WHEN p.finalised_at IS NULL THEN NULL ELSE
        to_char(p.finalised_at AT TIME ZONE %s, 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN date_part('microseconds', p.finalised_at)::bigint %% 1000000 = 0 THEN ''
                ELSE to_char(p.finalised_at AT TIME ZONE %s, '.US') END
        || CASE WHEN (p.finalised_at AT TIME ZONE %s) = (p.finalised_at AT TIME ZONE 'UTC') THEN 'Z'
                ELSE '+' || to_char((p.finalised_at AT TIME ZONE %s) - (p.finalised_at AT TIME ZONE 'UTC'),
                                    'HH24:MI') END END,
    'version', p.version,
    'supersedes', p.supersedes_id,
    'superseded_by', p.superseded_by_id
  ) ORDER BY p.n), '[]'))::text,
  array_agg(p.id ORDER BY p.n), array_agg(p.learner_id ORDER BY p.n)
FROM (SELECT page.*, row_number() OVER () AS n FROM ({page}) AS page(
  id, reflection_id, learner_id, learner_first, learner_last, learner_username, rubric_id, rubric_version,
  assessor_id, assessor_first, assessor_last, assessor_username, status, total_score, max_score,
  overall_comment, finalised_at, version, supersedes_id, superseded_by_id, total)) AS p
"""
_json_compiled: dict = {}


class JsonFloorAssessments(APIView):
    """Page, scores and JSON from one PostgreSQL statement; then the same audit write."""

    def get(self, request):
        from django.conf import settings
        from django.db import connection
        from django.http import HttpResponse

        from assessments.api.views import LIST_PAGE
        from assessments.models import Assessment
        from reflect import audit

        user = request.user
        if user.pk not in _json_compiled:
            page = LIST_PAGE.page_queryset(user, 0, 100)
            sql, params = page.query.get_compiler(using=page.db).as_sql()
            tz = settings.TIME_ZONE
            _json_compiled[user.pk] = (_JSON_PAGE.replace("{page}", sql), [tz, tz, tz, tz, *params])
        sql, params = _json_compiled[user.pk]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            body, ids, learners = cursor.fetchone()
        audit.record_reads(
            user,
            [{"id": pk, "learner_id": lr} for pk, lr in zip(ids or [], learners or [], strict=True)],
            via="api",
            object_type=Assessment.__name__,
        )
        return HttpResponse(body, content_type="application/json")


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
    path("bench/jsonfloor/assessments/", JsonFloorAssessments.as_view()),
    path("", include("config.urls")),
]

handler400 = "reflect.error_views.bad_request"
handler403 = "reflect.error_views.permission_denied"
handler404 = "reflect.error_views.page_not_found"
handler500 = "reflect.error_views.server_error"
