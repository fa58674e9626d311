"""Feedback in the Wagtail admin: admins list feedback and links (never tokens) and withdraw
abusive feedback with a reason after a confirmation page; nobody else gets in."""

import re

import pytest

from feedback.models import Feedback
from reflect.models import AuditEvent
from tests.factories import FeedbackFactory, feedback_invitation

pytestmark = pytest.mark.django_db

FEEDBACK = "/admin/feedback/responses/"
LINKS = "/admin/feedback/invitations/"


@pytest.fixture
def admin_client(world, client):
    client.force_login(world.admin)
    return client


def test_admin_lists_feedback_with_withdraw_action(world, admin_client):
    feedback = FeedbackFactory(learner=world.learner_a, context_title="Psychosis session")
    r = admin_client.get(FEEDBACK)
    assert r.status_code == 200
    html = r.content.decode()
    assert "Psychosis session" in html
    assert f"{FEEDBACK}withdraw/{feedback.pk}/" in html
    assert admin_client.get(f"{FEEDBACK}inspect/{feedback.pk}/").status_code == 200


def test_withdraw_needs_reason_then_hides_and_records(world, admin_client):
    feedback = FeedbackFactory(learner=world.learner_a, comments="abusive words")
    url = f"{FEEDBACK}withdraw/{feedback.pk}/"
    confirm = admin_client.get(url)
    assert confirm.status_code == 200 and "abusive words" in confirm.content.decode()
    r = admin_client.post(url, {"reason": "  "})
    assert r.status_code == 200 and "Give the reason" in r.content.decode()
    feedback.refresh_from_db()
    assert feedback.withdrawn_at is None
    r = admin_client.post(url, {"reason": "Abusive language"})
    assert r.status_code == 302
    feedback.refresh_from_db()
    assert feedback.withdrawn_at and feedback.withdrawal_reason == "Abusive language"
    assert Feedback.objects.filter(pk=feedback.pk).exists()
    assert AuditEvent.objects.filter(
        action="feedback_withdraw", via="admin", object_id=str(feedback.pk)
    ).exists()
    # Still listed for admins, marked withdrawn; no second withdraw link.
    html = admin_client.get(FEEDBACK).content.decode()
    assert "Withdrawn: Abusive language" in html and url not in html


def test_no_add_edit_or_delete_urls(world, admin_client):
    feedback = FeedbackFactory(learner=world.learner_a)
    for path in ("new/", f"edit/{feedback.pk}/", f"delete/{feedback.pk}/"):
        assert admin_client.get(FEEDBACK + path).status_code == 404


def test_invitation_list_shows_status_never_token(world, admin_client):
    open_inv, raw_open = feedback_invitation(world.learner_a, context_title="Open one")
    _, raw_expired = feedback_invitation(world.learner_a, expires_in_days=-1, context_title="Expired one")
    used, raw_used = feedback_invitation(world.learner_a, used=True, context_title="Used one")
    r = admin_client.get(LINKS)
    assert r.status_code == 200
    html = r.content.decode()
    for title in ("Open one", "Expired one", "Used one"):
        assert title in html
    for status in ("Open", "Expired", "Used"):
        assert re.search(rf">\s*{status}\s*<", html), status
    for raw in (raw_open, raw_expired, raw_used):
        assert raw not in html
    assert open_inv.token_hash not in html
    inspect = admin_client.get(f"{LINKS}inspect/{used.pk}/").content.decode()
    assert used.token_hash not in inspect and raw_used not in inspect


@pytest.mark.parametrize("who", ["tutor", "learner_a", "examiner"])
def test_others_cannot_use_feedback_admin(world, client, who):
    feedback = FeedbackFactory(learner=world.learner_a)
    client.force_login(getattr(world, who))
    for url in (FEEDBACK, LINKS, f"{FEEDBACK}withdraw/{feedback.pk}/"):
        r = client.get(url)
        assert r.status_code in (302, 403), (url, r.status_code)
    client.post(f"{FEEDBACK}withdraw/{feedback.pk}/", {"reason": "x"})
    feedback.refresh_from_db()
    assert feedback.withdrawn_at is None
