from django.urls import path
from rest_framework.routers import SimpleRouter

from . import feedback_views, views

router = SimpleRouter()
router.register("assessments", views.AssessmentViewSet, basename="assessment")
router.register(
    "feedback-invitations", feedback_views.FeedbackInvitationViewSet, basename="feedback-invitation"
)
router.register("feedback", feedback_views.FeedbackViewSet, basename="feedback")

urlpatterns = [
    path(
        "feedback/respond/<str:token>/", feedback_views.FeedbackRespondView.as_view(), name="feedback-respond"
    ),
    *router.urls,
]
