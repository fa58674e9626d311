"""`{% reflection_attachments reflection %}`: a reflection's attachments, for whoever is reading
it (images drawn with their name as alt text, PDFs as links with their size); and
`{% attachment_manager reflection %}`: the same on the learner's edit page, with the form to
add one and a link to remove each while the reflection is editable. Both ask
`portfolio.policies.attachments`."""

from django import template

from reflect.uploads import in_words

from ..policies import attachments as policy
from ..services import visible_attachments
from ..services.attachment_files import max_bytes

register = template.Library()


def _context(context, reflection, *, manage: bool) -> dict:
    user = context["request"].user
    items = list(visible_attachments(user, reflection)) if reflection is not None else []
    may_add = manage and reflection is not None and policy.may_add(user, reflection)
    return {
        "reflection": reflection,
        "attachments": items,
        "manage": manage,
        "may_add": may_add,
        "max_size": in_words(max_bytes()),
    }


@register.inclusion_tag("portfolio/includes/attachments.html", takes_context=True)
def reflection_attachments(context, reflection):
    return _context(context, reflection, manage=False)


@register.inclusion_tag("portfolio/includes/attachments.html", takes_context=True)
def attachment_manager(context, reflection):
    return _context(context, reflection, manage=True)
