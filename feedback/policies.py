"""Who may see and do what with feedback and the one-time links that ask for it.

- Feedback about a learner is seen by whoever may see the learner (`portfolio.policies`):
  the learner, their current tutors, the examiners of their cohort's open panels and
  programme admins. Withdrawn feedback (abusive, or given in error) is hidden from everyone
  but programme admins, at every door, the ARCP pack included. Anonymous answers never carry
  a name (none is stored).
- Colleague answers (multi-source feedback) are individual answers that the learner never
  sees: only the learner's current tutors and programme admins read them. The learner, the
  panel and the ARCP pack see a colleague round only as aggregates, once released
  (`RoundPolicy`), and never a group of fewer than three (`feedback.services.rounds`).
- Programme admins withdraw feedback (with a reason).
- Colleague rounds: seen by the learner (once released), their current tutors, the
  examiners of their cohort (once released) and admins; opened, read and released by a
  current tutor or an admin; the learner alone adds the self-assessment, before release.
- Partner reports (per placement, aggregated) are for programme admins only.
- Links ("add", for a learner) are created by a tutor currently allocated to the learner or
  a programme admin; a tutor sees the links they created for learners still in their scope,
  admins see every link. A link itself is the only scope of the person who holds it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from portfolio.policies import learners
from reflect import policies
from reflect import roles as R

from .models import ColleagueRound, Feedback, FeedbackInvitation, RespondentType

COLLEAGUE = RespondentType.COLLEAGUE


class FeedbackPolicy(policies.Policy):
    actions = ("withdraw",)
    not_found_message = "No such feedback."

    def released(self) -> QuerySet:
        """Feedback that counts as evidence on its own: not withdrawn, and not an individual
        colleague answer (those count only through their round's aggregates)."""
        return Feedback.objects.filter(withdrawn_at__isnull=True).exclude(respondent_type=COLLEAGUE)

    def visible(self, user) -> QuerySet:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return Feedback.objects.none()
        if R.has_role(user, R.ADMIN):
            return Feedback.objects.all()
        shown = Feedback.objects.filter(withdrawn_at__isnull=True, learner__in=learners.visible(user))
        # Individual colleague answers: the learner's current tutors only (never the learner,
        # even one who is also a tutor, and never the panel).
        tutored = Q(learner__in=learners.allocated(user)) & ~Q(learner=user)
        return shown.filter(~Q(respondent_type=COLLEAGUE) | tutored)

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


class RoundPolicy(policies.Policy):
    actions = ("open", "read", "release", "self_assess")
    not_found_message = "No such colleague round."

    def visible(self, user) -> QuerySet:
        if R.has_role(user, R.ADMIN):
            return ColleagueRound.objects.all()
        mine = Q(learner=user)
        released = Q(released_at__isnull=False, learner__in=learners.visible(user))
        tutored = Q(learner__in=learners.allocated(user))
        return ColleagueRound.objects.filter(mine | released | tutored)

    def may_read_answers(self, user, obj) -> bool:
        """The individual answers: the learner's current tutors and admins, never the learner."""
        if obj.learner_id == user.pk:
            return False
        return R.has_role(user, R.ADMIN) or learners.is_allocated_tutor(user, obj.learner)

    def may_see_report(self, user, obj) -> bool:
        """The aggregates: the learner and the panel after release; tutors and admins always."""
        return obj.is_released or self.may_read_answers(user, obj)

    def permits(self, user, action, obj) -> bool:
        if action == "self_assess":
            return obj.learner_id == user.pk
        if action in ("open", "read", "release"):  # for "open", obj is the learner
            learner = obj if action == "open" else obj.learner
            if learner.pk == user.pk:
                return False
            return R.has_role(user, R.ADMIN) or learners.is_allocated_tutor(user, learner)
        return super().permits(user, action, obj)

    def target_visible(self, user, action, obj) -> bool:
        if action == "open":
            return invitations.invitable(user).filter(pk=obj.pk).exists()
        return super().target_visible(user, action, obj)

    def blocked(self, action, obj) -> str | None:
        if action in ("self_assess", "release") and obj.is_released:
            return "This round has already been released."
        return None

    def denied_message(self, user, action, obj) -> str:
        if action == "self_assess":
            return "Only the learner adds their own self-assessment."
        return "Only a tutor allocated to the learner, or a programme admin, may do this."

    def role_may(self, user, action) -> bool:
        if action == "self_assess":
            return R.has_role(user, R.LEARNER)
        if action in ("open", "read", "release"):
            return bool(set(R.roles_of(user)) & {R.TUTOR, R.ADMIN})
        return bool(set(R.roles_of(user)) & {R.LEARNER, R.TUTOR, R.EXAMINER, R.ADMIN})


class PartnerReportPolicy:
    """Partner reports are aggregates across learners: programme admins only."""

    def may_view(self, user) -> bool:
        return R.has_role(user, R.ADMIN)


feedback = policies.register("feedback.feedback", FeedbackPolicy(Feedback))
invitations = policies.register("feedback.invitations", InvitationPolicy(FeedbackInvitation))
rounds = policies.register("feedback.rounds", RoundPolicy(ColleagueRound))
partner_reports = PartnerReportPolicy()
