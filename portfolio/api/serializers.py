from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reflect import limits
from reflect import roles as R
from reflect.api.rendering import column_renderers
from reflect.people import display_name

from ..models import Cohort, Panel, Reflection, Setting
from ..routing import site_urlconf
from ..site import portfolio_root


class CohortRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cohort
        fields = ["id", "name", "programme_type"]


class PersonRefSerializer(serializers.Serializer):
    """`{id, display_name}` used wherever the contract nests a person."""

    id = serializers.IntegerField(read_only=True)
    display_name = serializers.SerializerMethodField()

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
class ReflectionSerializer(serializers.ModelSerializer):
    """A reflection as the contract describes it. `url` is its page on the site."""

    learner = PersonRefSerializer(read_only=True)
    themes = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    placement = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    # Declared so the schema allows "" (no setting): DRF drops allow_blank on read-only fields.
    setting = serializers.ChoiceField(choices=Setting.choices, allow_blank=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Reflection
        fields = [
            "id",
            "learner",
            "title",
            "kind",
            "setting",
            "placement",
            "occurred_on",
            "themes",
            "body_html",
            "status",
            "submitted_at",
            "version",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        root = self.context.get("site_root") or portfolio_root()
        return root.rstrip("/") + reverse("reflection_detail", urlconf=site_urlconf(), args=[obj.pk])


# --- List fast path --------------------------------------------------------------------------
# The reflections list renders pages from `.values()` rows (one query for the page, one for the
# pages' theme codes) instead of model instances. The output must be exactly what
# `ReflectionSerializer` gives (tests/api/test_list_fast_path.py compares them): scalar values
# go through the very fields of `ReflectionSerializer`, nulls stay null as DRF does.
REFLECTION_LIST_COLUMNS = (
    "id",
    "learner_id",
    "learner__first_name",
    "learner__last_name",
    "learner__username",
    "title",
    "kind",
    "setting",
    "placement_id",
    "occurred_on",
    "body_html",
    "status",
    "submitted_at",
    "version",
)
_RENDERED = ("title", "kind", "setting", "occurred_on", "body_html", "status", "submitted_at", "version")
_fields: dict = {}


def _field_renderers() -> dict:
    if not _fields:
        _fields.update(ReflectionSerializer().fields)
    return column_renderers(_fields, _RENDERED)


def reflection_list_data(rows: list[dict], theme_rows, site_root: str) -> list[dict]:
    """Render a page of reflections exactly as `ReflectionSerializer(many=True)` would.

    Args:
        rows: the page, dicts of `REFLECTION_LIST_COLUMNS` in page order.
        theme_rows: (reflection id, theme code) pairs for those reflections, in the order
            `Competency`'s default ordering gives (as `reflection.themes.all()` does).
        site_root: the portfolio page's URL (`portfolio.site.portfolio_root()`).

    Returns:
        A list of dicts with the serializer's keys, key order and values.
    """
    render = _field_renderers()
    themes: dict[int, list[str]] = {row["id"]: [] for row in rows}
    for reflection_id, code in theme_rows:
        themes[reflection_id].append(code)
    root = site_root.rstrip("/")
    urlconf = site_urlconf()
    # One reverse() for the page: the detail path with a marker id, the marker replaced per row
    # (`<int:pk>` renders the id as str(id)); per-row reverse() if the marker is ambiguous.
    marker = "987654321987"
    pattern = reverse("reflection_detail", urlconf=urlconf, args=[int(marker)])
    if pattern.count(marker) == 1:
        prefix, suffix = pattern.split(marker)

        def path_of(pk: int) -> str:
            return f"{prefix}{pk}{suffix}"
    else:  # pragma: no cover - depends on the site URL conf

        def path_of(pk: int) -> str:
            return reverse("reflection_detail", urlconf=urlconf, args=[pk])

    out = []
    for row in rows:
        values = {name: (None if row[name] is None else render[name](row[name])) for name in _RENDERED}
        first, last = row["learner__first_name"], row["learner__last_name"]
        out.append(
            {
                "id": row["id"],
                "learner": {
                    "id": row["learner_id"],
                    "display_name": f"{first} {last}".strip() or row["learner__username"],
                },
                "title": values["title"],
                "kind": values["kind"],
                "setting": values["setting"],
                "placement": row["placement_id"],
                "occurred_on": values["occurred_on"],
                "themes": themes[row["id"]],
                "body_html": values["body_html"],
                "status": values["status"],
                "submitted_at": values["submitted_at"],
                "version": values["version"],
                "url": root + path_of(row["id"]),
            }
        )
    return out


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
