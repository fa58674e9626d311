"""Who may see and do what with learners and their reflections: the portfolio's policies.

The one scope rule (design.md, "Scope is strict") starts here, with the learners a person
may see:

- learner: themselves
- tutor: learners with an allocation that is current today (ended allocations give nothing)
- examiner: learners enrolled in a cohort on a panel whose review window is open today,
  where they sit as its chair or an examiner (`models.RECORDING_ROLES`). A lay representative
  or external assessor's panel row gives no learner scope at all: nothing of this app
  (reflections, goals, attachments, review events) nor of the others built on it
  (assessments, feedback, timelines, supervisor's reports, outcomes). They read only the ARCP
  packs of that cohort's learners (`panel_paper_ids`, asked by `arcp.policies.exports` and
  the panel page)
- admin: every learner
- inactive or anonymous: nobody
A person with several roles sees the union.

Goals (a personal development plan) have their learner's scope (`goals`). Every other app
builds its own policies on `learners` (reflect/policies.py says how policies
are asked). Outside scope an object does not exist: doors turn "not visible" into 404.
"""

from __future__ import annotations

import operator
from functools import reduce

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from reflect import policies
from reflect import roles as R
from reflect.dates import current

from .models import (
    PACK_READING_ROLES,
    RECORDING_ROLES,
    Allocation,
    Attachment,
    Enrolment,
    Goal,
    GoalComment,
    Panel,
    Reflection,
    ReviewEvent,
)

User = get_user_model()

SUPERVISORS = frozenset({R.TUTOR, R.EXAMINER, R.ADMIN})


def _current_allocations():
    return Allocation.objects.filter(current())


def _open_panels():
    return Panel.objects.current()


def _examining_panels():
    """Open panel rows that give learner scope: the chair's and the examiners'."""
    return _open_panels().filter(role__in=RECORDING_ROLES)


