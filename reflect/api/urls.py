from rest_framework.routers import SimpleRouter

from . import tokens

router = SimpleRouter()
router.register("auth/tokens", tokens.ApiTokenViewSet, basename="api-own-token")

urlpatterns = router.urls
