"""What the reflection services share: the row lock and keeping the search index current."""

from __future__ import annotations

from ..models import Reflection


def _reindex(reflection: Reflection) -> None:
    """Keep Wagtail's search index current now (the post-save signal only queues a task,
    and `bump_version` saves with a queryset update that sends no signal)."""
    from wagtail.search.index import insert_or_update_object

    insert_or_update_object(reflection)


def _locked(reflection: Reflection) -> Reflection:
    """The reflection re-read with a row lock, so two transitions cannot interleave."""
    return Reflection.objects.select_for_update().get(pk=reflection.pk)
