from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from reflect import audit, limits, tokens
from reflect.accounts import services as accounts
from reflect.api.authentication import MFA_NEEDED
from reflect.api.filters import IdFilter
from reflect.api.permissions import NotPatientRep
from rubrics.models import Competency

from .. import services
from ..counts import annotate_counts
from ..models import Reflection
from ..policies import learners
from ..policies import reflections as policy
from ..search import search_reflections
from ..site import portfolio_root
from .attachments import with_attachments
from .rows import RowViewMixin, attach
from .serializers import (
    ErrorDetailSerializer,
    IdentifierFindingsErrorSerializer,
    LearnerSerializer,
    MeSerializer,
    ReflectionCreateSerializer,
    ReflectionPatchSerializer,
    ReflectionSerializer,
    ReflectionSubmitSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)


def _listed_reflections(user):
    """The reflections `user` may see, in list order (the list, detail and write views)."""
    return policy.visible(user).order_by("-occurred_on", "-id")


def _with_themes(rows: list[dict]) -> list[dict]:
    """The rows with their theme codes (`themes`), as `reflection.themes.all()` orders them (by
    Competency's default ordering): one query for the page."""
    order = [f"competency__{field}" for field in Competency._meta.ordering]
    links = Reflection.themes.through.objects.filter(reflection_id__in=[row["id"] for row in rows])
    return attach(rows, "themes", links.order_by(*order).values_list("reflection_id", "competency__code"))


