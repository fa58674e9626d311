"""The goals in an ARCP pack (issue 16): the learner's personal development plan as it stood
at the evidence cut-off.

- **Which goals.** Those set by the cut-off that were still open at some time in the period:
  not reviewed (closed) before the period began. Goals have no draft state; what may be shown
  is `portfolio.policies.goals`, asked for the person the pack is made for.
- **As at the cut-off.** A review made after the cut-off is not shown (the goal prints as
  open), and neither are comments made after it, so a later review does not change the pack.
- **Source.** The reflection a goal came from is named only when that reflection is in the
  pack (by its number), never a draft's title.

One query for the goals with their themes and comments, whatever their number.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from portfolio.goal_models import Goal, GoalComment
from portfolio.policies import goals as goal_policy
from rubrics.models import Competency


@dataclass
class GoalEvidence:
    goal: Any
    status: str
    status_label: str
    review: str
    reviewed_at: datetime.datetime | None
    themes: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    reflection_number: int | None = None
    reflection_title: str = ""


def gather_goals(
    learner, period_from: datetime.date, end: datetime.datetime, *, viewer=None, reflections=None
) -> list[GoalEvidence]:
    """The goals of `learner` for a pack whose period starts on `period_from` and whose
    cut-off is `end` (the first instant after it), as `viewer` may see them (None: the
    released evidence).

    Args:
        reflections: reflection id → (number, title) of the reflections in the pack.
    """
    period_start = timezone.make_aware(datetime.datetime.combine(period_from, datetime.time.min))
    allowed = Goal.objects.all() if viewer is None else goal_policy.visible(viewer)
    comments = (
        GoalComment.objects.filter(created_at__lt=end).select_related("author").order_by("created_at", "pk")
    )
    rows = (
        Goal.objects.filter(learner=learner, created_at__lt=end, pk__in=allowed.values("pk"))
        .filter(Q(reviewed_at__isnull=True) | Q(reviewed_at__gte=period_start))
        .prefetch_related(
            Prefetch("themes", queryset=Competency.objects.order_by("sort_order", "code")),
            Prefetch("comments", queryset=comments),
        )
        .order_by("due_on", "created_at", "pk")
    )
    reflections = reflections or {}
    out = []
    for goal in rows:
        closed = goal.reviewed_at is not None and goal.reviewed_at < end
        number, title = reflections.get(goal.reflection_id, (None, ""))
        out.append(
            GoalEvidence(
                goal=goal,
                status=goal.status if closed else Goal.Status.OPEN,
                status_label=goal.get_status_display() if closed else Goal.Status.OPEN.label,
                review=goal.review if closed else "",
                reviewed_at=goal.reviewed_at if closed else None,
                themes=list(goal.themes.all()),
                comments=list(goal.comments.all()),
                reflection_number=number,
                reflection_title=title,
            )
        )
    return out
