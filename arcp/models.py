"""ARCP evidence packs (recorded exports), panel reviews and background cohort exports.

This is the only app that reads all the others (portfolio, rubrics, assessments).
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from reflect import limits

from . import codes

User = settings.AUTH_USER_MODEL


class ArcpExport(models.Model):
    """One ARCP pack as issued: the bytes' SHA-256 lets a panel verify a copy."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    learner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="arcp_exports")
    period_from = models.DateField()
    period_to = models.DateField(help_text="Also the evidence cut-off date.")
    sha256 = models.CharField(max_length=64, db_index=True)
    evidence_sha256 = models.CharField(
        max_length=64,
        blank=True,
        help_text="SHA-256 of what the pack prints, but its id and time: the same learner, period and "
        "evidence give back this pack instead of a new one (contract v1.1). Empty: never reused.",
    )
    size = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="arcp/%Y/%m/", blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "ARCP pack"
        indexes = [models.Index(fields=["learner", "period_from", "period_to", "evidence_sha256"])]

    def __str__(self) -> str:
        return f"ARCP pack {self.id} for {self.learner} ({self.period_from}–{self.period_to})"

    @property
    def file_held(self) -> bool:
        """Is the issued PDF stored here? Records of earlier years' packs (made before this
        system) carry only their fingerprint, and a stored file may have been removed; such a
        pack is never offered as a download."""
        return bool(self.file) and self.file.storage.exists(self.file.name)


class ArcpReviewQuerySet(models.QuerySet):
    def current(self):
        """Outcomes no later record has corrected."""
        return self.filter(superseded_by__isnull=True)


class ArcpReview(models.Model):
    """The panel's outcome for a learner and period, against the pack it judged from.

    Never edited: a recorded outcome is corrected by a new record that `supersedes` it, with
    the reason in `correction_reason`; both stay in the history. Outcome and reason codes
    follow the GMC's tables (`arcp.codes`).
    """

    learner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="arcp_reviews")
    period_from = models.DateField()
    period_to = models.DateField()
    export = models.ForeignKey(ArcpExport, on_delete=models.PROTECT, related_name="reviews")
    outcome = models.CharField(max_length=4, choices=[(o.code, o.label) for o in codes.OUTCOMES])
    reason_codes = models.JSONField(default=list, blank=True)
    comments = models.TextField(blank=True, max_length=limits.LONG_TEXT)
    actions = models.TextField(
        blank=True, max_length=limits.LONG_TEXT, help_text="What the learner is to do before the next review."
    )
    next_review_on = models.DateField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    appeal_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When the learner asked for a review (outcome 2) or appealed (3, 4)."
    )
    appeal_reason = models.TextField(
        blank=True, max_length=limits.COMMENT, help_text="The learner's grounds for the review or appeal."
    )
    learner_response = models.TextField(
        blank=True, max_length=limits.COMMENT, help_text="The learner's written response, shown to the panel."
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.TextField(blank=True, max_length=limits.LONG_TEXT)
    examiner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="arcp_reviews_made")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ArcpReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-period_to", "-created_at"]
        verbose_name = "ARCP review"

    def __str__(self) -> str:
        return f"Outcome {self.outcome} for {self.learner} ({self.period_to})"

    @property
    def is_superseded(self) -> bool:
        return hasattr(self, "superseded_by")

    def reason_labels(self) -> list[str]:
        return [codes.label_of(c) for c in self.reason_codes]


