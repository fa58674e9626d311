from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("feedback-invitations", views.FeedbackInvitationViewSet, basename="feedback-invitation")
router.register("feedback", views.FeedbackViewSet, basename="feedback")
router.register("colleague-rounds", views.ColleagueRoundViewSet, basename="colleague-round")

urlpatterns = [
    path("feedback/respond/<str:token>/", views.FeedbackRespondView.as_view(), name="feedback-respond"),
    *router.urls,
]
