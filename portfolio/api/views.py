from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db.models import Count, Q
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from ..scope import learners_visible_to
from .permissions import NotPatientRep
from .serializers import LearnerSerializer, MeSerializer, TokenRequestSerializer, TokenResponseSerializer


class ObtainTokenView(APIView):
    """`POST {"username", "password"}` → `{"token"}`; wrong credentials → 400."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer},
        description="Wrong credentials → 400. Repeated failures for one username and address lock "
        "sign-in (429 with Retry-After), even with the right password, until the cool-off ends.",
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            return Response(
                {"detail": "Unable to sign in with the username and password given."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        # A token sign-in is a sign-in: the signal records it (last_login) and lets axes reset
        # the failure count of this username + address (AXES_RESET_ON_SUCCESS).
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(generics.RetrieveAPIView):
    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user


class LearnerFilter(filters.FilterSet):
    cohort = filters.NumberFilter(field_name="enrolment__cohort_id")


class LearnerViewSet(viewsets.ReadOnlyModelViewSet):
    """Learners in the caller's scope (learner: self; tutor: allocated; examiner: panel
    cohorts; admin: all)."""

    serializer_class = LearnerSerializer
    permission_classes = [NotPatientRep]
    filterset_class = LearnerFilter

    def get_queryset(self):
        # Counts are of what a supervisor may see: non-draft reflections, finalised
        # assessments, feedback that was not withdrawn.
        return (
            learners_visible_to(self.request.user)
            .select_related("enrolment__cohort")
            .annotate(
                reflection_count=Count("reflections", filter=~Q(reflections__status="draft"), distinct=True),
                assessment_count=Count(
                    "reflections__assessments",
                    filter=Q(reflections__assessments__status="finalised"),
                    distinct=True,
                ),
                feedback_count=Count(
                    "feedback_received",
                    filter=Q(feedback_received__withdrawn_at__isnull=True),
                    distinct=True,
                ),
            )
            .order_by("last_name", "first_name", "username")
        )
