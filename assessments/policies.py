"""Who may see and do what with assessments and moderation requests.

Seeing an assessment:
- programme admins: every one;
- its assessor: while they hold the tutor role (the role that marks: `role_may("add")`),
  drafts too. Someone who no longer marks (an ex-tutor who is now only an examiner) sees
  their old markings only as anyone else in their role does (released ones, in scope);
- a *released* assessment (finalised, and not the second marking of a moderation pair that
  is still open) is seen by the learner whose reflection it marks, the learner's current
  tutors (of a non-draft reflection) and the examiners and others who supervise the learner;
- co-tutors also see each other's draft first markings of their learners (not drafts of
  second markings);
- blind second marking: while a moderation pair is open (not both markings finalised), the
  first marking is hidden from its second marker and the second marking from everyone but
  its own assessor and admins, at every door: site, API, admin, the ARCP pack;
- a second marker sees the first marking they moderated once the pair is complete.

Doing:
- "add" (mark a reflection, `obj` is the reflection): a tutor currently allocated to the
  reflection's learner, or the second marker an admin named in an open moderation request;
  never a draft;
- "change" and "finalise" (a draft): its assessor, while still allowed to mark (allocated,
  the named second marker, or an admin correcting a mark);
- "supersede" (correct a finalised one): an admin or a tutor currently allocated to the
  learner;
- moderation requests are made by programme admins.
"""

from __future__ import annotations

import operator
from functools import reduce

from django.db.models import Exists, OuterRef, Q, QuerySet

from portfolio.models import Reflection
from portfolio.policies import learners, reflections
from reflect import policies
from reflect import roles as R

from .models import Assessment, ModerationRequest

FINALISED = Q(status=Assessment.Status.FINALISED)


def _open_requests() -> QuerySet:
    return ModerationRequest.objects.open()


def _open_second_markings() -> QuerySet:
    return _open_requests().filter(second_assessment__isnull=False).values("second_assessment_id")


