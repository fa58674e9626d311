"""The one scope rule: which learners may this user see?

Every view, API endpoint, export and search asks `learners_visible_to(user)` (or a model's
`visible_to(user)`, which is built on it). Outside scope an object does not exist: callers
turn "not in the queryset" into a 404.

- learner: themselves
- tutor: learners with an allocation that is current today
- examiner: learners enrolled in a cohort on a panel whose review window is open today
- admin: every learner
- inactive or anonymous: nobody
A person with several roles sees the union.

The rule depends on the user only through their roles and id, and on time only through
today's date (`today()`, which `as_of` can fix). `portfolio.api.compiled` relies on that to
reuse the SQL of a list's page query across users with the same roles.
"""

from __future__ import annotations

import contextvars
import datetime
import operator
from contextlib import contextmanager
from functools import reduce

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from reflect import roles as R

_AS_OF: contextvars.ContextVar[datetime.date | None] = contextvars.ContextVar("scope_as_of", default=None)


def today() -> datetime.date:
    """The date the scope rule is evaluated on: today (local time), unless `as_of` says otherwise."""
    return _AS_OF.get() or timezone.localdate()


@contextmanager
def as_of(day: datetime.date):
    """Evaluate the scope rule as on `day` inside the block (allocations and panel windows)."""
    token = _AS_OF.set(day)
    try:
        yield
    finally:
        _AS_OF.reset(token)


def current(prefix: str = "", start: str = "starts_on", end: str = "ends_on", on=None) -> Q:
    """Q for rows whose [start, end] range covers `on` (default today); an empty end is open."""
    on = on or today()
    return Q(**{f"{prefix}{start}__lte": on}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": on})
    )


def learners_visible_to(user, include_self: bool = True) -> QuerySet:
    """Users whose portfolios `user` may see (learners only, plus themselves if a learner)."""
    User = get_user_model()
    roles = R.roles_of(user)
    if not roles:
        return User.objects.none()
    learners = User.objects.filter(is_active=True, groups__name=R.LEARNER)
    if R.ADMIN in roles:
        return learners.distinct()
    conditions = []
    if include_self and R.LEARNER in roles:
        conditions.append(Q(pk=user.pk))
    if R.TUTOR in roles:
        from .models import Allocation

        conditions.append(Q(pk__in=Allocation.objects.filter(current(), tutor=user).values("learner")))
    if R.EXAMINER in roles:
        from .models import Enrolment, Panel

        cohorts = Panel.objects.filter(current(start="opens_on", end="closes_on"), examiner=user).values(
            "cohort"
        )
        conditions.append(Q(pk__in=Enrolment.objects.filter(cohort__in=cohorts).values("learner")))
    if not conditions:
        return User.objects.none()
    # DISTINCT cannot change the rows (a user is in the learner group once and the conditions
    # are IN subqueries), but PostgreSQL estimates the scope far better with it: without it
    # bench/scale.py saw the assessments list scan all 80,000 assessments (3-4x slower).
    return learners.filter(reduce(operator.or_, conditions)).distinct()


def others_visible_to(user) -> QuerySet:
    """Learners `user` sees in a supervisory role (tutor, examiner, admin), never themselves
    by virtue of being a learner. Used for rules like "others see only non-draft reflections".
    """
    roles = R.roles_of(user)
    if not (set(roles) & {R.TUTOR, R.EXAMINER, R.ADMIN}):
        return get_user_model().objects.none()
    return learners_visible_to(user, include_self=False)


def can_see_learner(user, learner) -> bool:
    return learners_visible_to(user).filter(pk=learner.pk).exists()


def is_allocated_tutor(user, learner) -> bool:
    from .models import Allocation

    return (
        R.has_role(user, R.TUTOR)
        and Allocation.objects.filter(current(), tutor=user, learner=learner).exists()
    )


def is_panel_examiner(user, learner) -> bool:
    from .models import Enrolment, Panel

    if not R.has_role(user, R.EXAMINER):
        return False
    cohorts = Panel.objects.filter(current(start="opens_on", end="closes_on"), examiner=user).values("cohort")
    return Enrolment.objects.filter(learner=learner, cohort__in=cohorts).exists()
