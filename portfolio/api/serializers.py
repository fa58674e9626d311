from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reflect import limits
from reflect import roles as R
from reflect.people import display_name
from rubrics.models import Competency

from ..models import Cohort, Panel, Reflection, Setting
from ..routing import site_urlconf
from ..site import portfolio_root
from .attachments import AttachmentSerializer
from .rows import RowSerializer


class CohortRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cohort
        fields = ["id", "name", "programme_type"]


@extend_schema_field(OpenApiTypes.STR)
class DisplayNameField(serializers.Field):
    """A person's display name from a row's `<prefix>__first_name`, `<prefix>__last_name` and
    `<prefix>__username` (`reflect.people.display_name`: the full name, else the username)."""

    def __init__(self, prefix: str, **kwargs):
        self.row_columns = tuple(f"{prefix}__{name}" for name in ("first_name", "last_name", "username"))
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, row) -> str:
        first, last, username = (row[column] for column in self.row_columns)
        return f"{first} {last}".strip() or username


class PersonRefSerializer(RowSerializer):
    """`{id, display_name}` used wherever the contract nests a person."""

    # Of a user instance, or, with `prefix`, of a row's `<prefix>_id` and name columns
    # (e.g. `prefix="learner"`: `learner_id`, `learner__first_name`, ...).

    id = serializers.IntegerField(read_only=True)
    display_name = serializers.SerializerMethodField()

    def __init__(self, *args, prefix: str | None = None, **kwargs):
        self.prefix = prefix
        if prefix:
            kwargs["source"] = "*"
        super().__init__(*args, **kwargs)

    def get_fields(self):
        fields = super().get_fields()
        if self.prefix:
            fields["id"] = serializers.IntegerField(source=f"{self.prefix}_id", read_only=True)
            fields["display_name"] = DisplayNameField(self.prefix)
        return fields

    def get_display_name(self, obj) -> str:
        return display_name(obj)


class MeSerializer(serializers.ModelSerializer):
    display_name = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    cohorts = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "display_name", "roles", "cohorts"]

    def get_display_name(self, obj) -> str:
        return display_name(obj)

    def get_roles(self, obj) -> list[str]:
        return R.roles_of(obj)

    @extend_schema_field(CohortRefSerializer(many=True))
    def get_cohorts(self, obj):
        ids = set(Panel.objects.current().filter(examiner=obj).values_list("cohort_id", flat=True))
        enrolment = getattr(obj, "enrolment", None)
        if enrolment is not None:
            ids.add(enrolment.cohort_id)
        return CohortRefSerializer(Cohort.objects.filter(pk__in=ids).order_by("name"), many=True).data


