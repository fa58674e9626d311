"""Who may see and do what with ARCP packs, outcomes and cohort exports.

- Packs and outcomes have the scope of their learner (`portfolio.policies.learners`):
  whoever may see the learner may see them; a patient representative never. Packs are also
  read by the panel's lay representatives and external assessors (below).
- A pack ("add", for a learner) is made by the learner, a tutor currently allocated to
  them, an examiner (or chair) on their cohort's open panel or a programme admin. What it
  holds is what that person may see (`arcp.evidence` asks the other apps' policies).
- An outcome ("add", for a learner) is recorded by the chair of the learner's cohort's open
  panel. Where that panel names no chair (no active member with the role), its examiners
  record, as every panel did before roles. Correcting an outcome (a new record that
  supersedes it, `arcp.services.record_review`) is recording one: the same rule. A member
  who sees the learner but may not record is refused (403); anyone else: 404.
- The learner alone acknowledges an outcome, responds to it, and asks for a review (outcome
  2) or appeals (3, 4): "acknowledge", "respond", "appeal". Others who may see the outcome
  are refused (403); others never see it (404). When those are allowed (the window of 10
  working days, the outcomes, superseded records) is `arcp.services`' (`appeal_window`).
- Cohort exports are programme admins' alone.
- Supervisor's reports (`supervisor_reports`): the author, a tutor currently allocated to the
  learner, writes, shares and signs ("add", "edit", "share", "sign"), and sees their own at
  every status; other allocated tutors see signed ones; the learner sees their own once
  shared (never drafts) and comments ("comment"); the chair and examiners of an open panel
  of the learner's cohort see signed ones only; programme admins all. Everyone else: 404.
- Panel roles (`portfolio.models.Panel.role`: chair, examiner, lay representative, external
  assessor). The Gold Guide's panel judges the evidence, which "at a minimum must consist of
  ... a structured report from the Educational Supervisor", and "may also have input from a
  lay representative and external advisor"
  (https://gpst.walesdeanery.org/gp-trainees/arcp-panels); lay representatives "represent
  public interest, provide impartial advice, scrutinise policy and process"
  (https://www.nwpgmd.nhs.uk/lay_members) and an external assessor acts "as a critical
  friend ... to ensure the process is fair and reliable" (https://www.rcpch.ac.uk/form/
  external-assessors-for-ARCP). They assure the process; they do not examine the learner.
  So a lay or external row gives no learner scope at all (reflections, assessments,
  feedback, goals, attachments, timelines, supervisor's reports and outcomes are 404 to
  them at every door): they read the packs of that panel's learners
  (`learners.panel_paper_ids`), view and download, audited like every pack read, and the
  panel page lists those learners by name with their packs. They make no packs ("add" is
  404, the learner being outside their scope): a pack holds what its maker may see, so one
  made in their name would hold nothing; they read the packs the panel was given.
"""

from __future__ import annotations

import operator
from functools import reduce

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from portfolio.models import RECORDING_ROLES, Cohort, Enrolment, Panel
from portfolio.policies import learners
from reflect import policies
from reflect import roles as R

from .models import ArcpExport, ArcpReview, CohortExport, PackRequest, SupervisorReport

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
    """Packs: their learner's scope, and the lay and external members of the learner's
    cohort's open panel (read only; see the module's docstring)."""

    actions = ("add",)

    def visible(self, user) -> QuerySet:
        in_scope = Q(learner__in=learners.visible(user))
        if R.has_role(user, R.EXAMINER):
            in_scope |= Q(learner__in=learners.panel_paper_ids(user))
        return ArcpExport.objects.filter(in_scope)

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
            return may_record(user, obj)
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
        if action == "add" and obj is not None and learners.is_panel_examiner(user, obj):
            return "The chair of this learner's ARCP panel records the outcome, not its examiners."
        return (
            "Only the chair of the learner's ARCP panel records outcomes (its examiners, if the "
            "panel has no chair)."
        )

    def role_may(self, user, action) -> bool:
        if action == "add":
            return R.has_role(user, R.EXAMINER)
        if action in LEARNER_ACTIONS:
            return R.has_role(user, R.LEARNER)
        return bool(set(R.roles_of(user)) & PACK_ROLES)

    def panel_examiners(self, review) -> QuerySet:
        """Who is told of the learner's request: the chair and examiners on the open panels
        of the learner's cohort (lay and external members do not see outcomes), and the
        examiner who recorded the outcome (active people only)."""
        cohorts = Enrolment.objects.filter(learner_id=review.learner_id).values("cohort")
        on_panel = Panel.objects.current().filter(cohort__in=cohorts, role__in=RECORDING_ROLES)
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


