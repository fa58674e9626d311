"""Optimistic locking for objects several people edit (they carry an integer `version`)."""

from __future__ import annotations

from django.db.models import F

from reflect.errors import StaleVersion


def bump_version(instance, expected_version: int | None, **changes) -> None:
    """Save `changes` on `instance` only if its stored version is still `expected_version`;
    increments `version` atomically. Raises `StaleVersion` (409) otherwise.

    Call inside `transaction.atomic()`.
    """
    model = type(instance)
    if expected_version is None:
        raise StaleVersion("Send the `version` you read, so that nobody's changes are overwritten.")
    changes = {**changes, "version": F("version") + 1}
    updated = model.objects.filter(pk=instance.pk, version=expected_version).update(**changes)
    if updated != 1:
        raise StaleVersion()
    instance.refresh_from_db()
