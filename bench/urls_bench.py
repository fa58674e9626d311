"""Bench-only URL conf: the project (`config.urls`), two bare DRF twins and two "floor" twins.

Selected with `ROOT_URLCONF=bench.urls_bench` in the benchmark's server process only.

The bare views go through the same DRF stack as the project's API (token authentication,
permission check, throttles, JSON renderer) but return a precomputed page of plain dicts,
captured from the real response: the difference measures all of the project's own work.

The floor twins are the cheapest hand-written path over the same rows: the policy's queryset
built through the ORM on every request (as the project's must be: no SQL text, scope or page
is kept between requests), one `values_list()` query for the page with its total
(`COUNT(*) OVER ()`), one for its scores or theme codes, the same audit write
(`reflect.audit.record_reads`), the JSON built by hand from tuples, and the page envelope
written out without a paginator, a filter backend or a serializer. api_throughput.py checks
that each floor answers exactly what its endpoint answers before it measures anything.
"ORM path / floor" is then the price of defining the shape once in a serializer and going
through DRF's generic views, filters and pagination.
"""

import json
import os
from pathlib import Path

from django.db.models import Count, Window
from django.urls import include, path, reverse
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from assessments.models import Assessment, Score
from assessments.policies import assessments as assessment_policy
from portfolio.models import Reflection
from portfolio.policies import reflections as reflection_policy
from portfolio.routing import site_urlconf
from portfolio.site import portfolio_root
from reflect import audit
from rubrics.models import Competency


def _load() -> dict:
    source = os.environ.get("BENCH_BARE_DATA")
    return json.loads(Path(source).read_text()) if source else {"assessments": {}, "reflections": {}}


BARE = _load()
PAGE = 100


def _iso(value, tz) -> str:
    """DRF's DateTimeField for an aware datetime (ISO 8601, UTC as Z)."""
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _page(queryset, columns: tuple) -> list[tuple]:
    return list(queryset.values_list(*columns).annotate(_total=Window(Count("pk")))[:PAGE])


def _envelope(request, count: int, results: list[dict]) -> Response:
    url = request.build_absolute_uri()
    return Response(
        {
            "count": count,
            "next": replace_query_param(url, "page", 2) if count > len(results) else None,
            "previous": None,
            "results": results,
        }
    )


ASSESSMENT_COLUMNS = (
    "id",
    "reflection_id",
    "reflection__learner_id",
    "reflection__learner__first_name",
    "reflection__learner__last_name",
    "reflection__learner__username",
    "rubric_id",
    "rubric__version",
    "assessor_id",
    "assessor__first_name",
    "assessor__last_name",
    "assessor__username",
    "status",
    "total",
    "max_score",
    "overall_comment",
    "finalised_at",
    "version",
    "supersedes_id",
    "superseded_by__id",
)


class FloorAssessments(APIView):
    def get(self, request):
        user = request.user
        rows = _page(assessment_policy.visible(user).order_by("-created_at", "-id"), ASSESSMENT_COLUMNS)
        scores: dict[int, list] = {row[0]: [] for row in rows}
        children = (
            Score.objects.filter(assessment_id__in=list(scores))
            .order_by("criterion__sort_order", "criterion_id")
            .values_list("assessment_id", "criterion_id", "level_id", "level__points", "comment")
        )
        for assessment_id, criterion, level, points, comment in children:
            scores[assessment_id].append(
                {"criterion": criterion, "level": level, "points": points, "comment": comment}
            )
        audit.record_reads(
            user, [{"id": r[0], "learner_id": r[2]} for r in rows], via="api", object_type=Assessment.__name__
        )
        tz = timezone.get_current_timezone()
        results = [
            {
                "id": r[0],
                "reflection": r[1],
                "learner": {"id": r[2], "display_name": f"{r[3]} {r[4]}".strip() or r[5]},
                "rubric": {"id": r[6], "version": r[7]},
                "assessor": {"id": r[8], "display_name": f"{r[9]} {r[10]}".strip() or r[11]},
                "status": r[12],
                "scores": scores[r[0]],
                "total": r[13],
                "max_score": r[14],
                "overall_comment": r[15],
                "finalised_at": None if r[16] is None else _iso(r[16], tz),
                "version": r[17],
                "supersedes": r[18],
                "superseded_by": r[19],
            }
            for r in rows
        ]
        return _envelope(request, rows[0][-1] if rows else 0, results)


REFLECTION_COLUMNS = (
    "id",
    "learner_id",
    "learner__first_name",
    "learner__last_name",
    "learner__username",
    "title",
    "kind",
    "setting",
    "placement_id",
    "occurred_on",
    "body_html",
    "status",
    "submitted_at",
    "version",
)


class FloorReflections(APIView):
    def get(self, request):
        user = request.user
        rows = _page(reflection_policy.visible(user).order_by("-occurred_on", "-id"), REFLECTION_COLUMNS)
        themes: dict[int, list] = {row[0]: [] for row in rows}
        order = [f"competency__{field}" for field in Competency._meta.ordering]
        links = Reflection.themes.through.objects.filter(reflection_id__in=list(themes)).order_by(*order)
        for reflection_id, code in links.values_list("reflection_id", "competency__code"):
            themes[reflection_id].append(code)
        audit.record_reads(
            user, [{"id": r[0], "learner_id": r[1]} for r in rows], via="api", object_type=Reflection.__name__
        )
        tz = timezone.get_current_timezone()
        marker = "987654321"
        detail = reverse("reflection_detail", urlconf=site_urlconf(), args=[int(marker)])
        prefix, suffix = detail.split(marker)
        root = portfolio_root().rstrip("/") + prefix
        results = [
            {
                "id": r[0],
                "learner": {"id": r[1], "display_name": f"{r[2]} {r[3]}".strip() or r[4]},
                "title": r[5],
                "kind": r[6],
                "setting": r[7],
                "placement": r[8],
                "occurred_on": r[9].isoformat(),
                "themes": themes[r[0]],
                "body_html": r[10],
                "status": r[11],
                "submitted_at": None if r[12] is None else _iso(r[12], tz),
                "version": r[13],
                "url": f"{root}{r[0]}{suffix}",
            }
            for r in rows
        ]
        return _envelope(request, rows[0][-1] if rows else 0, results)


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

handler400 = "reflect.error_views.bad_request"
handler403 = "reflect.error_views.permission_denied"
handler404 = "reflect.error_views.page_not_found"
handler500 = "reflect.error_views.server_error"