# --- Learners -------------------------------------------------------------------------------
class LearnerPolicy(policies.Policy):
    """People with the learner role, as others may see them (the scope rule)."""

    not_found_message = "No such learner."

    def _base(self) -> QuerySet:
        return User.objects.filter(is_active=True, groups__name=R.LEARNER)

    def visible(self, user, *, include_self: bool = True) -> QuerySet:
        """Learners whose portfolios `user` may see (themselves too, if a learner)."""
        roles = R.roles_of(user)
        if not roles:
            return User.objects.none()
        learners = self._base()
        if R.ADMIN in roles:
            return learners.distinct()
        conditions = []
        if include_self and R.LEARNER in roles:
            conditions.append(Q(pk=user.pk))
        if R.TUTOR in roles:
            conditions.append(Q(pk__in=self.allocated_ids(user)))
        if R.EXAMINER in roles:
            conditions.append(Q(pk__in=self.panel_ids(user)))
        if not conditions:
            return User.objects.none()
        # DISTINCT cannot change the rows (a user is in the learner group once and the
        # conditions are IN subqueries), but PostgreSQL estimates the scope far better with
        # it: without it bench/scale.py saw the assessments list scan all 80,000 assessments.
        return learners.filter(reduce(operator.or_, conditions)).distinct()

    def is_learner(self, user) -> bool:
        """Whether `user` has a portfolio of their own (holds the learner role, active)."""
        return R.has_role(user, R.LEARNER)

    def in_cohort(self, cohort) -> QuerySet:
        """The active learners enrolled in `cohort` (for operator tools and cohort exports,
        which are made in an admin's name)."""
        enrolled = Enrolment.objects.filter(cohort=cohort).values("learner")
        return self._base().filter(pk__in=enrolled).distinct()

    def supervised(self, user) -> QuerySet:
        """Learners `user` sees in a supervisory role (tutor, examiner, admin), never
        themselves as a learner: the basis of "others see only non-draft reflections"."""
        if not set(R.roles_of(user)) & SUPERVISORS:
            return User.objects.none()
        return self.visible(user, include_self=False)

    def allocated_ids(self, user) -> QuerySet:
        """Ids (a values() subquery) of the learners `user` is currently allocated to as tutor."""
        if not R.has_role(user, R.TUTOR):
            return Allocation.objects.none().values("learner")
        return _current_allocations().filter(tutor=user).values("learner")

    def panel_ids(self, user) -> QuerySet:
        """Ids (a values() subquery) of the learners in cohorts on whose open panels `user`
        sits as chair or examiner (lay and external rows give no scope)."""
        if not R.has_role(user, R.EXAMINER):
            return Enrolment.objects.none().values("learner")
        cohorts = _examining_panels().filter(examiner=user).values("cohort")
        return Enrolment.objects.filter(cohort__in=cohorts).values("learner")

    def panel_paper_ids(self, user) -> QuerySet:
        """Ids (a values() subquery) of the active learners whose ARCP packs `user` reads as a
        lay representative or external assessor on an open panel of their cohort: their
        packs and names, nothing else (the one place both `arcp.policies.exports` and the
        panel page ask)."""
        if not R.has_role(user, R.EXAMINER):
            return Enrolment.objects.none().values("learner")
        cohorts = _open_panels().filter(examiner=user, role__in=PACK_READING_ROLES).values("cohort")
        return Enrolment.objects.filter(
            cohort__in=cohorts, learner__is_active=True, learner__groups__name=R.LEARNER
        ).values("learner")

    def panel_papers(self, user) -> QuerySet:
        """The learners of `panel_paper_ids` (names and cohort only are for showing)."""
        return self._base().filter(pk__in=self.panel_paper_ids(user)).distinct()

    def reads_packs_only(self, user) -> bool:
        """Whether `user` stands only as a lay representative or external assessor: an
        examiner with no other role, on no open panel as chair or examiner, and on at least
        one as lay or external. The navigation offers them no learner lists (cached on the
        user object for the request)."""
        cached = getattr(user, "_reads_packs_only", None)
        if cached is not None:
            return cached
        roles = set(R.roles_of(user))
        answer = (
            R.EXAMINER in roles
            and not roles & {R.LEARNER, R.TUTOR, R.ADMIN}
            and not _examining_panels().filter(examiner=user).exists()
            and _open_panels().filter(examiner=user, role__in=PACK_READING_ROLES).exists()
        )
        user._reads_packs_only = answer
        return answer

    def allocated(self, user) -> QuerySet:
        """The learners `user` tutors today (visible ones only)."""
        return self.visible(user).filter(pk__in=self.allocated_ids(user))

    def on_panel(self, user) -> QuerySet:
        """The learners in the cohorts of `user`'s open panels (as chair or examiner)."""
        return self.visible(user).filter(pk__in=self.panel_ids(user))

    def is_allocated_tutor(self, user, learner) -> bool:
        return (
            learner is not None
            and R.has_role(user, R.TUTOR)
            and _current_allocations().filter(tutor=user, learner=learner).exists()
        )

    def is_panel_examiner(self, user, learner) -> bool:
        return (
            learner is not None
            and R.has_role(user, R.EXAMINER)
            and (
                Enrolment.objects.filter(
                    learner=learner, cohort__in=_examining_panels().filter(examiner=user).values("cohort")
                ).exists()
            )
        )

    def current_tutors(self, learner) -> list:
        """The active tutors currently allocated to `learner` (who is told of submissions)."""
        allocations = _current_allocations().filter(learner=learner, tutor__is_active=True)
        return [a.tutor for a in allocations.select_related("tutor")]

    def role_may(self, user, action) -> bool:
        return bool(set(R.roles_of(user)) & {R.LEARNER, *SUPERVISORS})


