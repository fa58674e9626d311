from rest_framework.routers import SimpleRouter

from .views import RubricViewSet

router = SimpleRouter()
router.register("rubrics", RubricViewSet, basename="rubric")

urlpatterns = [*router.urls]
