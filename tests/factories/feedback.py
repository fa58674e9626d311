"""Feedback: invitations with a known raw token, and stored feedback."""

import datetime

import factory
from django.utils import timezone

from feedback import services as fb
from feedback.models import Feedback, FeedbackInvitation

from .portfolio import LearnerFactory


def feedback_invitation(learner, by=None, *, expires_in_days=14, used=False, email="", **kwargs):
    """A feedback invitation with a known raw token: returns ``(invitation, raw_token)``.
    Made directly (not through the service) so tests can build expired or used links."""
    raw = fb.new_token()
    now = timezone.now()
    invitation = FeedbackInvitation.objects.create(
        learner=learner,
        created_by=by,
        context_title=kwargs.pop("context_title", "Lived-experience session: living with psychosis"),
        occurred_on=kwargs.pop("occurred_on", timezone.localdate() - datetime.timedelta(days=2)),
        email=email,
        token_hash=fb.hash_token(raw),
        expires_at=now + datetime.timedelta(days=expires_in_days),
        used_at=now if used else None,
        **kwargs,
    )
    return invitation, raw


class FeedbackFactory(factory.django.DjangoModelFactory):
    """Stored feedback on `learner` (through a spent invitation)."""

    class Meta:
        model = Feedback

    learner = factory.SubFactory(LearnerFactory)
    invitation = factory.LazyAttribute(lambda f: feedback_invitation(f.learner, used=True)[0])
    context_title = factory.LazyAttribute(lambda f: f.invitation.context_title)
    occurred_on = factory.LazyAttribute(lambda f: f.invitation.occurred_on)
    ratings = factory.LazyFunction(lambda: {"listening": 5, "respect": 4, "circumstances": None})
    comments = "They asked about my stairs at home, which nobody had before."
    anonymous = False
    respondent_role = Feedback.RespondentRole.PATIENT_REP
    respondent_name = "Maureen Doyle"