class LearnerSerializer(serializers.ModelSerializer):
    display_name = serializers.SerializerMethodField()
    cohort = serializers.SerializerMethodField()
    # Annotated by `portfolio.counts` (each app contributes its own); 0 without that app.
    reflection_count = serializers.IntegerField(read_only=True, default=0)
    assessment_count = serializers.IntegerField(read_only=True, default=0)
    feedback_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = get_user_model()
        fields = [
            "id",
            "username",
            "display_name",
            "cohort",
            "reflection_count",
            "assessment_count",
            "feedback_count",
        ]

    def get_display_name(self, obj) -> str:
        return display_name(obj)

    @extend_schema_field(CohortRefSerializer(allow_null=True))
    def get_cohort(self, obj):
        enrolment = getattr(obj, "enrolment", None)
        return CohortRefSerializer(enrolment.cohort).data if enrolment else None


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    otp = serializers.CharField(
        required=False,
        max_length=64,
        help_text="Extension to contract v1.1: for accounts with two-factor sign-in, the current "
        "6-digit code of their authenticator app, or one of their unused recovery codes.",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


# --- Reflections --------------------------------------------------------------------------
def _help(model, name: str) -> str:
    return model._meta.get_field(name).help_text


class ReflectionSerializer(RowSerializer):
    """A reflection as the contract describes it. `url` is its page on the site."""

    # List and detail: a row of `columns()` with its theme codes attached (`themes`, in
    # Competency's ordering); `url` needs the context's `site_root`.

    id = serializers.IntegerField(read_only=True)
    learner = PersonRefSerializer(prefix="learner", read_only=True)
    title = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=Reflection.Kind.choices, read_only=True)
    # allow_blank so the schema allows "" (no setting).
    setting = serializers.ChoiceField(choices=Setting.choices, allow_blank=True, read_only=True)
    placement = serializers.IntegerField(source="placement_id", read_only=True, allow_null=True)
    occurred_on = serializers.DateField(read_only=True, help_text=_help(Reflection, "occurred_on"))
    themes = serializers.ListField(
        child=serializers.CharField(help_text=_help(Competency, "code")), read_only=True
    )
    body_html = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=Reflection.Status.choices, read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    # Attached by the views (`portfolio.api.attachments.with_attachments`), as themes are.
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        children = ("themes", "attachments")

    def get_url(self, row) -> str:
        # One reverse() per serializer (a page): the detail path of a marker id, split around
        # it (`<int:pk>` renders an id as str(id)).
        parts = self.__dict__.get("_url_parts")
        if parts is None:
            root = (self.context.get("site_root") or portfolio_root()).rstrip("/")
            marker = "987654321987"
            path = reverse("reflection_detail", urlconf=site_urlconf(), args=[int(marker)])
            prefix, _, suffix = path.partition(marker)
            parts = self._url_parts = (root + prefix, suffix) if path.count(marker) == 1 else (root, None)
        if parts[1] is None:  # pragma: no cover - a site URL conf whose path holds the marker
            return parts[0] + reverse("reflection_detail", urlconf=site_urlconf(), args=[row["id"]])
        return f"{parts[0]}{row['id']}{parts[1]}"


def _kind_field(**kwargs):
    return serializers.ChoiceField(choices=Reflection.Kind.choices, **kwargs)


def _setting_field(**kwargs):
    return serializers.ChoiceField(choices=Setting.choices, allow_blank=True, **kwargs)


class ReflectionWriteSerializer(serializers.Serializer):
    """Fields a learner sends. `body_html` is sanitised by the service (stored as free
    writing); `themes` are theme codes (unknown code → 400). Status, `submitted_at` and
    `learner` cannot be sent: the server sets them."""

    title = serializers.CharField(max_length=limits.TITLE)
    kind = _kind_field()
    occurred_on = serializers.DateField()
    setting = _setting_field(required=False)
    placement = serializers.IntegerField(required=False, allow_null=True, help_text="Placement id")
    themes = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=100, help_text="Theme codes"
    )
    body_html = serializers.CharField(
        allow_blank=True, trim_whitespace=False, max_length=limits.REFLECTION_HTML
    )


class ReflectionCreateSerializer(ReflectionWriteSerializer):
    pass


class ReflectionPatchSerializer(ReflectionWriteSerializer):
    """PATCH: any of the fields, plus the `version` you read (stale → 409)."""

    title = serializers.CharField(max_length=limits.TITLE, required=False)
    kind = _kind_field(required=False)
    occurred_on = serializers.DateField(required=False)
    body_html = serializers.CharField(
        allow_blank=True, trim_whitespace=False, required=False, max_length=limits.REFLECTION_HTML
    )
    version = serializers.IntegerField(help_text="The version you read; a stale one → 409.")


class ReflectionSubmitSerializer(serializers.Serializer):
    """Extension to the contract: `confirm: true` submits despite warnings (not NHS numbers)."""

    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Extension: true confirms that the warnings (dates of birth, phone numbers, e-mail "
        "addresses, postcodes, hospital numbers) identify nobody. A valid NHS number always blocks.",
    )


class IdentifierFindingSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="nhs_number | date_of_birth | phone_number | email | postcode | hospital_number"
    )
    excerpt = serializers.CharField()
    blocking = serializers.BooleanField(help_text="Extension: true for NHS numbers (cannot be confirmed).")
    message = serializers.CharField(help_text="Extension: what was found and why it matters.")
    where = serializers.CharField(help_text="Extension: the section it is in.")


class IdentifierFindingsErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    findings = IdentifierFindingSerializer(many=True)


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()
