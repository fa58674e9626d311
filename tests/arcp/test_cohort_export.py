"""Cohort exports: the Wagtail admin view + django-tasks task, and the export_arcp command."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from arcp import cohort, services
from arcp.models import ArcpExport, CohortExport
from tests.factories import LearnerFactory


@pytest.fixture
def cohort_world(world):
    LearnerFactory(username="learner_a2", cohort=world.cohort_a)
    world.today = timezone.localdate()
    world.start = world.today - datetime.timedelta(days=30)
    return world


def test_admin_starts_cohort_export_task_and_downloads_zip(cohort_world, client):
    w = cohort_world
    w.admin.is_staff = True  # Wagtail admin access
    w.admin.is_superuser = True
    w.admin.save()
    client.force_login(w.admin)
    assert client.get(reverse("arcp_cohort_export")).status_code == 200
    response = client.post(
        reverse("arcp_cohort_export"),
        {"cohort": w.cohort_a.pk, "period_from": w.start.isoformat(), "period_to": w.today.isoformat()},
    )
    job = CohortExport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "arcp_cohort_export_progress", args=[job.pk]
    )
    # The immediate backend (tests) ran the task already.
    assert job.status == CohortExport.Status.DONE and job.done == job.total == 2
    assert job.task_id
    status = client.get(reverse("arcp_cohort_export_status", args=[job.pk])).json()
    assert status["status"] == "done" and status["download_url"]
    progress = client.get(reverse("arcp_cohort_export_progress", args=[job.pk])).content.decode()
    assert "cohort_export_progress.js" in progress and "Download the ZIP" in progress
    zipped = b"".join(client.get(status["download_url"]).streaming_content)
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        names = sorted(archive.namelist())
        assert len(names) == 2 and all(n.endswith(".pdf") for n in names)
        for name in names:
            data = archive.read(name)
            assert services.verify(data, w.admin) is not None
    assert ArcpExport.objects.filter(created_by=w.admin).count() == 2


def test_cohort_export_rejects_bad_period_and_non_admins(cohort_world, client):
    w = cohort_world
    w.admin.is_staff = w.admin.is_superuser = True
    w.admin.save()
    client.force_login(w.admin)
    response = client.post(
        reverse("arcp_cohort_export"),
        {"cohort": w.cohort_a.pk, "period_from": w.today.isoformat(), "period_to": w.start.isoformat()},
    )
    assert response.status_code == 200 and not CohortExport.objects.exists()
    with pytest.raises(PermissionDenied):
        cohort.start_cohort_export(w.cohort_a, w.start, w.today, w.tutor)


def test_failed_task_is_recorded(cohort_world, settings, tmp_path):
    w = cohort_world
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker  # storing the first pack fails for real
    # the task backend records the task as failed; the job says why
    cohort.start_cohort_export(w.cohort_a, w.start, w.today, w.admin)
    job = CohortExport.objects.get()
    assert job.status == CohortExport.Status.FAILED
    assert "Not a directory" in job.error and job.finished_at


def test_export_arcp_command_writes_one_pdf_per_learner(cohort_world, tmp_path):
    w = cohort_world
    out = io.StringIO()
    call_command(
        "export_arcp",
        "--cohort",
        "Cohort A",
        "--from",
        w.start.isoformat(),
        "--to",
        w.today.isoformat(),
        "--out",
        str(tmp_path / "packs"),
        "--no-progress",
        stdout=out,
    )
    files = sorted((tmp_path / "packs").glob("*.pdf"))
    assert len(files) == 2 and "Wrote 2 pack(s)" in out.getvalue()
    for f in files:
        assert services.verify(f.read_bytes(), w.admin) is not None


@pytest.mark.parametrize(
    "args, message",
    [
        (["--cohort", "Nope", "--from", "2026-01-01", "--to", "2026-02-01"], "No cohort named"),
        (["--cohort", "Cohort A", "--from", "01/01/2026", "--to", "2026-02-01"], "Not a date"),
        (["--cohort", "Cohort A", "--from", "2026-03-01", "--to", "2026-02-01"], "cannot be before"),
        (["--cohort", "Cohort A", "--from", "2026-01-01", "--to", "2026-02-01", "--as", "ghost"], "No user"),
        (
            ["--cohort", "Cohort A", "--from", "2026-01-01", "--to", "2026-02-01", "--as", "learner_b"],
            "may not",
        ),
    ],
)
def test_export_arcp_command_errors(cohort_world, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_arcp", *args, "--out", str(tmp_path), "--no-progress")
