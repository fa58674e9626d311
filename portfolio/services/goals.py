"""Goals (a personal development plan): set, change, review and comment. The one door for
every screen, the API and the demo data.

    open → achieved | partly_achieved | carried_forward   (a review, with a short text)

Who may do what is `portfolio.policies.goals`. Errors as in `portfolio.services`:
`ValidationError` for bad input (nothing stored), `NotFound`, `PermissionDenied`, `Conflict`
(a reviewed goal cannot change). State changes are audited.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateformat import format as format_date

from reflect import audit, limits
from reflect.sanitize import to_plain_text

from ..goal_models import GOAL_TEXT, Goal, GoalComment
from ..models import Reflection
from ..policies import goals as policy
from ..policies import reflections as reflection_policy
from .editing import _themes_from

#: The section of each reflective model that says what next (its action plan).
ACTION_PLAN_SECTIONS = {"gibbs": "action_plan", "rolfe": "now_what", "kolb": "experimentation"}

#: The fields a learner sets and may change while the goal is open.
GOAL_FIELDS = ("what", "due_on", "success_measure", "themes")


def action_plan_text(reflection: Reflection) -> str:
    """The plain text of a reflection's action plan ("" for a model without one), cut to a
    goal's length: what "Make a goal from this action plan" starts from."""
    key = ACTION_PLAN_SECTIONS.get(reflection.reflective_model)
    if not key:
        return ""
    return to_plain_text((reflection.sections or {}).get(key, "")).strip()[:GOAL_TEXT]


def _text(errors: dict, data: dict, field: str, what: str, limit: int) -> str:
    value = data.get(field)
    if value is None or not isinstance(value, str) or not value.strip():
        errors.setdefault(field, []).append(f"Write {what}.")
        return ""
    if limits.check(errors, field, value, limit, what):
        return ""
    return value.strip()


def _validated(data: dict, reflection: Reflection | None) -> tuple[dict, list | None]:
    """The goal's fields from `data`, checked together; raises one ValidationError naming every
    bad field. Themes are returned apart (None when not given)."""
    errors: dict[str, list[str]] = {}
    values = {
        "what": _text(errors, data, "what", "what you will do", GOAL_TEXT),
        "success_measure": _text(errors, data, "success_measure", "how you will know", GOAL_TEXT),
    }
    due_on = data.get("due_on")
    if isinstance(due_on, str):
        try:
            due_on = datetime.date.fromisoformat(due_on)
        except ValueError:
            due_on = "bad"
    if not isinstance(due_on, datetime.date) or isinstance(due_on, datetime.datetime):
        errors.setdefault("due_on", []).append("Enter the date you aim to do it by, e.g. 2026-09-30.")
    elif reflection is not None and due_on < reflection.occurred_on:
        errors.setdefault("due_on", []).append(
            "The goal cannot be due before the reflection it comes from happened "
            f"({format_date(reflection.occurred_on, 'j F Y')}). Choose that day or later."
        )
    else:
        values["due_on"] = due_on
    themes = None
    if "themes" in data:
        try:
            themes = _themes_from(data["themes"])
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return values, themes


def _source_reflection(learner, reflection) -> Reflection | None:
    """The learner's own reflection (an instance or an id), or None.

    Raises:
        NotFound: not a reflection of theirs (another learner's does not exist for them).
    """
    if reflection in (None, ""):
        return None
    pk = reflection.pk if isinstance(reflection, Reflection) else reflection
    return reflection_policy.get(learner, pk, reflection_policy.own(learner))


@transaction.atomic
def create_goal(learner, data: dict, *, via: str = "") -> Goal:
    """Set a goal in `learner`'s own plan.

    Args:
        learner: the learner setting the goal (only learners have a plan).
        data: `what`, `due_on` (a date or ISO text), `success_measure`, optional `themes`
            (theme codes) and `reflection` (one of the learner's reflections, or its id).
        via: the door, kept in the audit log.
    Returns:
        The new open goal.
    Raises:
        PermissionDenied: `learner` is not a learner.
        NotFound: `reflection` is not one of theirs.
        ValidationError: a field is missing or bad, or the goal is due before the
            reflection's date; nothing is stored.
    """
    if not policy.role_may(learner, "add"):
        raise PermissionDenied(policy.denied_message(learner, "add", None))
    reflection = _source_reflection(learner, data.get("reflection"))
    values, themes = _validated(data, reflection)
    goal = Goal.objects.create(learner=learner, reflection=reflection, **values)
    if themes:
        goal.themes.set(themes)
    audit.record(learner, "goal_create", learner=learner, obj=goal, via=via)
    return goal


