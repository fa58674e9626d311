"""Reflection search through Wagtail's search backend, always inside a scoped queryset.

Callers pass the queryset they may show (e.g. `Reflection.objects.visible_to(user)` with
their filters applied); the backend only ever searches within it, so search can never reveal
a reflection that the list would not show.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from wagtail.search.backends import get_search_backend

from reflect import limits

MAX_RESULTS = 1000
_WORD = re.compile(r"\w+")


def search_words(query: str | None) -> str:
    """The words of `query` (letters and digits, any script), space-separated, or "" when it
    is blank.

    The search is for words: quotes, brackets and other punctuation are left out. They are
    query syntax to the search backends, and Wagtail's SQLite backend passes a quote straight
    into an FTS5 expression (``q="`` was a 500).

    Raises:
        ValidationError: ``{"q": [...]}`` when the query is longer than `limits.SEARCH`
            characters, or holds no letter or digit at all.
    """
    query = (query or "").strip()
    if not query:
        return ""
    if len(query) > limits.SEARCH:
        raise ValidationError({"q": [limits.message("the search", limits.SEARCH, len(query))]})
    words = _WORD.findall(query)
    if not words:
        raise ValidationError(
            {"q": ["Search for at least one word: letters or digits (punctuation is ignored)."]}
        )
    return " ".join(words)


def search_reflections(scoped: QuerySet, query: str | None, *, limit: int = MAX_RESULTS) -> QuerySet:
    """Narrow `scoped` to the reflections matching `query` (title and text).

    Args:
        scoped: a Reflection queryset already filtered to what the caller may see.
        query: the words typed; empty or blank returns `scoped` unchanged.
        limit: at most this many matches are kept.

    Returns:
        A queryset (a subset of `scoped`), so callers can keep ordering, prefetching and
        paginating it as usual.

    Raises:
        ValidationError: the query is too long or holds no word (see `search_words`).
    """
    query = search_words(query)
    if not query:
        return scoped
    backend = get_search_backend()
    # The backend accepts only filters on indexed fields; the scope and list filters join
    # other tables, so hand it the scoped queryset as "id IN (<scoped ids>)".
    within = scoped.model.objects.filter(pk__in=scoped.order_by().values("pk"))
    results = backend.search(query, within, order_by_relevance=False)
    ids = [obj.pk for obj in results[:limit]]
    return scoped.filter(pk__in=ids)
