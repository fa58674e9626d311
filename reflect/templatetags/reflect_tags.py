"""`{% load reflect_tags %}`: the layout's navigation and small helpers about people."""

from django import template

from .. import dates, navigation, policies
from ..people import display_name as _display_name

register = template.Library()


@register.inclusion_tag("reflect/includes/nav.html", takes_context=True)
def reflect_nav(context):
    request = context.get("request")
    return {"items": navigation.items_for(request) if request is not None else []}


@register.filter
def display_name(user):
    return _display_name(user)


@register.simple_tag(takes_context=True)
def can(context, action, obj, policy=None):
    """`{% can "change" reflection as may_change %}`: may the signed-in person do `action` to
    `obj` now? The answer of `obj`'s policy (or the policy registered as `policy`, e.g.
    `"feedback.invitations"` for `{% can "add" learner "feedback.invitations" %}`), the same
    question the service asks before doing it. False for anonymous people or no object."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or obj is None:
        return False
    chosen = policies.named(policy) if policy else policies.policy_for(obj)
    return chosen.can(user, action, obj)


@register.filter
def in_words(value):
    """`{{ panel.closes_on|in_words }}`: "in 2 months", "yesterday" (reflect.dates.in_words)."""
    return dates.in_words(value)
