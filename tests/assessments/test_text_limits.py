"""Maximum lengths of marking and feedback text, checked before anything parses the text
(issue #13, item 0). The public feedback form used to clean a comment before checking its
length, so one unauthenticated request could hold a CPU and leave the link open."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from assessments import services
from assessments.models import Assessment, ModerationRequest
from assessments.services import marking, scores, second_marking
from feedback import services as fb
from feedback.models import Feedback
from feedback.services import answers as fb_answers
from reflect import limits
from tests.factories import feedback_invitation, make_published_rubric, mark, submitted_reflection

pytestmark = pytest.mark.django_db


@pytest.fixture
def rubric(db):
    return make_published_rubric(criteria=2, levels=3)


@pytest.fixture
def reflection(world):
    return submitted_reflection(world.learner_a)


def guard(monkeypatch, module, name, longest):
    """Fail the test if `module.name` is asked to clean text longer than `longest`."""
    real = getattr(module, name)

    def guarded(text, *args, **kwargs):
        if isinstance(text, str) and len(text) > longest:
            raise AssertionError(f"{len(text)} characters were cleaned before their length was checked")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(module, name, guarded)


def test_assessment_comments_have_limits(world, rubric, reflection, monkeypatch):
    for module in (scores, marking, second_marking):
        guard(monkeypatch, module, "to_plain_text", limits.COMMENT)
    criterion = services.rubric_criteria(rubric)[0]
    with pytest.raises(ValidationError) as exc:
        services.create_assessment(reflection, rubric, world.tutor, [], "o" * (limits.LONG_TEXT + 1))
    assert "overall_comment" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_assessment(
            reflection,
            rubric,
            world.tutor,
            [{"criterion": criterion.pk, "comment": "c" * (limits.COMMENT + 1)}],
        )
    assert "characters or fewer" in " ".join(exc.value.message_dict["scores"])
    assert not Assessment.objects.exists()
    draft = services.create_assessment(reflection, rubric, world.tutor)
    with pytest.raises(ValidationError):
        services.update_assessment(draft, world.tutor, {"overall_comment": "o" * (limits.LONG_TEXT + 1)}, 1)
    draft.refresh_from_db()
    assert draft.version == 1 and draft.overall_comment == ""


def test_supersede_reason_and_moderation_note_have_limits(world, rubric, reflection, monkeypatch):
    for module in (scores, marking, second_marking):
        guard(monkeypatch, module, "to_plain_text", limits.COMMENT)
    finalised = mark(reflection, rubric, world.tutor, finalise=True)
    with pytest.raises(ValidationError) as exc:
        services.supersede(finalised, world.tutor, "r" * (limits.COMMENT + 1))
    assert "reason" in exc.value.message_dict
    assert Assessment.objects.count() == 1
    with pytest.raises(ValidationError) as exc:
        services.request_moderation(reflection, rubric, world.dual, world.admin, "n" * (limits.COMMENT + 1))
    assert "note" in exc.value.message_dict
    assert not ModerationRequest.objects.exists()


def test_feedback_service_checks_the_length_before_cleaning(world, monkeypatch):
    guard(monkeypatch, fb_answers, "plain", limits.FEEDBACK_COMMENTS)
    invitation, raw = feedback_invitation(world.learner_a)
    with pytest.raises(ValidationError) as exc:
        fb.submit_feedback(raw, {"listening": 3}, "<textarea>" * 6000, False, "carer", "n" * 5000)
    assert {"comments", "respondent_name"} <= set(exc.value.message_dict)
    invitation.refresh_from_db()
    assert invitation.used_at is None and not Feedback.objects.exists()


def test_public_form_refuses_an_over_long_comment_before_cleaning_it(world, client, monkeypatch):
    guard(monkeypatch, fb_answers, "plain", limits.FEEDBACK_COMMENTS)
    invitation, raw = feedback_invitation(world.learner_a)
    response = client.post(
        f"/feedback/{raw}/",
        {"comments": "<textarea>" * 6000, "respondent_role": "carer", "rating_listening": "3"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html  # the form, with its error
    assert "at most 5000 characters" in html
    invitation.refresh_from_db()
    assert invitation.used_at is None and not Feedback.objects.exists()


def test_feedback_api_refuses_an_over_long_comment(world, api):
    invitation, raw = feedback_invitation(world.learner_a)
    response = api().post(
        f"/api/v1/feedback/respond/{raw}/",
        {
            "ratings": {"listening": 3},
            "comments": "x" * (limits.FEEDBACK_COMMENTS + 1),
            "respondent_role": "carer",
        },
        format="json",
    )
    assert response.status_code == 400 and "comments" in response.json()
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_withdrawal_reason_has_a_limit(world, monkeypatch):
    from tests.factories import FeedbackFactory

    feedback = FeedbackFactory(learner=world.learner_a)
    guard(monkeypatch, fb_answers, "plain", limits.COMMENT)
    with pytest.raises(ValidationError) as exc:
        fb.withdraw(feedback, world.admin, "r" * (limits.COMMENT + 1))
    assert "reason" in exc.value.message_dict
    feedback.refresh_from_db()
    assert feedback.withdrawn_at is None
