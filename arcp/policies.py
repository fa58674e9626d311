"""Who may see and do what with ARCP packs, outcomes and cohort exports.

- Packs and outcomes have the scope of their learner (`portfolio.policies.learners`):
  whoever may see the learner may see them; a patient representative never.
- A pack ("add", for a learner) is made by the learner, a tutor currently allocated to
  them, an examiner on their cohort's open panel or a programme admin. What it holds is
  what that person may see (`arcp.evidence` asks the other apps' policies).
- An outcome ("add", for a learner) is recorded by an examiner on the learner's panel.
- The learner alone acknowledges an outcome, responds to it, and asks for a review (outcome
  2) or appeals (3, 4): "acknowledge", "respond", "appeal". Others who may see the outcome
  are refused (403); others never see it (404). When those are allowed (the window of 10
  working days, the outcomes, superseded records) is `arcp.services`' (`appeal_window`).
- Cohort exports are programme admins' alone.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from portfolio.models import Cohort, Enrolment, Panel
from portfolio.policies import learners
from reflect import policies
from reflect import roles as R
from reflect.dates import current

from .models import ArcpExport, ArcpReview, CohortExport, PackRequest

User = get_user_model()

PACK_ROLES = frozenset({R.LEARNER, R.TUTOR, R.EXAMINER, R.ADMIN})


class _LearnerScoped(policies.Policy):
    not_found_message = "No such learner."

    def visible(self, user) -> QuerySet:
        return self.model.objects.filter(learner__in=learners.visible(user))

    def target_visible(self, user, action, obj) -> bool:
        if action == "add":  # obj is the learner
            return learners.is_visible(user, obj)
        return super().target_visible(user, action, obj)


class ExportPolicy(_LearnerScoped):
    actions = ("add",)

    def permits(self, user, action, obj) -> bool:
        if action == "add":
            return bool(set(R.roles_of(user)) & PACK_ROLES) and learners.is_visible(user, obj)
        return super().permits(user, action, obj)

    def denied_message(self, user, action, obj) -> str:
        return "Your role may not make ARCP packs."

    def role_may(self, user, action) -> bool:
        return bool(set(R.roles_of(user)) & PACK_ROLES)


LEARNER_ACTIONS = ("acknowledge", "respond", "appeal")


class ReviewPolicy(_LearnerScoped):
    actions = ("add", *LEARNER_ACTIONS)

    def permits(self, user, action, obj) -> bool:
        if action == "add":
            return learners.is_panel_examiner(user, obj)
        if action in LEARNER_ACTIONS:
            return R.has_role(user, R.LEARNER) and obj is not None and obj.learner_id == user.pk
        return super().permits(user, action, obj)

    def denied_message(self, user, action, obj) -> str:
        if action == "acknowledge":
            return "Only the learner acknowledges their outcome."
        if action == "respond":
            return "Only the learner responds to their outcome."
        if action == "appeal":
            return "Only the learner asks for a review of their outcome or appeals it."
        return "Only examiners on the learner's ARCP panel record outcomes."

    def role_may(self, user, action) -> bool:
        if action == "add":
            return R.has_role(user, R.EXAMINER)
        if action in LEARNER_ACTIONS:
            return R.has_role(user, R.LEARNER)
        return bool(set(R.roles_of(user)) & PACK_ROLES)

    def panel_examiners(self, review) -> QuerySet:
        """Who is told of the learner's request: the examiners on the open panels of the
        learner's cohort, and the examiner who recorded the outcome (active people only)."""
        cohorts = Enrolment.objects.filter(learner_id=review.learner_id).values("cohort")
        on_panel = Panel.objects.filter(current(start="opens_on", end="closes_on"), cohort__in=cohorts)
        return User.objects.filter(
            Q(pk__in=on_panel.values("examiner")) | Q(pk=review.examiner_id), is_active=True
        ).distinct()


class PackRequestPolicy(policies.Policy):
    """A pack being made in the background is seen by the person who asked for it alone, and
    only while the learner is still in their scope. The packs of a cohort export are followed
    on the export's own page (`CohortExportPolicy`), not one by one."""

    not_found_message = "No such pack request."

    def visible(self, user) -> QuerySet:
        if not getattr(user, "is_authenticated", False):
            return PackRequest.objects.none()
        return PackRequest.objects.filter(
            requested_by=user, cohort_export__isnull=True, learner__in=learners.visible(user)
        )


class CohortExportPolicy(policies.Policy):
    actions = ("add",)
    not_found_message = "No such cohort export."

    def visible(self, user) -> QuerySet:
        if R.has_role(user, R.ADMIN):
            return CohortExport.objects.all()
        return CohortExport.objects.none()

    def target_visible(self, user, action, obj) -> bool:
        return True if action == "add" else super().target_visible(user, action, obj)  # any cohort

    def permits(self, user, action, obj) -> bool:
        if action == "add":
            return R.has_role(user, R.ADMIN)
        return super().permits(user, action, obj)

    def denied_message(self, user, action, obj) -> str:
        return "Only programme admins export a whole cohort."

    def role_may(self, user, action) -> bool:
        return R.has_role(user, R.ADMIN)


class TimelinePolicy(policies.Policy):
    """One learner's portfolio on screen (`arcp.timeline`) and a cohort's theme coverage.

    - timeline ("view"): tutors, examiners and programme admins, for the learners they
      supervise (`learners.supervised`: never themselves as a learner);
    - coverage ("coverage", the cohort heatmap): tutors and programme admins, over the
      cohorts that hold learners they supervise, showing only those learners.
    What each entry shows is decided by the owning app's policy (`arcp.timeline`)."""

    actions = ("coverage",)
    not_found_message = "No such learner."

    def visible(self, user) -> QuerySet:
        return learners.supervised(user)

    def cohorts(self, user) -> QuerySet:
        """Cohorts whose coverage `user` may read: those holding learners they supervise."""
        if not self.role_may(user, "coverage"):
            return Cohort.objects.none()
        held = learners.supervised(user).values("enrolment__cohort")
        return Cohort.objects.filter(pk__in=held)

    def permits(self, user, action, obj) -> bool:
        if action == "coverage":  # obj is the cohort
            return self.cohorts(user).filter(pk=obj.pk).exists()
        return super().permits(user, action, obj)

    def denied_message(self, user, action, obj) -> str:
        if action == "coverage":
            return "Only tutors and programme admins read a cohort's theme coverage."
        return "Only tutors, examiners and programme admins read learners' timelines."

    def role_may(self, user, action) -> bool:
        roles = set(R.roles_of(user))
        if action == "coverage":
            return bool(roles & {R.TUTOR, R.ADMIN})
        return bool(roles & {R.TUTOR, R.EXAMINER, R.ADMIN})


exports = policies.register("arcp.exports", ExportPolicy(ArcpExport))
reviews = policies.register("arcp.reviews", ReviewPolicy(ArcpReview))
pack_requests = policies.register("arcp.pack_requests", PackRequestPolicy(PackRequest))
cohort_exports = policies.register("arcp.cohort_exports", CohortExportPolicy(CohortExport))
# Over the user model, but not its default policy (that stays `portfolio.learners`).
timelines = policies.register("arcp.timelines", TimelinePolicy(User), default_for_model=False)
