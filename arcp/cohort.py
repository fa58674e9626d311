"""Cohort exports: every learner's ARCP pack of a cohort for one period, made in the
background (django-tasks; the database queue by default, `python manage.py db_worker` runs a
worker) and stored as one ZIP."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from django_tasks import task

from portfolio.models import Cohort
from portfolio.policies import learners
from reflect import audit

from . import services
from .models import CohortExport
from .policies import cohort_exports


@task()
def export_cohort(cohort_export_id: int) -> dict:
    """Build every learner's ARCP pack of a `CohortExport` and store the ZIP.

    Args:
        cohort_export_id: the `CohortExport` to run.
    Returns:
        {"status", "done", "total"} (JSON, kept by the task backend).
    """
    job = run_cohort_export(cohort_export_id)
    return {"status": job.status, "done": job.done, "total": job.total}


def cohort_learners(cohort: Cohort):
    """Active learners enrolled in `cohort`, in a stable order."""
    return learners.in_cohort(cohort).order_by("last_name", "first_name", "username")


def start_cohort_export(cohort: Cohort, period_from, period_to, by) -> CohortExport:
    """Record a cohort export and queue the background task that makes it.

    Args:
        cohort: the cohort.
        period_from, period_to: the review period (validated like a single pack).
        by: an admin; the packs are made in their name.
    Returns:
        The `CohortExport` (status queued, or already done with the immediate backend).
    Raises:
        PermissionDenied: `by` is not an admin.
        ValidationError: bad period.
    """
    cohort_exports.require(by, "add", cohort)
    services.check_period(period_from, period_to)
    job = CohortExport.objects.create(
        cohort=cohort,
        period_from=period_from,
        period_to=period_to,
        requested_by=by,
        total=cohort_learners(cohort).count(),
    )
    audit.record(
        by, "cohort_export", obj=job, via="admin", cohort=cohort.name, period_to=period_to.isoformat()
    )
    result = export_cohort.enqueue(job.pk)
    CohortExport.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def run_cohort_export(job_id: int, progress: Callable[[int, int], None] | None = None) -> CohortExport:
    """Build every learner's pack for a cohort export and store them as one ZIP.

    Updates `done`/`total` after each learner; on any error the job ends `failed` with the
    message in `error` (packs already made stay recorded).

    Args:
        job_id: the `CohortExport` id.
        progress: optional callback(done, total).
    Returns:
        The finished `CohortExport`.
    """
    job = CohortExport.objects.select_related("cohort", "requested_by").get(pk=job_id)
    learners = list(cohort_learners(job.cohort))
    CohortExport.objects.filter(pk=job.pk).update(
        status=CohortExport.Status.RUNNING, total=len(learners), done=0
    )
    buffer = io.BytesIO()
    try:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            for done, learner in enumerate(learners, start=1):
                export = services.build_pack(
                    learner, job.period_from, job.period_to, job.requested_by, via="task"
                )
                archive.writestr(services.pack_filename(learner, export), services.read_pack(export))
                CohortExport.objects.filter(pk=job.pk).update(done=done)
                if progress:
                    progress(done, len(learners))
        name = f"arcp-{slugify(job.cohort.name)}-{job.period_from:%Y%m%d}-{job.period_to:%Y%m%d}.zip"
        job.refresh_from_db()
        job.zip_file.save(name, ContentFile(buffer.getvalue()), save=False)
        job.status = CohortExport.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["zip_file", "status", "finished_at"])
    except Exception as exc:  # recorded for the admin, then re-raised for the task log
        CohortExport.objects.filter(pk=job.pk).update(
            status=CohortExport.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}",
            finished_at=timezone.now(),
        )
        raise
    return job
