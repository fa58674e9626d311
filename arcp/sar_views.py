"""Subject access on the site and in the API: the learner downloads everything held about
them as one ZIP (`arcp.subject_access`). Only the learner themself; recorded in the audit log."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.views import APIView

from portfolio.policies import learners
from portfolio.views import portfolio_login_required, render
from reflect import roles as R
from reflect.api.permissions import HasAnyRole

from . import subject_access


def _zip_response(data: bytes, learner) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{subject_access.filename(learner)}"'
    response["Cache-Control"] = "no-store"
    return response


@portfolio_login_required
def subject_access_page(request):
    """What the download holds, and the button (learners only; 404 for anyone else)."""
    if not learners.is_learner(request.user):
        raise Http404("Only learners have a portfolio to download.")
    return render(request, "arcp/subject_access.html", {})


@portfolio_login_required
def subject_access_zip(request):
    """The ZIP itself (learners only, about themselves; 404 for anyone else)."""
    try:
        data = subject_access.build_zip(request.user, request.user, via="site")
    except PermissionDenied:
        raise Http404("Only learners have a portfolio to download.") from None
    return _zip_response(data, request.user)


class ZipRenderer(BaseRenderer):
    media_type = "application/zip"
    format = "zip"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


class SubjectAccessView(APIView):
    """`GET /api/v1/me/subject-access.zip`: everything held about the calling learner."""

    permission_classes = [HasAnyRole.of(R.LEARNER)]
    renderer_classes = [ZipRenderer, JSONRenderer]

    def handle_exception(self, exc):
        # Errors are JSON whatever the client accepted (the ZIP renderer cannot draw them).
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    @extend_schema(
        operation_id="me_subject_access_zip",
        summary="Download everything held about me (learners only)",
        description="A ZIP of profile.json, reflections.json, assessments.json, feedback.json, "
        "arcp.json, audit.json and the ARCP packs under pdfs/. Recorded in the audit log.",
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The ZIP archive"),
            (401, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="Not signed in"),
            (403, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description="Not a learner"),
        },
        tags=["me"],
    )
    def get(self, request):
        data = subject_access.build_zip(request.user, request.user, via="api")
        return _zip_response(data, request.user)
