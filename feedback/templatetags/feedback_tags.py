"""`{% load feedback_tags %}{% feedback_panel %}`: the feedback section of the dashboard."""

from django import template

from portfolio.policies import learners

from .. import instrument
from ..policies import feedback, invitations, partner_reports

register = template.Library()

RECENT = 5


@register.inclusion_tag("feedback/includes/learner_feedback.html", takes_context=True)
def feedback_panel(context):
    """The learner's most recent feedback (withdrawn hidden), and links for the people who
    read or invite feedback (tutor, examiner, admin)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    entries = []
    total = 0
    own = feedback.visible(user).filter(learner=user, withdrawn_at__isnull=True) if user else None
    is_learner = user is not None and learners.is_visible(user, user)
    if is_learner:
        total = own.count()
        entries = [
            {"feedback": f, "rows": instrument.rows(f.ratings, f.instrument)}
            for f in own.select_related("instrument")[:RECENT]
        ]
    return {
        "request": request,
        "is_learner": is_learner,
        "entries": entries,
        "total": total,
        "reads_others": user is not None and learners.supervised(user).exists(),
        "can_invite": user is not None and invitations.role_may(user, "add"),
        "can_report": user is not None and partner_reports.may_view(user),
    }