def may_record(user, learner) -> bool:
    """Whether `user` records `learner`'s outcome: the chair of an open panel of the
    learner's cohort, or one of its examiners when it has no active chair."""
    if learner is None or not R.has_role(user, R.EXAMINER):
        return False
    cohorts = Enrolment.objects.filter(learner=learner).values("cohort")
    chaired = Panel.objects.current().filter(
        cohort=OuterRef("cohort"), role=Panel.Role.CHAIR, examiner__is_active=True
    )
    mine = Panel.objects.current().filter(examiner=user, cohort__in=cohorts)
    return mine.filter(Q(role=Panel.Role.CHAIR) | Q(role=Panel.Role.EXAMINER) & ~Exists(chaired)).exists()


def panel_members(user) -> list[dict]:
    """The members, with their roles, of the open panels `user` sits on (any role): one
    entry per cohort, `{"cohort", "members": [(person, role label)], "my_roles": set,
    "has_chair": bool}` (the panel page)."""
    if not R.has_role(user, R.EXAMINER):
        return []
    mine = Panel.objects.current().filter(examiner=user).values("cohort")
    rows = (
        Panel.objects.current()
        .filter(cohort__in=mine, examiner__is_active=True)
        .select_related("examiner", "cohort")
        .order_by("cohort__name", "examiner__last_name", "examiner__username")
    )
    labels = dict(Panel.Role.choices)
    order = {role: n for n, role in enumerate(labels)}
    by_cohort: dict[int, dict] = {}
    for row in rows:
        entry = by_cohort.setdefault(
            row.cohort_id, {"cohort": row.cohort, "members": [], "my_roles": set(), "has_chair": False}
        )
        entry["members"].append((row.examiner, labels.get(row.role, row.role), order.get(row.role, 9)))
        entry["has_chair"] |= row.role == Panel.Role.CHAIR
        if row.examiner_id == user.pk:
            entry["my_roles"].add(row.role)
    for entry in by_cohort.values():
        entry["members"].sort(key=lambda m: m[2])
        entry["members"] = [(person, label) for person, label, _ in entry["members"]]
    return list(by_cohort.values())


ESR_TUTOR_ACTIONS = ("add", "edit", "share", "sign")


class SupervisorReportPolicy(policies.Policy):
    """The educational supervisor's report (see the module's docstring)."""

    actions = (*ESR_TUTOR_ACTIONS, "comment")
    not_found_message = "No such supervisor's report."

    def visible(self, user) -> QuerySet:
        roles = set(R.roles_of(user))
        if not roles & {R.LEARNER, R.TUTOR, R.EXAMINER, R.ADMIN}:
            return SupervisorReport.objects.none()
        in_scope = SupervisorReport.objects.filter(learner__in=learners.visible(user))
        if R.ADMIN in roles:
            return in_scope
        signed = SupervisorReport.Status.SIGNED
        conditions = []
        if R.LEARNER in roles:
            conditions.append(Q(learner=user, status__in=(SupervisorReport.Status.SHARED, signed)))
        if R.TUTOR in roles:
            allocated = learners.allocated_ids(user)
            conditions.append(Q(learner__in=allocated) & (Q(author=user) | Q(status=signed)))
        if R.EXAMINER in roles:
            conditions.append(Q(learner__in=learners.panel_ids(user), status=signed))  # chair, examiners
        if not conditions:
            return SupervisorReport.objects.none()
        return in_scope.filter(reduce(operator.or_, conditions))

    def writable_learners(self, user) -> QuerySet:
        """The learners `user` may write a report for: those they tutor today."""
        return learners.allocated(user) if R.has_role(user, R.TUTOR) else learners.visible(user).none()

    def target_visible(self, user, action, obj) -> bool:
        if action == "add":  # obj is the learner
            return learners.is_visible(user, obj)
        return super().target_visible(user, action, obj)

    def permits(self, user, action, obj) -> bool:
        if action == "add":
            return learners.is_allocated_tutor(user, obj)
        if action in ESR_TUTOR_ACTIONS:
            return (
                obj is not None
                and obj.author_id == user.pk
                and learners.is_allocated_tutor(user, obj.learner)
            )
        if action == "comment":
            return R.has_role(user, R.LEARNER) and obj is not None and obj.learner_id == user.pk
        return super().permits(user, action, obj)

    def denied_message(self, user, action, obj) -> str:
        if action == "comment":
            return "Only the learner comments on their supervisor's report."
        if action == "add":
            return "Only a tutor allocated to the learner writes their supervisor's report."
        return "Only the report's author, while allocated to the learner, changes it."

    def role_may(self, user, action) -> bool:
        if action in ESR_TUTOR_ACTIONS:
            return R.has_role(user, R.TUTOR)
        if action == "comment":
            return R.has_role(user, R.LEARNER)
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
supervisor_reports = policies.register("arcp.supervisor_reports", SupervisorReportPolicy(SupervisorReport))
cohort_exports = policies.register("arcp.cohort_exports", CohortExportPolicy(CohortExport))
# Over the user model, but not its default policy (that stays `portfolio.learners`).
timelines = policies.register("arcp.timelines", TimelinePolicy(User), default_for_model=False)
