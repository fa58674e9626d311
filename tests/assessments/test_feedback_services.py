"""Feedback services: tokens, expiry, single use, validation, permissions, withdrawal, e-mail."""

import datetime
import math
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from feedback import instrument
from feedback import services as fb
from feedback.models import Feedback, FeedbackInvitation
from feedback.policies import feedback as feedback_policy
from reflect.errors import Conflict, Gone, NotFound
from reflect.models import AuditEvent
from tests.factories import FeedbackFactory, feedback_invitation

pytestmark = pytest.mark.django_db

GOOD = {"listening": 5, "respect": 4, "circumstances": None}


def answer(raw, **overrides):
    kwargs = {
        "ratings": GOOD,
        "comments": "Kind and clear.",
        "anonymous": False,
        "respondent_role": Feedback.RespondentRole.CARER,
        "respondent_name": "Sam Carer",
    }
    kwargs.update(overrides)
    return fb.submit_feedback(raw, **kwargs)


# --- tokens -------------------------------------------------------------------------------
def test_token_has_at_least_128_bits_and_only_its_hash_is_stored(world):
    invitation, raw = fb.create_invitation(world.learner_a, world.tutor, "Session", "2026-11-20")
    # token_urlsafe(32): 43 base64url characters = 256 bits; demand ≥128 whatever the encoding.
    assert re.fullmatch(r"[A-Za-z0-9_-]+", raw)
    assert len(raw) * 6 >= 128 and len(raw) >= 43
    invitation.refresh_from_db()
    assert invitation.token_hash == fb.hash_token(raw) and len(invitation.token_hash) == 64
    assert invitation.token_hash != raw
    # The raw token appears in no column of any table row we wrote.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM assessments_feedbackinvitation")
        rows = cursor.fetchall()
        cursor.execute("SELECT detail, object_id FROM portfolio_auditevent")
        rows += cursor.fetchall()
    assert raw not in repr(rows)


def test_tokens_are_unique_and_random(world):
    tokens = {fb.new_token() for _ in range(200)}
    assert len(tokens) == 200
    # Rough entropy check: characters are spread over the alphabet, not a pattern.
    alphabet = set("".join(tokens))
    assert len(alphabet) > 50


def test_expiry_defaults_to_setting(world, settings):
    settings.FEEDBACK_LINK_DAYS = 3
    before = timezone.now()
    invitation, _ = fb.create_invitation(world.learner_a, world.tutor, "Session", datetime.date.today())
    delta = invitation.expires_at - before
    assert datetime.timedelta(days=3) <= delta < datetime.timedelta(days=3, minutes=1)


# --- permissions --------------------------------------------------------------------------
def test_admin_may_invite_for_any_learner(world):
    invitation, _ = fb.create_invitation(world.learner_b, world.admin, "Session", "2026-11-20")
    assert invitation.learner == world.learner_b and invitation.status == "open"


@pytest.mark.parametrize("who", ["learner_a", "examiner", "patient_rep"])
def test_roles_that_may_never_invite_get_permission_denied(world, who):
    with pytest.raises(PermissionDenied):
        fb.create_invitation(world.learner_a, getattr(world, who), "Session", "2026-11-20")
    assert not FeedbackInvitation.objects.exists()


@pytest.mark.parametrize(
    "who,learner", [("tutor", "learner_b"), ("former", "learner_b"), ("dual", "learner_a")]
)
def test_tutor_outside_allocation_sees_not_found(world, who, learner):
    with pytest.raises(NotFound):
        fb.create_invitation(getattr(world, learner), getattr(world, who), "Session", "2026-11-20")
    assert not FeedbackInvitation.objects.exists()


def test_unknown_or_non_learner_is_not_found_even_for_admin(world):
    with pytest.raises(NotFound):
        fb.create_invitation(999999, world.admin, "Session", "2026-11-20")
    with pytest.raises(NotFound):
        fb.create_invitation(world.tutor, world.admin, "Session", "2026-11-20")