# --- Reflections ----------------------------------------------------------------------------
class ReflectionPolicy(policies.Policy):
    """The learner sees all their own (drafts too); tutors, examiners and admins see the
    non-draft reflections of learners in their scope. Only the learner writes, edits and
    submits; only a tutor currently allocated to the learner reviews (asks for changes,
    signs off); the learner and that tutor comment on a submitted reflection."""

    actions = ("change", "submit", "comment", "review", "request_changes", "sign_off")
    not_found_message = "No such reflection."

    def visible(self, user) -> QuerySet:
        if not user.is_authenticated or not user.is_active:
            return Reflection.objects.none()
        others = Q(learner__in=learners.supervised(user)) & ~Q(status=Reflection.Status.DRAFT)
        if not R.has_role(user, R.LEARNER):
            # Only learners own reflections; without the OR the planner can use the learner
            # index for supervisors (bench/scale.py showed a full scan of all reflections).
            return Reflection.objects.filter(others)
        return Reflection.objects.filter(Q(learner=user) | others)

    def own(self, user) -> QuerySet:
        """The user's own reflections (any status); none for someone who is not a learner."""
        if not R.has_role(user, R.LEARNER):
            return Reflection.objects.none()
        return Reflection.objects.filter(learner=user)

    def scope(self, user, action: str = policies.VIEW) -> QuerySet:
        if action in ("change", "submit"):
            return self.own(user)
        if action in ("review", "request_changes", "sign_off"):
            return Reflection.objects.filter(learner__in=learners.allocated_ids(user)).exclude(
                status=Reflection.Status.DRAFT
            )
        return super().scope(user, action)

    def permits(self, user, action, obj) -> bool:
        if action in ("change", "submit"):
            return R.has_role(user, R.LEARNER) and obj.learner_id == user.pk
        if action in ("review", "request_changes", "sign_off"):
            return obj.learner_id != user.pk and learners.is_allocated_tutor(user, obj.learner)
        if action == "comment":
            own = R.has_role(user, R.LEARNER) and obj.learner_id == user.pk
            return own or learners.is_allocated_tutor(user, obj.learner)
        return super().permits(user, action, obj)

    def blocked(self, action, obj) -> str | None:
        status = obj.get_status_display().lower()
        if action == "change" and not obj.is_editable:
            return (
                f"This reflection is {status}, so it cannot be edited. "
                "You can edit it again if your tutor asks for changes."
            )
        if action == "submit" and not obj.is_editable:
            return f"This reflection is already {status}."
        if action == "review" and obj.status == Reflection.Status.DRAFT:
            return "This reflection is a draft: it can be reviewed once it is submitted."
        if action == "request_changes" and obj.status != Reflection.Status.SUBMITTED:
            return f"Only a submitted reflection can be sent back; this one is {status}."
        if action == "sign_off" and obj.status != Reflection.Status.SUBMITTED:
            return f"Only a submitted reflection can be signed off; this one is {status}."
        if action == "comment" and obj.status in (Reflection.Status.DRAFT, Reflection.Status.SIGNED_OFF):
            return "Comments can be added once a reflection is submitted and until it is signed off."
        return None

    def denied_message(self, user, action, obj) -> str:
        if action in ("change", "submit"):
            return "Only the learner who wrote this reflection may change or submit it."
        if action in ("review", "request_changes", "sign_off"):
            return "Only a tutor currently allocated to this learner may review this reflection."
        if action == "comment":
            return "Only the learner and their allocated tutors may comment on this reflection."
        return super().denied_message(user, action, obj)

    def role_may(self, user, action) -> bool:
        roles = set(R.roles_of(user))
        if action in ("change", "submit", "add"):
            return R.LEARNER in roles
        if action in ("review", "request_changes", "sign_off"):
            return R.TUTOR in roles
        if action == "comment":
            return bool(roles & {R.LEARNER, R.TUTOR})
        return bool(roles & {R.LEARNER, *SUPERVISORS})


class ReviewEventPolicy(policies.Policy):
    """A reflection's review history is seen by whoever may see the reflection."""

    not_found_message = "No such reflection."

    def visible(self, user) -> QuerySet:
        return ReviewEvent.objects.filter(reflection__in=reflections.visible(user))