def _locked(goal: Goal) -> Goal:
    # Lock the goal's own row: PostgreSQL refuses FOR UPDATE on the nullable side of the join.
    rows = Goal.objects.select_for_update(of=("self",)).select_related("reflection", "learner")
    return rows.get(pk=goal.pk)


@transaction.atomic
def update_goal(goal: Goal, by, data: dict, *, via: str = "") -> Goal:
    """Change an open goal's what, date, measure or themes (only the fields given).

    Raises:
        NotFound / PermissionDenied: not `by`'s goal.
        Conflict: the goal is already reviewed.
        ValidationError: bad input; nothing changed.
    """
    policy.require(by, "change", goal)
    current = _locked(goal)
    policy.require(by, "change", current, visible=True)
    merged = {
        "what": current.what,
        "due_on": current.due_on,
        "success_measure": current.success_measure,
        **{k: v for k, v in data.items() if k in GOAL_FIELDS},
    }
    values, themes = _validated(merged, current.reflection)
    for field, value in values.items():
        setattr(current, field, value)
    current.save()
    if themes is not None:
        current.themes.set(themes)
    audit.record(by, "goal_update", learner=current.learner, obj=current, via=via)
    return current


@transaction.atomic
def review_goal(goal: Goal, by, status: str, review: str, *, via: str = "") -> Goal:
    """The learner reviews an open goal: achieved, partly achieved or carried forward, with a
    short review of what happened (required). `reviewed_at` is the server's clock.

    Raises:
        NotFound / PermissionDenied: not `by`'s goal.
        Conflict: the goal is already reviewed.
        ValidationError: no outcome or no review text; nothing changed.
    """
    policy.require(by, "review", goal)
    errors: dict[str, list[str]] = {}
    if status not in Goal.CLOSED_STATUSES:
        errors["status"] = ["Choose how it went: achieved, partly achieved or carried forward."]
    if not isinstance(review, str) or not review.strip():
        errors["review"] = ["Write a short review: what happened, and what you learnt from it."]
    else:
        limits.check(errors, "review", review, limits.COMMENT, "the review")
    if errors:
        raise ValidationError(errors)
    current = _locked(goal)
    policy.require(by, "review", current, visible=True)
    current.status = status
    current.review = review.strip()
    current.reviewed_at = timezone.now()
    current.save(update_fields=["status", "review", "reviewed_at", "updated_at"])
    audit.record(by, "goal_review", learner=current.learner, obj=current, via=via, status=status)
    return current


@transaction.atomic
def comment_on_goal(goal: Goal, by, body: str, *, via: str = "") -> GoalComment:
    """A comment on a goal by the learner's allocated tutor (or the learner). Plain text.

    Raises:
        NotFound: `by` may not see the goal.
        PermissionDenied: `by` is neither the learner nor a tutor allocated to them now.
        ValidationError: empty or too long; nothing stored.
    """
    policy.require(by, "comment", goal)
    if not isinstance(body, str) or not body.strip():
        raise ValidationError({"body": ["Write your comment."]})
    limits.require("body", body, limits.COMMENT, "the comment")
    comment = GoalComment.objects.create(goal=goal, author=by, body=body.strip())
    audit.record(by, "goal_comment", learner=goal.learner, obj=goal, via=via)
    return comment


def goal_from(user, pk) -> Goal:
    """The goal `pk` if `user` may see it (with what its page shows).

    Raises:
        NotFound: unknown, or outside `user`'s scope.
    """
    return policy.get(user, pk, Goal.objects.select_related("learner", "reflection"))
