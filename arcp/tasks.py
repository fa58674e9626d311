"""Background work (django-tasks). The default backend is the database queue
(`django_tasks_db.DatabaseBackend`); run a worker with `python manage.py db_worker`."""

from __future__ import annotations

from django_tasks import task


@task()
def export_cohort(cohort_export_id: int) -> dict:
    """Build every learner's ARCP pack of a `CohortExport` and store the ZIP.

    Args:
        cohort_export_id: the `CohortExport` to run.
    Returns:
        {"status", "done", "total"} (JSON, kept by the task backend).
    """
    from .services import run_cohort_export

    job = run_cohort_export(cohort_export_id)
    return {"status": job.status, "done": job.done, "total": job.total}
