"""Packs are reused (contract v1.1): the same learner, period and unchanged evidence give back the
pack made before (same X-Export-Id, same bytes), the access audited, no row or file added;
changed evidence makes a new pack."""

import datetime
import os

import pytest
from django.conf import settings
from django.utils import timezone

from arcp import services
from arcp.models import ArcpExport
from portfolio.models import Reflection
from portfolio.site import portfolio_url
from reflect.models import AuditEvent
from tests.factories import arcp_reflection


def stored_files() -> int:
    root = os.path.join(settings.MEDIA_ROOT, "arcp")
    return sum(len(files) for _, _, files in os.walk(root)) if os.path.isdir(root) else 0


@pytest.fixture
def year(world):
    w = world
    w.today = timezone.localdate()
    w.frm = (w.today - datetime.timedelta(days=120)).isoformat()
    w.to = (w.today - datetime.timedelta(days=1)).isoformat()
    arcp_reflection(w.learner_a, w.today - datetime.timedelta(days=30), title="Food bank morning")
    w.url = f"/api/v1/learners/{w.learner_a.pk}/arcp.pdf?from={w.frm}&to={w.to}"
    return w


def test_unchanged_evidence_gives_back_the_same_pack(year, api):
    first = api(year.examiner).get(year.url)
    assert first.status_code == 200
    rows, files = ArcpExport.objects.count(), stored_files()
    reads = AuditEvent.objects.filter(action="export_reuse").count()
    again = api(year.examiner).get(year.url)
    assert again.status_code == 200
    assert again["X-Export-Id"] == first["X-Export-Id"] and again.content == first.content
    assert (ArcpExport.objects.count(), stored_files()) == (rows, files)  # no row, no file
    event = AuditEvent.objects.filter(action="export_reuse").latest("pk")
    assert AuditEvent.objects.filter(action="export_reuse").count() == reads + 1
    assert event.object_id == first["X-Export-Id"] and event.actor_id == year.examiner.pk
    assert event.detail["period_to"] == year.to
    # the recorded export is the first one, as made
    detail = api(year.examiner).get(f"/api/v1/exports/{first['X-Export-Id']}/").json()
    assert detail["created_by"] == year.examiner.pk


def test_changed_evidence_makes_a_new_pack(year, api):
    first = api(year.examiner).get(year.url)
    arcp_reflection(year.learner_a, year.today - datetime.timedelta(days=10), title="Night shelter clinic")
    second = api(year.examiner).get(year.url)
    assert second.status_code == 200 and second["X-Export-Id"] != first["X-Export-Id"]
    assert ArcpExport.objects.count() == 2
    # and then that one is reused
    assert api(year.examiner).get(year.url)["X-Export-Id"] == second["X-Export-Id"]


def test_an_edit_to_shown_evidence_makes_a_new_pack(year, api):
    first = api(year.examiner).get(year.url)
    Reflection.objects.filter(learner=year.learner_a).update(title="Food bank morning, revisited")
    assert api(year.examiner).get(year.url)["X-Export-Id"] != first["X-Export-Id"]


def test_another_period_is_another_pack(year, api):
    first = api(year.examiner).get(year.url)
    other = year.url.replace(
        f"from={year.frm}", f"from={(year.today - datetime.timedelta(days=121)).isoformat()}"
    )
    assert api(year.examiner).get(other)["X-Export-Id"] != first["X-Export-Id"]


def test_a_reader_who_sees_the_same_evidence_gets_the_same_pack(year, api):
    by_examiner = api(year.examiner).get(year.url)
    by_tutor = api(year.tutor).get(year.url)
    assert by_tutor["X-Export-Id"] == by_examiner["X-Export-Id"] and by_tutor.content == by_examiner.content
    assert AuditEvent.objects.filter(action="export_reuse", actor=year.tutor).count() == 1


def test_a_lost_file_is_made_again(year, api):
    first = api(year.examiner).get(year.url)
    export = ArcpExport.objects.get(pk=first["X-Export-Id"])
    export.file.delete(save=False)
    again = api(year.examiner).get(year.url)
    assert again.status_code == 200 and again["X-Export-Id"] != first["X-Export-Id"]


def test_the_site_says_the_pack_is_reused(year, portfolio_page, client):
    client.force_login(year.examiner)
    url = portfolio_url("arcp_panel_learner", year.learner_a.pk)
    data = {"action": "pack", "pack-period_from": year.frm, "pack-period_to": year.to}
    assert client.post(url, data).status_code == 302
    page = client.post(url, data, follow=True).content.decode()
    assert "has not changed since the pack of" in page
    assert ArcpExport.objects.count() == 1


def test_service_marks_reuse(year):
    frm, to = datetime.date.fromisoformat(year.frm), datetime.date.fromisoformat(year.to)
    first = services.build_pack(year.learner_a, frm, to, year.examiner)
    assert not getattr(first, "reused", False)
    again = services.build_pack(year.learner_a, frm, to, year.examiner)
    assert again.pk == first.pk and again.reused
