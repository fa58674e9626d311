"""The audit log's one writer. Append-only: `AuditEvent` refuses updates and deletes."""

from __future__ import annotations

from .models import AuditEvent


def record(actor, action: str, *, learner=None, obj=None, via: str = "", **detail) -> AuditEvent | None:
    """Record that `actor` did `action` (e.g. "read", "export", "submit") to `obj` of
    `learner`'s portfolio. Reads by the learner themselves are not recorded (only reads by
    someone else are); state changes always are.

    Args:
        actor: the user acting (None for the system).
        action: a short verb; reads use "read".
        learner: whose portfolio this concerns.
        obj: the object concerned (its class name and pk are stored).
        via: the door: "api", "site", "admin", "export", "task".
        detail: JSON-serialisable extra facts.
    """
    if action == "read" and learner is not None and actor is not None and actor.pk == learner.pk:
        return None
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        learner=learner,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        via=via,
        detail=detail,
    )


def record_reads(actor, objects, *, via: str, learner_attr: str = "learner") -> None:
    """Record reads of several objects in one query (for list endpoints)."""
    rows = []
    for obj in objects:
        learner_id = getattr(obj, f"{learner_attr}_id", None)
        if actor is None or learner_id is None or learner_id == actor.pk:
            continue
        rows.append(
            AuditEvent(
                actor=actor,
                learner_id=learner_id,
                action="read",
                object_type=type(obj).__name__,
                object_id=str(obj.pk),
                via=via,
            )
        )
    if rows:
        AuditEvent.objects.bulk_create(rows)
