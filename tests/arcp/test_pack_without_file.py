"""A pack whose PDF is not held (a record of an earlier year's pack, or a stored file that was
removed) is never offered as a download, and asking for it is a 404 like any unknown pack, not a 500
(issue 15: two demo packs showed "(0 bytes)" and their download was a 500)."""

import datetime

import pytest
from django.utils import timezone

from arcp import services
from arcp.models import ArcpExport
from portfolio.site import portfolio_url
from tests.factories import ArcpExportFactory, arcp_reflection


@pytest.fixture
def learner_client(world, portfolio_page, client):
    client.force_login(world.learner_a)
    return client


def test_record_only_pack_is_not_a_link_and_its_download_is_a_clear_404(world, learner_client):
    record = ArcpExportFactory(learner=world.learner_a)
    page = learner_client.get(portfolio_url("arcp_my_pack")).content.decode()
    assert str(record.pk) in page
    assert portfolio_url("arcp_export_download", record.pk) not in page
    assert "Record only: the PDF is not held here" in page
    response = learner_client.get(portfolio_url("arcp_export_download", record.pk))
    assert response.status_code == 404


def test_pack_whose_stored_file_was_removed_is_not_offered(world, learner_client):
    today = timezone.localdate()
    arcp_reflection(world.learner_a, today - datetime.timedelta(days=3))
    export = services.build_pack(world.learner_a, today - datetime.timedelta(days=30), today, world.learner_a)
    link = portfolio_url("arcp_export_download", export.pk)
    assert link in learner_client.get(portfolio_url("arcp_my_pack")).content.decode()
    export.file.storage.delete(export.file.name)
    export = ArcpExport.objects.get(pk=export.pk)
    assert link not in learner_client.get(portfolio_url("arcp_my_pack")).content.decode()
    assert learner_client.get(link).status_code == 404
