"""`{% load reflect_tags %}`: the layout's navigation and small helpers about people."""

from django import template

from .. import navigation
from ..people import display_name as _display_name

register = template.Library()


@register.inclusion_tag("reflect/includes/nav.html", takes_context=True)
def reflect_nav(context):
    request = context.get("request")
    return {"items": navigation.items_for(request) if request is not None else []}


@register.filter
def display_name(user):
    return _display_name(user)
