"""People, scope, placements, reflections and the audit log.

Reflections are ordinary models behind one scope rule (see design.md, "Why reflections are
models, not Wagtail pages"); Wagtail hosts them through the routable `PortfolioPage`, keeps
their history with `RevisionMixin` and indexes them for search.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage, storages
from django.db import models
from django.db.models import Q
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.models import Page, RevisionMixin
from wagtail.search import index

from reflect import dates, limits

from .routing import dispatch

User = settings.AUTH_USER_MODEL


# --- People and scope ---------------------------------------------------------------------
class Cohort(models.Model):
    class ProgrammeType(models.TextChoices):
        """Which ARCP rules apply (the GMC's tables differ for foundation and specialty
        training; undergraduate programmes follow specialty's): see `arcp.codes`."""

        UNDERGRADUATE = "undergraduate", "Undergraduate"
        FOUNDATION = "foundation", "Foundation"
        SPECIALTY = "specialty", "Specialty"

    name = models.CharField(max_length=150, unique=True)
    programme = models.CharField(max_length=200, help_text="e.g. MBChB Year 4, Foundation Programme")
    programme_type = models.CharField(
        "programme type",
        max_length=16,
        choices=ProgrammeType.choices,
        default=ProgrammeType.UNDERGRADUATE,
        help_text="Decides which ARCP outcomes and reason codes apply (foundation and specialty "
        "training follow different GMC tables; undergraduate follows specialty).",
    )
    year = models.PositiveIntegerField(help_text="Academic year the cohort started, e.g. 2026")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name


class Enrolment(models.Model):
    """A learner's membership of a cohort. A learner belongs to one cohort at a time."""

    learner = models.OneToOneField(User, on_delete=models.CASCADE, related_name="enrolment")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    joined_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["cohort", "learner__username"]

    def __str__(self) -> str:
        return f"{self.learner} in {self.cohort}"

    @classmethod
    def of(cls, learner) -> Enrolment | None:
        """`learner`'s enrolment with its cohort (None when not enrolled): no query when the
        caller loaded it with the learner (`select_related("enrolment__cohort")`)."""
        if type(learner).enrolment.is_cached(learner):
            return getattr(learner, "enrolment", None)  # cached as missing: None
        return cls.objects.filter(learner=learner).select_related("cohort").first()


class DateRangeMixin(models.Model):
    """Start/end dates; an empty end means "open ended". Current when start <= today <= end."""

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        start, end = self.range_fields()
        if getattr(self, start) and getattr(self, end) and getattr(self, end) < getattr(self, start):
            raise ValidationError({end: "The end date cannot be before the start date."})

    def range_fields(self) -> tuple[str, str]:
        return "starts_on", "ends_on"


class AllocationQuerySet(models.QuerySet):
    def current(self, on=None):
        return self.filter(dates.current(on=on))


class Allocation(DateRangeMixin):
    """A tutor (educational supervisor) allocated to a learner for a period."""

    tutor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="allocations_as_tutor")
    learner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="allocations_as_learner")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Leave empty while the allocation runs.")

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["tutor", "starts_on", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="allocation_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tutor} → {self.learner}"


class PanelQuerySet(models.QuerySet):
    def current(self, on=None):
        return self.filter(dates.current(start="opens_on", end="closes_on", on=on))


class Panel(DateRangeMixin):
    """One member of a cohort's ARCP panel for a review window, and their role on it.

    The person is `examiner` (they hold the examiner role whatever their panel role); what
    their row gives them is `role`'s (`portfolio.policies` and `arcp.policies` say how)."""

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        EXAMINER = "examiner", "Examiner"
        LAY_REPRESENTATIVE = "lay_representative", "Lay representative"
        EXTERNAL_ASSESSOR = "external_assessor", "External assessor"

    examiner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="examiner_panels")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="review_panels")
    opens_on = models.DateField()
    closes_on = models.DateField(null=True, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.EXAMINER)

    objects = PanelQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on"]
        indexes = [models.Index(fields=["examiner", "opens_on", "closes_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__isnull=True) | Q(closes_on__gte=models.F("opens_on")),
                name="panel_close_after_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.examiner} on {self.cohort}"

    def range_fields(self):
        return "opens_on", "closes_on"


#: Roles that judge the evidence: they read the portfolios of the cohort's learners and record
#: outcomes (the chair; where a panel names no chair, its examiners). The Gold Guide's panel
#: judges and records the outcome; lay representatives and external assessors are there to
#: assure the process is fair (a "critical friend") and read the packs only: see
#: `arcp.policies`.
RECORDING_ROLES = frozenset({Panel.Role.CHAIR, Panel.Role.EXAMINER})
#: Roles that read the packs of the panel's learners and nothing else.
PACK_READING_ROLES = frozenset({Panel.Role.LAY_REPRESENTATIVE, Panel.Role.EXTERNAL_ASSESSOR})


# --- Placements ---------------------------------------------------------------------------
class Setting(models.TextChoices):
    HOSPITAL = "hospital", "Hospital"
    PRIMARY_CARE = "primary_care", "Primary care"
    COMMUNITY = "community", "Community"
    THIRD_SECTOR = "third_sector", "Third-sector organisation"
    LMIC = "lmic", "Low/middle-income country attachment"
    OTHER = "other", "Other"


class Placement(models.Model):
    organisation = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=Setting.choices)
    place = models.CharField(max_length=200, help_text="Town, city or country")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    contact = models.CharField(max_length=200, blank=True, help_text="Name and e-mail of the placement lead")

    class Meta:
        ordering = ["organisation"]

    def __str__(self) -> str:
        return f"{self.organisation}, {self.place}"


# --- Reflections --------------------------------------------------------------------------
class Reflection(RevisionMixin, index.Indexed, models.Model):
    class Kind(models.TextChoices):
        COMMUNITY_PLACEMENT = "community_placement", "Community placement"
        LIVED_EXPERIENCE = "lived_experience", "Lived-experience session"
        THIRD_SECTOR = "third_sector", "Third-sector organisation"
        LMIC_ATTACHMENT = "lmic_attachment", "Low/middle-income country attachment"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        SIGNED_OFF = "signed_off", "Signed off"

    class Model(models.TextChoices):
        GIBBS = "gibbs", "Gibbs reflective cycle"
        ROLFE = "rolfe", "Rolfe: what? so what? now what?"
        KOLB = "kolb", "Kolb experiential learning"
        FREE = "free", "Free writing"

    EDITABLE_STATUSES = (Status.DRAFT, Status.CHANGES_REQUESTED)

    learner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reflections")
    title = models.CharField(max_length=255)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    setting = models.CharField(max_length=20, choices=Setting.choices, blank=True)
    placement = models.ForeignKey(Placement, null=True, blank=True, on_delete=models.PROTECT)
    occurred_on = models.DateField(help_text="When it happened")
    themes = models.ManyToManyField("rubrics.Competency", blank=True, related_name="reflections")
    reflective_model = models.CharField(max_length=10, choices=Model.choices, default=Model.FREE)
    # Section key -> sanitised HTML. `body_html` is the sections joined, kept for API, search, PDF.
    sections = models.JSONField(default=dict, blank=True)
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    signed_off_at = models.DateTimeField(null=True, blank=True, editable=False)
    signed_off_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    search_fields = [
        index.SearchField("title", boost=2),
        index.SearchField("body_html"),
        index.AutocompleteField("title"),
        # `id` lets `portfolio.search` hand the backend "the scoped queryset" as `pk IN (...)`,
        # whatever joins the scope and filters needed.
        index.FilterField("id"),
        index.FilterField("learner_id"),
        index.FilterField("status"),
        index.FilterField("kind"),
    ]

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["learner", "status"]),
            models.Index(fields=["status", "submitted_at"]),
            models.Index(fields=["occurred_on"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


class ReviewEvent(models.Model):
    """What happened to a reflection and who did it: submissions, tutor comments, requests
    for changes and sign-off. `revision` points at the stored revision for submissions."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        COMMENTED = "commented", "Commented"
        CHANGES_REQUESTED = "changes_requested", "Requested changes"
        SIGNED_OFF = "signed_off", "Signed off"

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    comment = models.TextField(blank=True, max_length=limits.COMMENT, help_text="Plain text; shown escaped.")
    revision = models.ForeignKey("wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.reflection}"


# --- Attachments --------------------------------------------------------------------------
ATTACHMENT_NAME_MAX = 200


def attachment_storage():
    """Where attachments' bytes live: the `attachments` storage if the deployment names one
    (e.g. a private bucket), else the default storage. Never served by a public URL: only
    through the views that ask `portfolio.policies.attachments`."""
    return storages["attachments"] if "attachments" in settings.STORAGES else default_storage


def attachment_name(instance, filename: str) -> str:
    """A random name (128 bits) that says nothing of the learner, the file or its type."""
    return f"attachments/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """A file added to a reflection (a certificate, a poster, a photo): PDF, PNG or JPEG,
    judged by its content and checked by `portfolio.services.attachments`; images are kept
    re-encoded without their metadata. Seen by whoever may see the reflection."""

    class ContentType(models.TextChoices):
        PDF = "application/pdf", "PDF"
        PNG = "image/png", "PNG image"
        JPEG = "image/jpeg", "JPEG image"

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(
        max_length=ATTACHMENT_NAME_MAX, help_text="The name it was uploaded as, cleaned"
    )
    content_type = models.CharField(max_length=32, choices=ContentType.choices)
    size = models.PositiveIntegerField(help_text="Bytes stored")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the bytes stored")
    file = models.FileField(upload_to=attachment_name, storage=attachment_storage, max_length=100)
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


# --- Wagtail page -------------------------------------------------------------------------
class PortfolioPage(RoutablePageMixin, Page):
    """The portfolio: every signed-in person lands on their role's dashboard under it.

    The screens are ordinary Django views declared in the site URL conf named by the
    `PORTFOLIO_SITE_URLCONF` setting; this page routes every sub-path to it.
    """

    intro = models.TextField(blank=True, max_length=limits.LONG_TEXT, help_text="Shown above the dashboard.")

    max_count = 1
    subpage_types: list[str] = []
    content_panels = Page.content_panels + ["intro"]

    @re_path(r"^(?P<rest>.+)$")
    def portfolio_view(self, request, rest):
        """Hand everything below the page to the site URL conf (`PORTFOLIO_SITE_URLCONF`),
        so that each app declares its screens in an ordinary `site_urls.py`."""
        return dispatch(self, request, rest)

    @path("")
    def dashboard(self, request):
        return dispatch(self, request, "")


# --- Goals (a personal development plan) live in their own module ---------------------------
from .goal_models import Goal, GoalComment  # noqa: E402,F401
