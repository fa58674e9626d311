from django.urls import path
from rest_framework.routers import SimpleRouter

from . import attachments, goals, views

router = SimpleRouter()
router.register("learners", views.LearnerViewSet, basename="learner")
router.register("reflections", views.ReflectionViewSet, basename="reflection")
router.register("goals", goals.GoalViewSet, basename="goal")

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path(
        "reflections/<int:pk>/attachments/",
        attachments.ReflectionAttachmentsView.as_view(),
        name="api-reflection-attachments",
    ),
    path(
        "reflections/<int:pk>/attachments/<int:aid>/",
        attachments.ReflectionAttachmentView.as_view(),
        name="api-reflection-attachment",
    ),
    path(
        "reflections/<int:pk>/attachments/<int:aid>/file/",
        attachments.ReflectionAttachmentFileView.as_view(),
        name="api-attachment-file",
    ),
    *router.urls,
]
