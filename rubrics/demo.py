"""Demo data for rubrics (`seed_demo`).

The two shipped rubrics arrive published by migration. The demo adds history to one of them:
"Depth of reflection" v1 is retired and v2 (a clarified criterion description) is published,
so the admin's "Compare versions" and assessments pinned to a retired version can be shown.
Idempotent: once a version 2 exists, nothing is done.
"""

from __future__ import annotations

from . import services
from .models import Rubric

DEMO_SLUG = "depth-of-reflection"
CLARIFIED = (
    "What the writer takes away and what they will do differently, with a date or a trigger for "
    "checking whether it worked."
)


def seed(ctx) -> None:
    """Give "Depth of reflection" a retired v1 and a published v2 (once).

    Args:
        ctx: the `portfolio.demo.DemoContext` of the run (only its `log` is used).

    Returns:
        None.
    """
    if Rubric.objects.filter(slug=DEMO_SLUG, version__gte=2).exists():
        return
    v1 = Rubric.objects.filter(slug=DEMO_SLUG, version=1).first()
    if v1 is None or v1.status == Rubric.Status.DRAFT:
        return
    draft = services.new_version(v1)
    last = draft.criteria.order_by("-sort_order").first()
    last.description = CLARIFIED
    last.save()
    services.publish(draft)
    ctx.log(f'Rubrics: "{v1.title}" v1 retired, v2 published.')
