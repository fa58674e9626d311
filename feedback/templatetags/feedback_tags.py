"""`{% load feedback_tags %}{% feedback_panel %}`: the feedback section of the dashboard."""

from django import template

from feedback import instrument
from feedback.models import Feedback
from reflect import roles as R

register = template.Library()

RECENT = 5


@register.inclusion_tag("feedback/includes/learner_feedback.html", takes_context=True)
def feedback_panel(context):
    """The learner's most recent feedback (withdrawn hidden), and links for the people who
    read or invite feedback (tutor, examiner, admin)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    roles = R.roles_of(user)
    entries = []
    total = 0
    if R.LEARNER in roles:
        own = Feedback.objects.filter(learner=user, withdrawn_at__isnull=True)
        total = own.count()
        entries = [{"feedback": f, "rows": instrument.rows(f.ratings)} for f in own[:RECENT]]
    return {
        "request": request,
        "is_learner": R.LEARNER in roles,
        "entries": entries,
        "total": total,
        "reads_others": bool(set(roles) & {R.TUTOR, R.EXAMINER, R.ADMIN}),
        "can_invite": bool(set(roles) & {R.TUTOR, R.ADMIN}),
    }