# --- Goals (a personal development plan) ----------------------------------------------------
class GoalPolicy(policies.Policy):
    """Goals have the scope of their learner: the learner sees their own; tutors, examiners
    and admins see the goals of learners in their scope (goals have no draft state). Only the
    learner sets, edits and reviews (closes) a goal, while it is open; the learner and a tutor
    currently allocated to them comment."""

    actions = ("change", "review", "comment")
    not_found_message = "No such goal."

    def visible(self, user) -> QuerySet:
        if not user.is_authenticated or not user.is_active:
            return Goal.objects.none()
        others = Q(learner__in=learners.supervised(user))
        if not R.has_role(user, R.LEARNER):
            return Goal.objects.filter(others)
        return Goal.objects.filter(Q(learner=user) | others)

    def own(self, user) -> QuerySet:
        if not R.has_role(user, R.LEARNER) or not user.is_active:
            return Goal.objects.none()
        return Goal.objects.filter(learner=user)

    def scope(self, user, action: str = policies.VIEW) -> QuerySet:
        if action in ("change", "review"):
            return self.own(user)
        if action == "comment":
            return self.own(user) | Goal.objects.filter(learner__in=learners.allocated_ids(user))
        return super().scope(user, action)

    def _own(self, user, obj) -> bool:
        return R.has_role(user, R.LEARNER) and obj.learner_id == user.pk

    def permits(self, user, action, obj) -> bool:
        if action in ("change", "review"):
            return self._own(user, obj)
        if action == "comment":
            return self._own(user, obj) or learners.is_allocated_tutor(user, obj.learner)
        return super().permits(user, action, obj)

    def blocked(self, action, obj) -> str | None:
        if action in ("change", "review") and not obj.is_open:
            status = obj.get_status_display().lower()
            return f"This goal is already reviewed ({status}), so it cannot be changed."
        return None

    def denied_message(self, user, action, obj) -> str:
        if action in ("add", "change", "review"):
            return "Only the learner whose goal this is may set, change or review it."
        if action == "comment":
            return "Only the learner and their allocated tutors may comment on this goal."
        return super().denied_message(user, action, obj)

    def role_may(self, user, action) -> bool:
        roles = set(R.roles_of(user))
        if action in ("add", "change", "review"):
            return R.LEARNER in roles
        if action == "comment":
            return bool(roles & {R.LEARNER, R.TUTOR})
        return bool(roles & {R.LEARNER, *SUPERVISORS})


class GoalCommentPolicy(policies.Policy):
    """A goal's comments are seen by whoever may see the goal."""

    not_found_message = "No such goal."

    def visible(self, user) -> QuerySet:
        return GoalComment.objects.filter(goal__in=goals.visible(user))


class AttachmentPolicy(policies.Policy):
    """A reflection's attachments are seen by whoever may see the reflection (its learner
    always; tutors, examiners and admins in scope once it is submitted). Only its learner
    adds ("add", asked of the reflection) and removes them ("delete"), and only while the
    reflection is editable (draft or changes requested): a submitted or signed-off
    reflection's attachments are frozen with it."""

    actions = ("add", "delete")
    not_found_message = "No such attachment."

    def visible(self, user) -> QuerySet:
        return Attachment.objects.filter(reflection__in=reflections.visible(user))

    def target_visible(self, user, action, obj) -> bool:
        if action == "add":  # `obj` is the reflection the file is for
            return reflections.is_visible(user, obj)
        return super().target_visible(user, action, obj)

    def missing_message(self, action: str) -> str:
        return reflections.not_found_message if action == "add" else self.not_found_message

    def _reflection(self, action, obj) -> Reflection:
        return obj if action == "add" else obj.reflection

    def permits(self, user, action, obj) -> bool:
        if action in self.actions:
            return reflections.permits(user, "change", self._reflection(action, obj))
        return super().permits(user, action, obj)

    def blocked(self, action, obj) -> str | None:
        if action in self.actions and not self._reflection(action, obj).is_editable:
            status = self._reflection(action, obj).get_status_display().lower()
            return (
                f"This reflection is {status}, so its attachments cannot be changed. "
                "You can change them again if your tutor asks for changes."
            )
        return None

    def denied_message(self, user, action, obj) -> str:
        if action in self.actions:
            return "Only the learner who wrote this reflection may add or remove its attachments."
        return super().denied_message(user, action, obj)

    def role_may(self, user, action) -> bool:
        if action in self.actions:
            return R.has_role(user, R.LEARNER)
        return bool(set(R.roles_of(user)) & {R.LEARNER, *SUPERVISORS})

    def may_add(self, user, reflection) -> bool:
        """Whether the page should offer `user` to attach files to `reflection` now."""
        return self.role_may(user, "add") and self.can(user, "add", reflection)

    def may_remove(self, user, attachment) -> bool:
        return self.role_may(user, "delete") and self.can(user, "delete", attachment)


learners = policies.register("portfolio.learners", LearnerPolicy(User))
reflections = policies.register("portfolio.reflections", ReflectionPolicy(Reflection))
review_events = policies.register("portfolio.review_events", ReviewEventPolicy(ReviewEvent))
goals = policies.register("portfolio.goals", GoalPolicy(Goal))
goal_comments = policies.register("portfolio.goal_comments", GoalCommentPolicy(GoalComment))
attachments = policies.register("portfolio.attachments", AttachmentPolicy(Attachment))
