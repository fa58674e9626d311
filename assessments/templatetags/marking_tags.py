"""`{% load marking_tags %}{% reflection_assessments reflection %}`: a reflection's finalised
marks (as rubric grids) for whoever may see them, and "Mark this reflection" for its tutors."""

from django import template

from ..grids import assessment_grid, visible_assessments_of
from ..policies import assessments as policy

register = template.Library()


@register.inclusion_tag("assessments/includes/reflection_assessments.html", takes_context=True)
def reflection_assessments(context, reflection):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"marking": {"grids": [], "can_mark": False}}
    grids = [assessment_grid(a) for a in visible_assessments_of(user, reflection)]
    can_mark = policy.can(user, "add", reflection)
    return {"marking": {"grids": grids, "can_mark": can_mark}, "reflection": reflection, "request": request}
