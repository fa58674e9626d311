"""Template helpers for reflection screens."""

from django import template
from django.utils.safestring import mark_safe

from reflect.sanitize import sanitize_html

register = template.Library()


@register.filter
def clean_html(value):
    """Stored HTML is sanitised on the way in; sanitise again on the way out, so that a row
    written by some other door (a fixture, a data migration) can never inject markup."""
    return mark_safe(sanitize_html(value))  # noqa: S308  (sanitised just above)


@register.filter
def section_html(sections, key):
    """One section's stored HTML (`reflection.sections|section_html:key`), "" when absent."""
    return (sections or {}).get(key, "") if isinstance(sections, dict) else ""