class CohortExport(models.Model):
    """A background export of every learner's pack in a cohort, as one ZIP."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    cohort = models.ForeignKey("portfolio.Cohort", on_delete=models.PROTECT, related_name="arcp_exports")
    period_from = models.DateField()
    period_to = models.DateField()
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    zip_file = models.FileField(upload_to="arcp/cohorts/%Y/%m/", blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.cohort} {self.period_from}–{self.period_to} ({self.status})"

    # A queued export no worker has started after this long is reported as waiting for one.
    WORKER_WAIT = datetime.timedelta(seconds=30)

    def waiting_for_worker(self, now=None) -> bool:
        """Still queued well after it was asked for: no task worker is picking jobs up."""
        now = now or timezone.now()
        return self.status == self.Status.QUEUED and now - self.created_at > self.WORKER_WAIT


class PackRequest(models.Model):
    """A pack asked for on the site and made in the background (`arcp.pack_requests`), so that
    no page waits seconds for WeasyPrint without saying so: the person who asked watches its
    progress and is taken to the pack when it is ready."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Could not be made"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    learner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    period_from = models.DateField()
    period_to = models.DateField()
    requested_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    via = models.CharField(max_length=10, default="site")
    # Where the person is taken when the pack is ready (a path of this site, set by the view).
    return_url = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    export = models.ForeignKey(ArcpExport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reused = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # One learner's pack of a cohort export (`arcp.cohort`): the cohort's packs are separate
    # tasks, so several workers share them.
    cohort_export = models.ForeignKey(
        CohortExport, null=True, blank=True, on_delete=models.CASCADE, related_name="pack_requests"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "ARCP pack request"

    def __str__(self) -> str:
        return f"Pack request for {self.learner} {self.period_from}–{self.period_to} ({self.status})"

    # Queued this long with no worker starting it: the page says so and offers to make it now.
    WORKER_WAIT = datetime.timedelta(seconds=10)

    IN_PROGRESS = (Status.QUEUED, Status.RUNNING)

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS

    def waiting_for_worker(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.QUEUED and now - self.created_at > self.WORKER_WAIT


# --- The educational supervisor's report -----------------------------------------------
class SupervisorReportQuerySet(models.QuerySet):
    def signed(self):
        return self.filter(status=SupervisorReport.Status.SIGNED)

    def covering(self, period_from: datetime.date, period_to: datetime.date, signed_by=None):
        """Signed reports whose period overlaps `period_from`–`period_to`, signed by `signed_by`
        (a datetime; default: any time): the reports a pack of that period holds."""
        qs = self.signed().filter(period_from__lte=period_to, period_to__gte=period_from)
        if signed_by is not None:
            qs = qs.filter(signed_at__lte=signed_by)
        return qs

    def with_themes(self):
        """Prefetch each report's theme sections with their themes (one query more)."""
        rows = SupervisorReportTheme.objects.select_related("theme")
        return self.prefetch_related(models.Prefetch("theme_sections", queryset=rows))

    def for_reading(self):
        """With author, learner and theme sections: a report read in full (a few queries)."""
        return self.select_related("author", "learner").with_themes()


class SupervisorReport(models.Model):
    """The educational supervisor's report (ESR) for a learner's review period: written by
    their tutor, shared with the learner (who may add a comment), then signed and frozen.

    `draft → shared → signed`; only `arcp.services.supervision` changes it. A signed report is
    never edited; the panel reads signed reports only (`arcp.policies.supervisor_reports`).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SHARED = "shared", "Shared with the learner"
        SIGNED = "signed", "Signed"

    class Recommendation(models.TextChoices):
        SATISFACTORY = "satisfactory", "Satisfactory progress"
        UNSATISFACTORY = "unsatisfactory", "Unsatisfactory progress"
        INSUFFICIENT_EVIDENCE = "insufficient_evidence", "Insufficient evidence"

    #: The narrative sections, in the order they are printed: (field, heading).
    SECTIONS = (
        ("progress", "Overall progress"),
        ("engagement", "Engagement with supervision and the portfolio"),
        ("concerns", "Concerns"),
        ("development_needs", "Agreed development needs"),
    )

    learner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="supervisor_reports")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="supervisor_reports_written")
    period_from = models.DateField()
    period_to = models.DateField()
    recommendation = models.CharField(max_length=24, choices=Recommendation.choices)
    progress = models.TextField(blank=True, max_length=limits.LONG_TEXT)
    engagement = models.TextField(blank=True, max_length=limits.LONG_TEXT)
    concerns = models.TextField(blank=True, max_length=limits.LONG_TEXT)
    development_needs = models.TextField(blank=True, max_length=limits.LONG_TEXT)
    learner_comment = models.TextField(blank=True, max_length=limits.COMMENT)
    learner_commented_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    objects = SupervisorReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period_to", "-created_at"]
        verbose_name = "educational supervisor's report"
        indexes = [models.Index(fields=["learner", "status", "period_to"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_to__gte=models.F("period_from")), name="esr_period_in_order"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="signed") | models.Q(signed_at__isnull=False),
                name="esr_signed_has_date",
            ),
            # One report per learner per review period. The service refuses any overlap (under
            # a lock on the learner); this is the database's backstop for the same period.
            models.UniqueConstraint(
                fields=["learner", "period_from", "period_to"], name="esr_one_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"Supervisor's report for {self.learner} ({self.period_from}–{self.period_to}, {self.status})"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    def sections(self) -> list[tuple[str, str]]:
        """(heading, text) of each narrative section, in order (empty ones too)."""
        return [(heading, getattr(self, name)) for name, heading in self.SECTIONS]

    def theme_texts(self) -> dict[int, str]:
        """The tutor's text per theme: {competency id: text} (prefetch `theme_sections`)."""
        return {row.theme_id: row.progress for row in self.theme_sections.all()}


class SupervisorReportTheme(models.Model):
    """The tutor's judgement of progress in one of the eight social-accountability themes
    (`rubrics.Competency.objects.themes()`), one per report and theme. Changed only through
    `arcp.services.supervision`, with the report (frozen once it is signed)."""

    report = models.ForeignKey(SupervisorReport, on_delete=models.CASCADE, related_name="theme_sections")
    theme = models.ForeignKey("rubrics.Competency", on_delete=models.PROTECT, related_name="+")
    progress = models.TextField(blank=True, max_length=limits.LONG_TEXT)

    class Meta:
        ordering = ["theme__sort_order", "theme__code"]
        verbose_name = "supervisor's report theme section"
        constraints = [models.UniqueConstraint(fields=["report", "theme"], name="esr_theme_once")]

    def __str__(self) -> str:
        return f"{self.theme} in {self.report}"
