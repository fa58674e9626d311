"""A cohort export nobody's worker has picked up says so plainly (issue 15: "Queued: 0 of 6"
forever after `make run`, because no worker ran and the page did not say so)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from arcp.models import CohortExport


def admin_client(world, client):
    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    client.force_login(world.admin)
    return client


def queued(world, age):
    job = CohortExport.objects.create(
        cohort=world.cohort_a,
        period_from=timezone.localdate() - datetime.timedelta(days=30),
        period_to=timezone.localdate(),
        requested_by=world.admin,
        total=2,
    )
    CohortExport.objects.filter(pk=job.pk).update(created_at=timezone.now() - age)
    return job


def test_an_export_left_queued_says_no_worker_has_picked_it_up(world, client):
    c = admin_client(world, client)
    stale = queued(world, datetime.timedelta(minutes=2))
    status = c.get(reverse("arcp_cohort_export_status", args=[stale.pk])).json()
    assert "No task worker has picked this export up yet" in status["worker_note"]
    page = c.get(reverse("arcp_cohort_export_progress", args=[stale.pk])).content.decode()
    assert "No task worker has picked this export up yet" in page
    assert "db_worker" in page


def test_a_just_queued_or_running_export_has_no_worker_note(world, client):
    c = admin_client(world, client)
    fresh = queued(world, datetime.timedelta(seconds=2))
    assert c.get(reverse("arcp_cohort_export_status", args=[fresh.pk])).json()["worker_note"] == ""
    running = queued(world, datetime.timedelta(minutes=5))
    CohortExport.objects.filter(pk=running.pk).update(status=CohortExport.Status.RUNNING)
    assert c.get(reverse("arcp_cohort_export_status", args=[running.pk])).json()["worker_note"] == ""
