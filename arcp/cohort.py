"""Cohort exports: every learner's ARCP pack of a cohort for one period, made in the
background (django-tasks; the database queue by default, `python manage.py db_worker` runs a
worker) and stored as one ZIP.

A cohort export is a fan-out: `export_cohort` records one `PackRequest` per learner and
queues each as its own `arcp.pack_requests.make_pack` task, so every worker on the queue
(on one machine or several) takes packs from the same export. Each finished pack calls
`pack_finished`, which counts the export's progress under a row lock; the pack that
completes the set puts the ZIP together. One failed pack fails the export, with the reason.
"""

from __future__ import annotations

import io
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify
from django_tasks import task

from portfolio.models import Cohort
from portfolio.policies import learners
from reflect import audit

from . import services
from .models import CohortExport, PackRequest
from .policies import cohort_exports


@task()
def export_cohort(cohort_export_id: int) -> dict:
    """Queue one pack task per learner of a `CohortExport` (the fan-out).

    Returns:
        {"status", "done", "total"} (JSON, kept by the task backend).
    """
    job = queue_packs(cohort_export_id)
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


def queue_packs(job_id: int) -> CohortExport:
    """Record and queue a pack request per learner (once: a second call queues nothing)."""
    from . import pack_requests  # its tasks call back into this module

    job = CohortExport.objects.select_related("cohort", "requested_by").get(pk=job_id)
    with transaction.atomic():
        if job.pack_requests.exists() or job.status != CohortExport.Status.QUEUED:
            return job
        people = list(cohort_learners(job.cohort))
        made = PackRequest.objects.bulk_create(
            [
                PackRequest(
                    learner=learner,
                    period_from=job.period_from,
                    period_to=job.period_to,
                    requested_by=job.requested_by,
                    via="task",
                    return_url="",
                    cohort_export=job,
                )
                for learner in people
            ]
        )
        CohortExport.objects.filter(pk=job.pk).update(total=len(made), done=0)
    if not made:
        pack_finished(job.pk)  # an empty cohort: an empty ZIP, at once
    for request in made:
        result = pack_requests.make_pack.enqueue(str(request.pk))
        PackRequest.objects.filter(pk=request.pk, task_id="").update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def pack_started(job_id: int) -> None:
    """A worker has begun one of the export's packs: the export is running."""
    CohortExport.objects.filter(pk=job_id, status=CohortExport.Status.QUEUED).update(
        status=CohortExport.Status.RUNNING
    )


def pack_finished(job_id: int) -> None:
    """Count the export's finished packs; fail it on the first failed one; when the last is
    made, store the ZIP. Under a lock on the export's row, so two workers finishing at once
    count both and only one puts the ZIP together."""
    with transaction.atomic():
        job = CohortExport.objects.select_for_update().get(pk=job_id)
        if job.status in (CohortExport.Status.DONE, CohortExport.Status.FAILED):
            return
        tally = job.pack_requests.aggregate(
            done=Count("pk", filter=Q(status=PackRequest.Status.DONE)),
            failed=Count("pk", filter=Q(status=PackRequest.Status.FAILED)),
            total=Count("pk"),
        )
        job.done = tally["done"]
        if tally["failed"]:
            failed = job.pack_requests.filter(status=PackRequest.Status.FAILED).select_related("learner")
            first = failed.first()
            job.status = CohortExport.Status.FAILED
            job.error = f"The pack of {first.learner.get_username()} could not be made: {first.error}"
            job.finished_at = timezone.now()
            job.save(update_fields=["done", "status", "error", "finished_at"])
            return
        if tally["done"] < tally["total"]:
            job.save(update_fields=["done"])
            return
        _store_zip(job)


def _store_zip(job: CohortExport) -> None:
    made = job.pack_requests.select_related("learner", "export").order_by(
        "learner__last_name", "learner__first_name", "learner__username"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for request in made:
            archive.writestr(
                services.pack_filename(request.learner, request.export), services.read_pack(request.export)
            )
    name = f"arcp-{slugify(job.cohort.name)}-{job.period_from:%Y%m%d}-{job.period_to:%Y%m%d}.zip"
    job.zip_file.save(name, ContentFile(buffer.getvalue()), save=False)
    job.status = CohortExport.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["done", "zip_file", "status", "finished_at"])
