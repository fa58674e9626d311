"""`{% load goal_tags %}`: the goals made from a reflection, on the reflection's page."""

from django import template

from ..policies import goals

register = template.Library()


@register.inclusion_tag("portfolio/includes/reflection_goals.html", takes_context=True)
def reflection_goals(context, reflection, own=False):
    """The goals made from `reflection` that the reader may see, and (for its learner) the
    "Make a goal from this action plan" link."""
    request = context.get("request")
    user = getattr(request, "user", None)
    found = []
    if user is not None:
        found = list(goals.visible(user).filter(reflection=reflection).order_by("due_on", "id"))
    return {"reflection": reflection, "own": own, "goals": found, "request": request}
