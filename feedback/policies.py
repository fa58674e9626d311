"""Who may see and do what with feedback and the one-time links that ask for it.

- Feedback about a learner is seen by whoever may see the learner (`portfolio.policies`):
  the learner, their current tutors, the examiners of their cohort's open panels and
  programme admins. Withdrawn feedback (abusive, or given in error) is hidden from everyone
  but programme admins, at every door, the ARCP pack included. Anonymous answers never carry
  a name (none is stored).
- Programme admins withdraw feedback (with a reason).
- Links ("add", for a learner) are created by a tutor currently allocated to the learner or
  a programme admin; a tutor sees the links they created for learners still in their scope,
  admins see every link. A link itself is the only scope of the person who holds it.
"""

from __future__ import annotations

from django.db.models import QuerySet

from portfolio.policies import learners
from reflect import policies
from reflect import roles as R

from .models import Feedback, FeedbackInvitation


class FeedbackPolicy(policies.Policy):
    actions = ("withdraw",)
    not_found_message = "No such feedback."

    def released(self) -> QuerySet:
        """Feedback that counts as evidence: not withdrawn."""
        return Feedback.objects.filter(withdrawn_at__isnull=True)

    def visible(self, user) -> QuerySet:
        if R.has_role(user, R.ADMIN):
            return Feedback.objects.all()
        return self.released().filter(learner__in=learners.visible(user))

    def permits(self, user, action, obj) -> bool:
        if action == "withdraw":
            return R.has_role(user, R.ADMIN)
        return super().permits(user, action, obj)

    def blocked(self, action, obj) -> str | None:
        if action == "withdraw" and obj.withdrawn_at is not None:
            return "This feedback has already been withdrawn."
        return None

    def denied_message(self, user, action, obj) -> str:
        return "Only a programme admin may withdraw feedback."

    def role_may(self, user, action) -> bool:
        if action == "withdraw":
            return R.has_role(user, R.ADMIN)
        return bool(set(R.roles_of(user)) & {R.LEARNER, R.TUTOR, R.EXAMINER, R.ADMIN})


class InvitationPolicy(policies.Policy):
    actions = ("add",)
    not_found_message = "No such learner."

    def visible(self, user) -> QuerySet:
        if R.has_role(user, R.ADMIN):
            return FeedbackInvitation.objects.all()
        if R.has_role(user, R.TUTOR):
            return FeedbackInvitation.objects.filter(created_by=user, learner__in=learners.visible(user))
        return FeedbackInvitation.objects.none()

    def invitable(self, user) -> QuerySet:
        """The learners `user` may ask feedback about."""
        if R.has_role(user, R.ADMIN):
            return learners.visible(user)
        return learners.allocated(user)

    def target_visible(self, user, action, obj) -> bool:
        if action == "add":  # obj is the learner
            return self.invitable(user).filter(pk=obj.pk).exists()
        return super().target_visible(user, action, obj)

    def permits(self, user, action, obj) -> bool:
        if action == "add":
            return R.has_role(user, R.ADMIN) or learners.is_allocated_tutor(user, obj)
        return super().permits(user, action, obj)

    def denied_message(self, user, action, obj) -> str:
        return "Only a tutor allocated to the learner, or a programme admin, may invite feedback."

    def role_may(self, user, action) -> bool:
        return bool(set(R.roles_of(user)) & {R.TUTOR, R.ADMIN})


feedback = policies.register("feedback.feedback", FeedbackPolicy(Feedback))
invitations = policies.register("feedback.invitations", InvitationPolicy(FeedbackInvitation))
