"""Demo goals (issue 16): for each demo learner, goals made from the action plans of their
reflections, in every status (open, achieved, partly achieved, carried forward), some with a
tutor's comment, moved through the real services. Idempotent: a learner's goal with the same
text is never made twice."""

from __future__ import annotations

import datetime

from ..goal_models import Goal
from ..models import Allocation, Reflection
from ..services import goals as services

# (status, review, tutor's comment or "") by position; every learner with two or more
# reflections that have an action plan gets several, so every status appears.
_OUTCOMES = [
    ("achieved", "Done on every clerking for a month; two people needed a housing referral.",
     "Good: now share what you found with the ward team."),
    ("open", "", "Make the date sooner: a month is enough for this."),
    ("partly_achieved", "Managed it on most shifts, but not when the ward was short-staffed.", ""),
    ("carried_forward", "Not started: the next block has more chances, so I am carrying it forward.", ""),
]  # fmt: skip
_MEASURES = [
    "My next ten clerkings record it, and I can say what changed because of it.",
    "I can explain it to a colleague and my tutor agrees it is in my notes.",
]


def seed_goals(ctx) -> None:
    """Goals from the learners' reflections (those with an action plan), in every status."""
    for i, learner in enumerate(ctx.learners):
        allocation = Allocation.objects.current().filter(learner=learner).select_related("tutor").first()
        tutor = allocation.tutor if allocation else None
        sources = [
            r
            for r in Reflection.objects.filter(learner=learner).order_by("occurred_on", "pk")
            if services.action_plan_text(r)
        ]
        for j, reflection in enumerate(sources[:4]):
            status, review, comment = _OUTCOMES[(i + j) % len(_OUTCOMES)]
            what = services.action_plan_text(reflection)
            if Goal.objects.filter(learner=learner, what=what).exists():
                continue
            due = reflection.occurred_on + datetime.timedelta(days=30)
            if status == "open":
                due = ctx.today + datetime.timedelta(days=45)
            goal = services.create_goal(
                learner,
                {
                    "what": what,
                    "due_on": max(due, reflection.occurred_on),
                    "success_measure": _MEASURES[j % len(_MEASURES)],
                    "themes": [t.code for t in reflection.themes.all()][:2],
                    "reflection": reflection,
                },
                via="demo",
            )
            if comment and tutor is not None:
                services.comment_on_goal(goal, tutor, comment, via="demo")
            if status != "open":
                services.review_goal(goal, learner, status, review, via="demo")
    ctx.log(f"Goals: {Goal.objects.filter(learner__in=ctx.learners).count()} for demo learners.")
