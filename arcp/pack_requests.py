"""Packs made in the background: a page never waits seconds for WeasyPrint without saying so.

The site's "Make my pack" (learner) and "Make a pack" (examiner) record a `PackRequest` and
queue `make_pack` (django-tasks; `python manage.py db_worker` runs the worker, `make run`
starts one). The page that follows shows the request's progress and takes the person to the
pack when it is ready. If no worker has started it after `PackRequest.WORKER_WAIT`, the page
says so and offers to make it at once in the request ("run_now"); a worker and that button
cannot both make it, because each first claims the queued request in one UPDATE.

What goes into the pack, the reuse of an unchanged pack, the period's rules and the audit
are `arcp.services.build_pack`'s: this module only moves the work off the request.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tasks import task

from reflect.errors import NotFound

from . import cohort, services
from .models import PackRequest
from .policies import exports

log = logging.getLogger(__name__)


@task()
def make_pack(pack_request_id: str) -> dict:
    """Make the pack of a queued `PackRequest` (the task the worker runs).

    Returns:
        {"status", "export"} (JSON, kept by the task backend).
    """
    job = run(pack_request_id)
    return {"status": job.status, "export": str(job.export_id) if job.export_id else None}


def start(learner, period_from, period_to, by, *, return_url: str, via: str = "site") -> PackRequest:
    """Record a request for `learner`'s pack and queue the task that makes it.

    Args:
        learner, period_from, period_to: the pack (the period is checked now, so a bad one
            is a form error on the page that asked, not a failed job).
        by: who asks; they must be allowed to make this learner's pack.
        return_url: where to take them when it is ready (a path of this site).
    Returns:
        The `PackRequest`: queued, or already finished when the task backend runs at once.
    Raises:
        PermissionDenied, NotFound: `by` may not make this learner's pack.
        ValidationError: bad period.
    """
    exports.require(by, "add", learner)
    services.check_period(period_from, period_to)
    job = PackRequest.objects.create(
        learner=learner,
        period_from=period_from,
        period_to=period_to,
        requested_by=by,
        via=via,
        return_url=return_url,
    )
    result = make_pack.enqueue(str(job.pk))
    PackRequest.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def run(pack_request_id) -> PackRequest:
    """Make the pack of a queued request, once: whoever claims it first (a worker, or the
    person pressing "Make it now") makes it; anyone else gets the request as it stands.

    Never raises for the person's sake: a refused or failed pack ends the request `failed`
    with a message they can read (an unexpected error is logged in full)."""
    claimed = PackRequest.objects.filter(pk=pack_request_id, status=PackRequest.Status.QUEUED).update(
        status=PackRequest.Status.RUNNING, started_at=timezone.now()
    )
    job = PackRequest.objects.select_related("learner", "requested_by").get(pk=pack_request_id)
    if not claimed:
        return job
    if job.cohort_export_id:
        cohort.pack_started(job.cohort_export_id)
    try:
        export = services.build_pack(
            job.learner, job.period_from, job.period_to, job.requested_by, via=job.via
        )
    except ValidationError as exc:
        return _failed(job, " ".join(exc.messages))
    except (PermissionDenied, NotFound):
        return _failed(job, "You may no longer make this learner's pack.")
    except Exception as exc:
        log.exception("ARCP pack request %s failed", job.pk)
        message = "Something went wrong while making the pack. Nothing was recorded; please try again."
        if job.cohort_export_id:  # the programme admin's export page names the cause
            message += f" ({type(exc).__name__}: {exc})"
        return _failed(job, message)
    job.status = PackRequest.Status.DONE
    job.export = export
    job.reused = bool(getattr(export, "reused", False))
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "export", "reused", "finished_at"])
    _tell_cohort_export(job)
    return job


def _failed(job: PackRequest, message: str) -> PackRequest:
    job.status = PackRequest.Status.FAILED
    job.error = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    _tell_cohort_export(job)
    return job


def _tell_cohort_export(job: PackRequest) -> None:
    if job.cohort_export_id:
        cohort.pack_finished(job.cohort_export_id)
