"""Bench-only URL conf: the project (`config.urls`) plus two bare DRF twins.

Selected with `ROOT_URLCONF=bench.urls_bench` in the benchmark's server process only. The bare
views go through the same DRF stack as the project's API (token authentication, permission
check, throttles, JSON renderer) but return a precomputed page of plain dicts, shaped exactly
like the real response (captured from it), so the difference measures the project's own work:
queryset, scope filter, serializers.
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


class BareAssessments(APIView):
    def get(self, request):
        return Response(BARE["assessments"])


class BareReflections(APIView):
    def get(self, request):
        return Response(BARE["reflections"])


urlpatterns = [
    path("bench/bare/assessments/", BareAssessments.as_view()),
    path("bench/bare/reflections/", BareReflections.as_view()),
    path("", include("config.urls")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
