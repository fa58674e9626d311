"""Evidence counts per learner (reflections, assessments, feedback, ...), contributed by the
apps that own the evidence, so that `portfolio` lists them without importing upward.

An app registers, in its `wagtail_hooks.py`, a function returning `{name: queryset}` where
each queryset is the app's *released* evidence (what others may read: its policy says
which) correlated on the learner with `OuterRef("pk")`:

    @hooks.register(counts.HOOK)
    def assessment_counts():
        return {"assessment_count": policies.assessments.released().filter(
            reflection__learner=OuterRef("pk"))}

`annotate_counts(learners)` adds every registered count to a queryset of learners; a count
whose app is not installed reads 0.
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from wagtail import hooks

HOOK = "register_learner_evidence_counts"


def count_of(queryset: QuerySet):
    """`COUNT(*)` of a queryset correlated on `OuterRef("pk")`, 0 when there are none.

    Correlated subqueries (one indexed look-up per learner on the page) rather than joins:
    joining every learner's reflections and assessments before the scope filter made the
    learners list grow with the whole programme's data (bench/scale.py)."""
    counted = queryset.order_by().annotate(_one=Value(1)).values("_one").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def registered() -> dict[str, QuerySet]:
    found: dict[str, QuerySet] = {}
    for fn in hooks.get_hooks(HOOK):
        found.update(fn())
    return found


def annotate_counts(learners: QuerySet) -> QuerySet:
    return learners.annotate(**{name: count_of(qs) for name, qs in registered().items()})