class ObtainTokenView(APIView):
    """`POST {"username", "password"}` → `{"token"}`; wrong credentials → 400.

    Two-factor sign-in (an extension of the contract): an account with a second factor set up
    also sends `otp`; a person who must use two-factor sign-in and has not set it up is
    refused with 403 until they do so on the site. Each call gives a new token, valid for
    `API_TOKEN_TTL_HOURS`.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            403: OpenApiResponse(
                ErrorDetailSerializer,
                description="Two-factor sign-in is required for this role and not set up yet.",
            ),
        },
        description="Wrong credentials → 400. Repeated failures for one username and address lock "
        "sign-in (429 with Retry-After), even with the right password, until the cool-off ends. "
        "Accounts with two-factor sign-in must also send `otp` (a code from their authenticator app "
        "or a recovery code): without it → 400 naming `otp`; a wrong code counts as a failed sign-in. "
        "When two-factor sign-in is required for the caller's role (admins and examiners, "
        "REQUIRE_MFA_FOR_STAFF) and they have not set it up → 403.",
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        password = serializer.validated_data["password"]
        user = authenticate(request._request, username=username, password=password)
        if user is None or not user.is_active:
            return Response(
                {"detail": "Unable to sign in with the username and password given."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if accounts.lacks_required_second_factor(user):
            return Response({"detail": MFA_NEEDED}, status=status.HTTP_403_FORBIDDEN)
        if accounts.has_second_factor(user):
            otp = serializer.validated_data.get("otp", "")
            if not otp:
                return Response(
                    {
                        "otp": [
                            "This account uses two-factor sign-in: send the current 6-digit code from "
                            "the authenticator app (or an unused recovery code) as otp."
                        ]
                    },
                    status=status.HTTP_400_BAD_REQUEST,
                )
            if not accounts.verify_second_factor(user, otp):
                # A wrong code is a failed sign-in: django-axes counts it like a wrong password.
                user_login_failed.send(
                    sender=user.__class__, credentials={"username": username}, request=request._request
                )
                return Response(
                    {"otp": ["That code is not right. Codes change every 30 seconds: use the current one."]},
                    status=status.HTTP_400_BAD_REQUEST,
                )
        # A token sign-in is a sign-in: the signal records it (last_login) and lets axes reset
        # the failure count of this username + address (AXES_RESET_ON_SUCCESS).
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        # A new token at every sign-in (reflect.tokens: it expires; revoked with the password).
        _, key = tokens.issue(user, client=request.META.get("HTTP_USER_AGENT", ""))
        return Response({"token": key})


class MeView(generics.RetrieveAPIView):
    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user


class LearnerFilter(filters.FilterSet):
    cohort = IdFilter(field_name="enrolment__cohort_id")


class LearnerViewSet(viewsets.ReadOnlyModelViewSet):
    """Learners in the caller's scope (learner: self; tutor: allocated; examiner: panel
    cohorts; admin: all)."""

    serializer_class = LearnerSerializer
    permission_classes = [NotPatientRep]
    filterset_class = LearnerFilter

    def get_queryset(self):
        # Counts are of what others may read (each app's released evidence: non-draft
        # reflections, released assessments, feedback not withdrawn), by `portfolio.counts`.
        return annotate_counts(
            learners.visible(self.request.user).select_related("enrolment__cohort")
        ).order_by("last_name", "first_name", "username")

    def retrieve(self, request, *args, **kwargs):
        learner = self.get_object()
        audit.record(request.user, "read", learner=learner, obj=learner, via="api")
        return Response(self.get_serializer(learner).data)


# --- Reflections --------------------------------------------------------------------------
class ReflectionFilter(filters.FilterSet):
    learner = IdFilter(field_name="learner_id")
    cohort = IdFilter(field_name="learner__enrolment__cohort_id")
    kind = filters.ChoiceFilter(choices=Reflection.Kind.choices)
    theme = filters.CharFilter(method="filter_theme", help_text="A theme code, e.g. advocacy")
    status = filters.ChoiceFilter(choices=Reflection.Status.choices)
    occurred_after = filters.DateFilter(field_name="occurred_on", lookup_expr="gte")
    occurred_before = filters.DateFilter(field_name="occurred_on", lookup_expr="lte")
    q = filters.CharFilter(
        method="filter_q",
        max_length=limits.SEARCH,
        help_text="Text search (title and body) for these words, within your scope; punctuation is ignored",
    )

    class Meta:
        model = Reflection
        fields: list[str] = []

    def filter_theme(self, queryset, name, value):
        return queryset.filter(
            pk__in=Reflection.themes.through.objects.filter(competency__code=value).values("reflection_id")
        )

    def filter_q(self, queryset, name, value):
        # Applied last (declared last): the search runs inside the scoped, filtered queryset.
        return search_reflections(queryset, value)


_REFLECTION_ERRORS = {
    400: OpenApiResponse(description="Invalid fields: {field: [message]} or {detail}"),
    403: OpenApiResponse(ErrorDetailSerializer, description="Your role may not do this"),
    404: OpenApiResponse(ErrorDetailSerializer, description="Not found (or outside your scope)"),
}


@extend_schema_view(
    list=extend_schema(summary="Reflections in your scope"),
    retrieve=extend_schema(
        summary="One reflection", responses={200: ReflectionSerializer, 404: ErrorDetailSerializer}
    ),
    create=extend_schema(
        summary="Create a draft in your own portfolio (learners only)",
        request=ReflectionCreateSerializer,
        responses={201: ReflectionSerializer, **_REFLECTION_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change your own draft or changes-requested reflection",
        request=ReflectionPatchSerializer,
        responses={
            200: ReflectionSerializer,
            **_REFLECTION_ERRORS,
            409: OpenApiResponse(
                ErrorDetailSerializer, description="Stale version, or not editable in its state"
            ),
        },
    ),
)
class ReflectionViewSet(
    RowViewMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Reflections: the learner sees all their own; tutors, examiners and admins see the
    non-draft reflections of learners in their scope. Writes go through
    `portfolio.services`, only on the caller's own reflections (others' → 404)."""

    serializer_class = ReflectionSerializer
    permission_classes = [NotPatientRep]
    filterset_class = ReflectionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Reflection.objects.none()
        scoped = _listed_reflections(self.request.user)
        if self.action in ("partial_update", "submit"):
            scoped = scoped & policy.scope(self.request.user, "change")
        if self.action in ("list", "retrieve"):
            return scoped  # read as `.values()` rows
        return scoped.select_related("learner")  # writes act on the instance

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "site_root": portfolio_root()}

    def with_children(self, rows: list[dict]) -> list[dict]:
        return with_attachments(_with_themes(rows), self.request.user)

    def _answer(self, pk: int) -> dict:
        """The reflection `pk` as the caller now sees it (after a write)."""
        return self.render_row(_listed_reflections(self.request.user).filter(pk=pk))

    def create(self, request, *args, **kwargs):
        serializer = ReflectionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reflection = services.create_reflection(request.user, dict(serializer.validated_data), via="api")
        return Response(self._answer(reflection.pk), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return Response({"detail": "Use PATCH."}, status=status.HTTP_405_METHOD_NOT_ALLOWED)
        reflection = self.get_object()
        serializer = ReflectionPatchSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if version is None:
            raise DRFValidationError({"version": ["Send the version you read."]})
        services.update_reflection(reflection, request.user, data, version, via="api")
        return Response(self._answer(reflection.pk))

    @extend_schema(
        summary="Submit for review",
        description=(
            "Runs the patient-identifier check. Any finding → 400 with `findings`, and the reflection "
            'stays as it was. Extension: send `{"confirm": true}` to submit despite warnings '
            "(dates of birth, phone numbers, e-mail addresses, postcodes, hospital numbers); a valid "
            "NHS number always blocks."
        ),
        request=ReflectionSubmitSerializer,
        responses={
            200: ReflectionSerializer,
            400: IdentifierFindingsErrorSerializer,
            403: ErrorDetailSerializer,
            404: ErrorDetailSerializer,
            409: OpenApiResponse(ErrorDetailSerializer, description="Already submitted or signed off"),
        },
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        reflection = self.get_object()
        serializer = ReflectionSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.submit(
                reflection, request.user, confirm_warnings=serializer.validated_data["confirm"], via="api"
            )
        except services.IdentifierFindings as exc:
            return Response(
                {
                    "detail": exc.messages[0],
                    "findings": [
                        {
                            "kind": f.kind,
                            "excerpt": f.excerpt,
                            "blocking": f.blocking,
                            "message": f.message,
                            "where": f.where,
                        }
                        for f in exc.findings
                    ],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(self._answer(reflection.pk))