def test_bad_invitation_fields_are_reported_per_field(world):
    with pytest.raises(ValidationError) as exc:
        fb.create_invitations(
            world.learner_a, world.tutor, "<b></b>", "not a date", ["nope", "ok@example.org"]
        )
    errors = exc.value.message_dict
    assert set(errors) == {"context_title", "occurred_on", "email"}
    assert not FeedbackInvitation.objects.exists()


# --- e-mail -------------------------------------------------------------------------------
def test_invitation_email_carries_the_link(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, raw = fb.create_invitation(
            world.learner_a,
            world.tutor,
            "Lived-experience session: living with psychosis",
            "2026-11-20",
            "rep@example.org",
            base_url="https://reflect.example/",
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rep@example.org"]
    assert f"https://reflect.example/feedback/{raw}/" in message.body
    assert world.learner_a.first_name in message.body
    assert world.learner_a.last_name not in message.body  # first name only
    assert "living with psychosis" in message.body
    assert invitation.email_sent is True


def test_several_representatives_each_get_their_own_link(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = fb.create_invitations(
            world.learner_a, world.tutor, "Session", "2026-11-20", ["a@example.org", "b@example.org", ""]
        )
    assert len(created) == 3 and len({c.raw_token for c in created}) == 3
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {"a@example.org", "b@example.org"}
    for c, m in zip(created[:2], sorted(mail.outbox, key=lambda m: m.to[0]), strict=True):
        assert c.raw_token in m.body
    assert created[2].email_sent is False
    assert AuditEvent.objects.filter(action="feedback_invite").count() == 3


# --- lookup and expiry --------------------------------------------------------------------
def test_unknown_token_is_not_found(world):
    with pytest.raises(NotFound):
        fb.invitation_for_token("x" * 43)
    with pytest.raises(NotFound):
        fb.invitation_for_token("")


def test_expired_link_is_gone(world):
    invitation, raw = feedback_invitation(world.learner_a, expires_in_days=-1)
    assert invitation.status == FeedbackInvitation.Status.EXPIRED
    with pytest.raises(Gone) as exc:
        fb.invitation_for_token(raw)
    assert exc.value.message == fb.GONE_EXPIRED
    with pytest.raises(Gone):
        answer(raw)
    assert not Feedback.objects.exists()


def test_status_annotation_matches_property(world):
    open_, _ = feedback_invitation(world.learner_a)
    expired, _ = feedback_invitation(world.learner_a, expires_in_days=-1)
    used, _ = feedback_invitation(world.learner_a, used=True)
    annotated = {i.pk: i.current_status for i in FeedbackInvitation.objects.with_status()}
    assert annotated == {open_.pk: "open", expired.pk: "expired", used.pk: "used"}
    assert [i.status for i in (open_, expired, used)] == ["open", "expired", "used"]
    assert list(FeedbackInvitation.objects.open()) == [open_]


# --- submitting ---------------------------------------------------------------------------
def test_submit_stores_feedback_and_spends_the_link(world):
    invitation, raw = feedback_invitation(world.learner_a)
    feedback = answer(raw)
    invitation.refresh_from_db()
    assert invitation.used_at is not None and invitation.status == "used"
    assert feedback.learner == world.learner_a and feedback.ratings == GOOD
    assert feedback.respondent_name == "Sam Carer"
    assert AuditEvent.objects.filter(action="feedback_submit", object_id=str(feedback.pk)).exists()


def test_single_use(world):
    _, raw = feedback_invitation(world.learner_a)
    answer(raw)
    with pytest.raises(Gone) as exc:
        answer(raw, comments="Second go")
    assert exc.value.message == fb.GONE_USED
    assert Feedback.objects.count() == 1


def test_anonymous_drops_the_name(world):
    _, raw = feedback_invitation(world.learner_a)
    feedback = answer(raw, anonymous=True, respondent_name="Secret Person")
    feedback.refresh_from_db()
    assert feedback.anonymous and feedback.respondent_name == ""


@pytest.mark.parametrize(
    "ratings,field",
    [
        ({"listening": 6}, "ratings"),
        ({"listening": 0}, "ratings"),
        ({"listening": "5"}, "ratings"),
        ({"listening": True}, "ratings"),
        ({"listening": 2.5}, "ratings"),
        ({"made_up": 3}, "ratings"),
        (["listening"], "ratings"),
    ],
)
def test_bad_ratings_are_rejected_and_link_stays_open(world, ratings, field):
    invitation, raw = feedback_invitation(world.learner_a)
    with pytest.raises(ValidationError) as exc:
        answer(raw, ratings=ratings)
    assert field in exc.value.message_dict
    invitation.refresh_from_db()
    assert invitation.used_at is None and not Feedback.objects.exists()


def test_bad_role_long_comment_and_empty_answer(world):
    _, raw = feedback_invitation(world.learner_a)
    with pytest.raises(ValidationError) as exc:
        answer(raw, respondent_role="doctor", comments="x" * (fb.MAX_COMMENTS + 1))
    assert {"respondent_role", "comments"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        answer(raw, ratings={}, comments="  <b></b> ")
    assert "__all__" in exc.value.message_dict
    assert not Feedback.objects.exists()


def test_every_scale_value_and_does_not_apply_are_accepted(world):
    ratings = {key: (i % 5) + 1 for i, key in enumerate(instrument.KEYS)}
    ratings[instrument.KEYS[-1]] = None
    _, raw = feedback_invitation(world.learner_a)
    assert answer(raw, ratings=ratings).ratings == ratings


def test_comments_are_plain_text(world):
    _, raw = feedback_invitation(world.learner_a)
    feedback = answer(raw, comments='<p onclick="x()">Very <b>kind</b></p><script>alert(1)</script>')
    assert feedback.comments == "Very kind"


# --- withdrawal ---------------------------------------------------------------------------
def test_withdraw_hides_but_keeps_and_records(world):
    feedback = FeedbackFactory(learner=world.learner_a)
    with pytest.raises(PermissionDenied):
        fb.withdraw(feedback, world.tutor, "rude")
    with pytest.raises(ValidationError):
        fb.withdraw(feedback, world.admin, "   ")
    fb.withdraw(feedback, world.admin, "Abusive language")
    feedback.refresh_from_db()
    assert feedback.withdrawn_at and feedback.withdrawn_by == world.admin
    assert feedback.withdrawal_reason == "Abusive language"
    assert Feedback.objects.filter(pk=feedback.pk).exists()
    event = AuditEvent.objects.get(action="feedback_withdraw")
    assert event.detail["reason"] == "Abusive language" and event.learner == world.learner_a
    for who in ("learner_a", "tutor", "examiner"):
        assert not feedback_policy.visible(getattr(world, who)).exists(), who
    assert feedback_policy.visible(world.admin).filter(pk=feedback.pk).exists()
    with pytest.raises(Conflict):
        fb.withdraw(feedback, world.admin, "again")


# --- guessing limiter ---------------------------------------------------------------------
def test_guess_limiter_counts_failures_per_address(settings):
    from django.core.cache import cache

    cache.clear()
    settings.FEEDBACK_GUESS_LIMIT = 3
    settings.FEEDBACK_GUESS_WINDOW = 600
    for _ in range(3):
        fb.check_guess_limit("10.0.0.1")
        fb.record_failed_lookup("10.0.0.1")
    with pytest.raises(fb.TooManyGuesses) as exc:
        fb.check_guess_limit("10.0.0.1")
    assert 0 < exc.value.retry_after <= 600 and math.isfinite(exc.value.retry_after)
    fb.check_guess_limit("10.0.0.2")  # another address is unaffected
    cache.clear()
