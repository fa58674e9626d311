"""A cohort export is one task per learner, so several workers share it (issue 17: "a
deanery's season"). The queue here is one nobody works (the dummy task backend): the test
plays the workers' part, one pack at a time, and watches the export's progress."""

import datetime
import io
import zipfile

import pytest
from django.test import override_settings
from django.utils import timezone

from arcp import cohort, pack_requests, services
from arcp.models import CohortExport, PackRequest
from tests.factories import LearnerFactory, ReflectionFactory, submitted_reflection

NOBODY_WORKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def three(world):
    world.zed = LearnerFactory(username="learner_a2", last_name="Zed", cohort=world.cohort_a)
    world.today = timezone.localdate()
    world.start = world.today - datetime.timedelta(days=30)
    return world


@override_settings(TASKS=NOBODY_WORKS)
def test_each_learners_pack_is_its_own_task_and_the_last_one_stores_the_zip(three):
    w = three
    job = cohort.start_cohort_export(w.cohort_a, w.start, w.today, w.admin)
    assert job.status == CohortExport.Status.QUEUED and not job.pack_requests.exists()

    cohort.queue_packs(job.pk)  # the fan-out task
    cohort.queue_packs(job.pk)  # run twice (a retried task): nothing is queued twice
    requests = list(PackRequest.objects.filter(cohort_export=job))
    job.refresh_from_db()
    assert len(requests) == job.total == 2 and all(r.task_id for r in requests)
    assert all(r.status == PackRequest.Status.QUEUED for r in requests)

    pack_requests.run(requests[0].pk)  # one worker's pack
    job.refresh_from_db()
    assert job.status == CohortExport.Status.RUNNING and job.done == 1 and not job.zip_file

    pack_requests.run(requests[1].pk)  # another's, the last
    job.refresh_from_db()
    assert job.status == CohortExport.Status.DONE and job.done == 2 and job.finished_at
    with job.zip_file.open("rb") as f, zipfile.ZipFile(io.BytesIO(f.read())) as archive:
        names = archive.namelist()
        assert len(names) == 2
        assert all(services.verify(archive.read(n), w.admin) is not None for n in names)


def test_one_failed_pack_fails_the_export_and_names_the_learner(three, settings, tmp_path):
    # Both settings through the fixture: an @override_settings around a test that also sets
    # `settings.X` leaks its value past the test (the fixture restores the settings it saw).
    settings.TASKS = NOBODY_WORKS
    w = three
    job = cohort.start_cohort_export(w.cohort_a, w.start, w.today, w.admin)
    cohort.queue_packs(job.pk)
    first, second = PackRequest.objects.filter(cohort_export=job).select_related("learner")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker  # storing this pack fails for real
    pack_requests.run(first.pk)
    job.refresh_from_db()
    assert job.status == CohortExport.Status.FAILED
    assert first.learner.get_username() in job.error and "Not a directory" in job.error
    pack_requests.run(second.pk)  # a later pack changes nothing on a failed export
    job.refresh_from_db()
    assert job.status == CohortExport.Status.FAILED and not job.zip_file


def test_the_packs_of_a_cohort_export_are_not_pack_requests_anyone_watches(three, client):
    w = three
    job = cohort.start_cohort_export(w.cohort_a, w.start, w.today, w.admin)
    request = PackRequest.objects.filter(cohort_export=job).first()
    client.force_login(w.admin)
    from portfolio.site import portfolio_url

    assert client.get(portfolio_url("arcp_pack_request", request.pk)).status_code == 404


def test_the_biggest_portfolios_are_queued_first_so_the_last_packs_are_short(three):
    """Workers take tasks in the order queued (the immediate backend here makes each at
    once): Zed, last by name, has the most evidence, so their pack is made first; drafts do
    not count. The ZIP still lists the packs by name."""
    w = three
    for _ in range(3):
        submitted_reflection(w.zed)
    submitted_reflection(w.learner_a)
    for _ in range(4):
        ReflectionFactory(learner=w.learner_a)  # drafts: not evidence
    job = cohort.start_cohort_export(w.cohort_a, w.start, w.today, w.admin)
    assert job.status == CohortExport.Status.DONE
    made = list(job.pack_requests.order_by("started_at").values_list("learner__username", flat=True))
    assert made == ["learner_a2", w.learner_a.username]
    with job.zip_file.open("rb") as f, zipfile.ZipFile(io.BytesIO(f.read())) as archive:
        assert "learner_a2" in archive.namelist()[-1]
