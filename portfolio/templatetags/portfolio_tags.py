from django import template

from reflect.people import display_name as _display_name

from ..site import portfolio_url

register = template.Library()


@register.simple_tag
def purl(name, *args, **kwargs):
    """`{% purl "dashboard" %}`: URL of a screen under the portfolio page."""
    return portfolio_url(name, *args, **kwargs)


@register.filter
def display_name(user):
    return _display_name(user)
