from django.urls import path
from rest_framework.routers import SimpleRouter

from .. import sar_views
from . import views

router = SimpleRouter()
router.register("exports", views.ExportViewSet, basename="arcp-export")
router.register("arcp-reviews", views.ArcpReviewViewSet, basename="arcp-review")
router.register("supervisor-reports", views.SupervisorReportViewSet, basename="supervisor-report")

urlpatterns = [
    # Not under the learners router (portfolio.api.urls): a plain path that cannot clash.
    path("learners/<int:pk>/arcp.pdf", views.ArcpPackView.as_view(), name="api-learner-arcp-pdf"),
    path("me/subject-access.zip", sar_views.SubjectAccessView.as_view(), name="api-me-subject-access"),
    *router.urls,
]