class AssessmentPolicy(policies.Policy):
    actions = ("add", "change", "finalise", "supersede")
    not_found_message = "No such assessment."

    def released(self) -> QuerySet:
        """Assessments that count as marks others may read: finalised, and not the second
        marking of a moderation pair that is still open."""
        return Assessment.objects.filter(FINALISED).exclude(pk__in=_open_second_markings())

    def _released_q(self, *, anti_join: bool = False) -> Q:
        if anti_join:
            # NOT EXISTS: an anti-join, so PostgreSQL can still read the rows through the
            # reflection index; with NOT IN it charged the hashed subplan to every index
            # probe and read all 80,000 assessments instead (bench/scale.py). Inside an OR
            # it would be a subquery per row, hence NOT IN there. Same rows (no NULL ids).
            return FINALISED & ~Exists(_open_requests().filter(second_assessment=OuterRef("pk")))
        return FINALISED & ~Q(pk__in=_open_second_markings())

    def visible(self, user) -> QuerySet:
        roles = R.roles_of(user)
        if not roles:
            return Assessment.objects.none()
        if R.ADMIN in roles:
            return Assessment.objects.all()
        # "Its assessor" only for people who mark (the tutor role). Without it, someone with
        # one role has a single condition that PostgreSQL reads through an index; an OR of
        # `assessor = me` with the learner scope can use none (bench/scale.py: the
        # examiner's list read all 80,000 assessments at 2,000 learners).
        marks = self.role_may(user, "add")
        alone = not marks and not (R.LEARNER in roles and R.EXAMINER in roles)
        released = self._released_q(anti_join=alone)
        conditions = [Q(assessor=user)] if marks else []
        if R.LEARNER in roles:
            conditions.append(Q(reflection__learner=user) & released)
        if R.TUTOR in roles:
            conditions.append(
                Q(reflection__learner__in=learners.allocated_ids(user))
                & ~Q(reflection__status=Reflection.Status.DRAFT)
                & (released | (Q(status=Assessment.Status.DRAFT) & Q(moderation_of__isnull=True)))
            )
            # A second marker sees the marking they moderated once the pair is complete.
            completed = ModerationRequest.objects.filter(second_marker=user).exclude(
                pk__in=_open_requests().values("pk")
            )
            conditions.append(Q(pk__in=completed.values("first_assessment_id")))
        if R.EXAMINER in roles:
            conditions.append(Q(reflection__learner__in=learners.supervised(user)) & released)
        if not conditions:
            return Assessment.objects.none()
        visible = Assessment.objects.filter(reduce(operator.or_, conditions))
        # Blind: the first marking is hidden from its second marker while the pair is open.
        if alone:  # NOT EXISTS, as in `_released_q` (a request always has its first marking)
            hidden = _open_requests().filter(second_marker=user, first_assessment=OuterRef("pk"))
            return visible.exclude(Exists(hidden))
        hidden = _open_requests().filter(second_marker=user).values("first_assessment_id")
        return visible.exclude(pk__in=hidden)

    # --- marking -----------------------------------------------------------------------
    def open_request(self, user, reflection) -> ModerationRequest | None:
        """The admin's request that `user` mark `reflection` blind, if one waits for them."""
        if user is None or not user.is_authenticated:
            return None
        return (
            ModerationRequest.objects.filter(
                second_marker=user, first_assessment__reflection=reflection, second_assessment__isnull=True
            )
            .select_related("first_assessment__rubric")
            .first()
        )

    def markable(self, user) -> QuerySet:
        """Reflections `user` may mark: non-draft reflections of learners they are currently
        allocated to, plus those an admin asked them to second-mark."""
        if not R.has_role(user, R.TUTOR):
            return Reflection.objects.none()
        moderated = ModerationRequest.objects.filter(second_marker=user)
        moderated = moderated.values("first_assessment__reflection").order_by()
        allocated = Reflection.objects.filter(learner__in=learners.allocated_ids(user))
        # One UNION of ids rather than "learner IN (...) OR id IN (...)": PostgreSQL cannot
        # use an index for an OR of two subqueries and scanned every reflection
        # (bench/scale.py, the navigation's "To mark" count on every tutor page).
        either = allocated.values("pk").order_by().union(moderated)
        return Reflection.objects.filter(pk__in=either).exclude(status=Reflection.Status.DRAFT)

    def to_mark(self, user) -> QuerySet:
        """The tutor's worklist: reflections they may mark that they have neither started
        nor finalised a current marking of (the marking page's "To mark" and the
        navigation's count)."""
        mine = Assessment.objects.filter(reflection=OuterRef("pk"), assessor=user)
        # "Not corrected" as NOT EXISTS, not `superseded_by__isnull` (a LEFT JOIN that made
        # PostgreSQL hash every assessment, then compare each reflection with each row);
        # "supersedes IS NOT NULL" lets it read the few corrections from their unique index.
        corrected = Assessment.objects.filter(supersedes=OuterRef("pk"), supersedes__isnull=False)
        finalised = mine.filter(status=Assessment.Status.FINALISED).exclude(Exists(corrected))
        started = mine.filter(status=Assessment.Status.DRAFT)
        return self.markable(user).exclude(Exists(finalised)).exclude(Exists(started))

    def scope(self, user, action: str = policies.VIEW) -> QuerySet:
        if action in ("change", "finalise"):
            return self.visible(user).filter(assessor=user, status=Assessment.Status.DRAFT)
        if action == "supersede":
            allocated = Q(reflection__learner__in=learners.allocated_ids(user))
            base = self.visible(user) if R.has_role(user, R.ADMIN) else self.visible(user).filter(allocated)
            return base.filter(FINALISED, superseded_by__isnull=True)
        return super().scope(user, action)

    def missing_message(self, action: str) -> str:
        return "No such reflection." if action == "add" else self.not_found_message

    def target_visible(self, user, action, obj) -> bool:
        if action == "add":  # obj is the reflection: one they may see, or were asked to mark
            return reflections.is_visible(user, obj) or self.open_request(user, obj) is not None
        return super().target_visible(user, action, obj)

    def permits(self, user, action, obj) -> bool:
        if action == "add":
            if not R.has_role(user, R.TUTOR) or obj.learner_id == user.pk:
                return False
            return learners.is_allocated_tutor(user, obj.learner) or self.open_request(user, obj) is not None
        if action in ("change", "finalise"):
            if user is None or user.pk != obj.assessor_id:
                return False
            return (
                R.has_role(user, R.ADMIN)
                or learners.is_allocated_tutor(user, obj.reflection.learner)
                or ModerationRequest.objects.filter(second_assessment=obj, second_marker=user).exists()
            )
        if action == "supersede":
            return R.has_role(user, R.ADMIN) or learners.is_allocated_tutor(user, obj.reflection.learner)
        return super().permits(user, action, obj)

    def blocked(self, action, obj) -> str | None:
        if action == "add" and obj.status == Reflection.Status.DRAFT:
            return "This reflection is a draft: it can be marked once submitted."
        if action == "change" and obj.is_finalised:
            return "This assessment is finalised and cannot be changed; supersede it with a correction."
        if action == "finalise" and obj.is_finalised:
            return "This assessment is already finalised."
        if action == "supersede":
            if not obj.is_finalised:
                return "Only a finalised assessment can be superseded; edit the draft instead."
            if Assessment.objects.filter(supersedes=obj).exists():
                return "This assessment has already been superseded by a correction."
        return None

    def denied_message(self, user, action, obj) -> str:
        if action == "add":
            return "Only a tutor currently allocated to this learner may mark this reflection."
        if action in ("change", "finalise"):
            if user is None or user.pk != obj.assessor_id:
                return "Only the tutor who wrote this assessment may change it."
            return "You are no longer allocated to this learner, so you cannot change this marking."
        if action == "supersede":
            return "Only an allocated tutor or a programme admin may correct an assessment."
        return super().denied_message(user, action, obj)

    def role_may(self, user, action) -> bool:
        roles = set(R.roles_of(user))
        if action in ("add", "change", "finalise"):
            return R.TUTOR in roles
        if action == "supersede":
            return bool(roles & {R.TUTOR, R.ADMIN})
        return bool(roles & {R.LEARNER, R.TUTOR, R.EXAMINER, R.ADMIN})


