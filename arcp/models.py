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

User = settings.AUTH_USER_MODEL


class ArcpExport(models.Model):
    """One ARCP pack as issued: the bytes' SHA-256 lets a panel verify a copy."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    learner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="arcp_exports")
    period_from = models.DateField()
    period_to = models.DateField(help_text="Also the evidence cut-off date.")
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="arcp/%Y/%m/", blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "ARCP pack"

    def __str__(self) -> str:
        return f"ARCP pack {self.id} for {self.learner} ({self.period_from}–{self.period_to})"

    @property
    def file_held(self) -> bool:
        """Is the issued PDF stored here? Records of earlier years' packs (made before this
        system) carry only their fingerprint, and a stored file may have been removed; such a
        pack is never offered as a download."""
        return bool(self.file) and self.file.storage.exists(self.file.name)


class ArcpReview(models.Model):
    """The panel's outcome for a learner and period, against the pack it judged from."""

    class Outcome(models.TextChoices):
        O1 = "1", "1 – Satisfactory progress"
        O2 = "2", "2 – Development of specific competences required, no extra time"
        O3 = "3", "3 – Inadequate progress, additional training time required"
        O4 = "4", "4 – Released from training programme"
        O5 = "5", "5 – Incomplete evidence presented, additional training time may be required"
        O6 = "6", "6 – Gained all required competences"
        O7_1 = "7.1", "7.1 – Satisfactory progress (fixed-term post)"
        O7_2 = "7.2", "7.2 – Development of specific competences required (fixed-term post)"
        O7_3 = "7.3", "7.3 – Inadequate progress (fixed-term post)"
        O7_4 = "7.4", "7.4 – Incomplete evidence presented (fixed-term post)"
        O8 = "8", "8 – Time out of programme"
        O9 = "9", "9 – Top-up training"
        O10_1 = "10.1", "10.1 – Progress delayed, no extra time (no-fault)"
        O10_2 = "10.2", "10.2 – Progress delayed, additional time required (no-fault)"

    learner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="arcp_reviews")
    period_from = models.DateField()
    period_to = models.DateField()
    export = models.ForeignKey(ArcpExport, on_delete=models.PROTECT, related_name="reviews")
    outcome = models.CharField(max_length=4, choices=Outcome.choices)
    reason_codes = models.JSONField(default=list, blank=True)
    comments = models.TextField(blank=True, max_length=limits.LONG_TEXT)
    examiner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="arcp_reviews_made")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_to", "-created_at"]
        verbose_name = "ARCP review"

    def __str__(self) -> str:
        return f"Outcome {self.outcome} for {self.learner} ({self.period_to})"


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
