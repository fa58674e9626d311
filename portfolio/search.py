"""Reflection search through Wagtail's search backend, always inside a scoped queryset.

Callers pass the queryset they may show (e.g. `Reflection.objects.visible_to(user)` with
their filters applied); the backend only ever searches within it, so search can never reveal
a reflection that the list would not show.
"""

from __future__ import annotations

from django.db.models import QuerySet
from wagtail.search.backends import get_search_backend

MAX_RESULTS = 1000


def search_reflections(scoped: QuerySet, query: str | None, *, limit: int = MAX_RESULTS) -> QuerySet:
    """Narrow `scoped` to the reflections matching `query` (title and text).

    Args:
        scoped: a Reflection queryset already filtered to what the caller may see.
        query: the words typed; empty or blank returns `scoped` unchanged.
        limit: at most this many matches are kept.

    Returns:
        A queryset (a subset of `scoped`), so callers can keep ordering, prefetching and
        paginating it as usual.
    """
    query = (query or "").strip()
    if not query:
        return scoped
    backend = get_search_backend()
    # The backend accepts only filters on indexed fields; the scope and list filters join
    # other tables, so hand it the scoped queryset as "id IN (<scoped ids>)".
    within = scoped.model.objects.filter(pk__in=scoped.order_by().values("pk"))
    results = backend.search(query, within, order_by_relevance=False)
    ids = [obj.pk for obj in results[:limit]]
    return scoped.filter(pk__in=ids)