class ModerationRequestPolicy(policies.Policy):
    """Programme admins ask for and see every second marking; a tutor sees the requests
    made of them."""

    actions = ("add",)
    not_found_message = "No such moderation request."

    def visible(self, user) -> QuerySet:
        if R.has_role(user, R.ADMIN):
            return ModerationRequest.objects.all()
        if R.has_role(user, R.TUTOR):
            return ModerationRequest.objects.filter(second_marker=user)
        return ModerationRequest.objects.none()

    def waiting_for(self, user) -> QuerySet:
        """Second markings asked of `user` that they have not started."""
        return self.visible(user).filter(second_marker=user, second_assessment__isnull=True)

    def target_visible(self, user, action, obj) -> bool:
        if action == "add":  # obj is the reflection
            return R.has_role(user, R.ADMIN) and reflections.is_visible(user, obj)
        return super().target_visible(user, action, obj)

    def permits(self, user, action, obj) -> bool:
        if action == "add":
            return R.has_role(user, R.ADMIN)
        return super().permits(user, action, obj)

    def denied_message(self, user, action, obj) -> str:
        return "Only a programme admin may request a second marking."

    def role_may(self, user, action) -> bool:
        if action == "add":
            return R.has_role(user, R.ADMIN)
        return bool(set(R.roles_of(user)) & {R.TUTOR, R.ADMIN})


assessments = policies.register("assessments.assessments", AssessmentPolicy(Assessment))
moderation_requests = policies.register(
    "assessments.moderation_requests", ModerationRequestPolicy(ModerationRequest)
)
