from django.urls import path
from rest_framework.routers import SimpleRouter

from . import goals, views

router = SimpleRouter()
router.register("learners", views.LearnerViewSet, basename="learner")
router.register("reflections", views.ReflectionViewSet, basename="reflection")
router.register("goals", goals.GoalViewSet, basename="goal")

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    *router.urls,
]
