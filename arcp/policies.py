"""Who may see and do what with ARCP packs, outcomes and cohort exports.

- Packs and outcomes have the scope of their learner (`portfolio.policies.learners`):
  whoever may see the learner may see them; a patient representative never.
- A pack ("add", for a learner) is made by the learner, a tutor currently allocated to
  them, an examiner on their cohort's open panel or a programme admin. What it holds is
  what that person may see (`arcp.evidence` asks the other apps' policies).
- An outcome ("add", for a learner) is recorded by an examiner on the learner's panel.
- Cohort exports are programme admins' alone.
"""

from __future__ import annotations

from django.db.models import QuerySet

from portfolio.policies import learners
from reflect import policies
from reflect import roles as R

from .models import ArcpExport, ArcpReview, CohortExport

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


class ReviewPolicy(_LearnerScoped):
    actions = ("add",)

    def permits(self, user, action, obj) -> bool:
        if action == "add":
            return learners.is_panel_examiner(user, obj)
        return super().permits(user, action, obj)

    def denied_message(self, user, action, obj) -> str:
        return "Only examiners on the learner's ARCP panel record outcomes."

    def role_may(self, user, action) -> bool:
        if action == "add":
            return R.has_role(user, R.EXAMINER)
        return bool(set(R.roles_of(user)) & PACK_ROLES)


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


exports = policies.register("arcp.exports", ExportPolicy(ArcpExport))
reviews = policies.register("arcp.reviews", ReviewPolicy(ArcpReview))
cohort_exports = policies.register("arcp.cohort_exports", CohortExportPolicy(CohortExport))
