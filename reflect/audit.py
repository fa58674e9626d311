"""The audit log's one writer. Append-only: `AuditEvent` refuses updates and deletes."""

from __future__ import annotations

import json

from django.db import connection
from django.utils import timezone

from reflect import policies
from reflect import roles as R
from reflect.models import AuditEvent


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


def record_reads(
    actor, objects, *, via: str, learner_attr: str = "learner", object_type: str | None = None
) -> None:
    """Record a list read (one page of a list endpoint or screen) in one query: ONE row per
    learner whose data was on the page, with `object_id` blank and the ids read, in page order,
    in `detail` (`{"ids": [...]}`). Reads of single objects go through `record` (one row each).
    Together they still answer "who read what of whose portfolio, when"; a learner's own reads
    are not recorded.

    Args:
        actor: the user reading (nothing is recorded for None).
        objects: model instances, or dict rows (from `.values()`) carrying `id` and
            `<learner_attr>_id`.
        via: the door: "api", "site", "admin".
        learner_attr: the name of the learner field (its `_id` value is read).
        object_type: the stored object type; defaults to the instances' class name (required
            for dict rows).

    Returns:
        None.
    """
    if actor is None:
        return
    key = f"{learner_attr}_id"
    by_learner: dict[int, list] = {}
    kind = object_type
    for obj in objects:
        if isinstance(obj, dict):
            learner_id, pk = obj.get(key), obj["id"]
        else:
            learner_id, pk = getattr(obj, key, None), obj.pk
            kind = kind or type(obj).__name__
        if learner_id is None or learner_id == actor.pk:
            continue
        by_learner.setdefault(learner_id, []).append(pk)
    if not by_learner:
        return
    if connection.vendor == "postgresql":
        _insert_reads_postgresql(actor.pk, kind or "", via, by_learner)
        return
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor,
                learner_id=learner_id,
                action="read",
                object_type=kind or "",
                object_id="",
                via=via,
                detail={"ids": ids},
            )
            for learner_id, ids in by_learner.items()
        ]
    )


def _insert_reads_postgresql(actor_id: int, object_type: str, via: str, by_learner: dict) -> None:
    """The rows `bulk_create` would write, as ONE statement whose text does not depend on the
    number of rows (so it is prepared once per connection) and, outside a transaction, one
    round trip: `bulk_create` adds BEGIN and COMMIT and builds a model instance per row, which
    made the audit write the largest part of a list request (bench/api_throughput.py).
    tests/trust/test_audit.py checks the rows equal the ORM's on PostgreSQL."""
    meta = AuditEvent._meta
    quote = connection.ops.quote_name
    id_type = meta.get_field("learner").target_field.rel_db_type(connection)
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("actor", "learner", "action", "object_type", "object_id", "via", "detail", "created_at")
    )
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "
        f"SELECT %s, page.learner_id, 'read', %s, '', %s, page.detail::jsonb, %s "
        f"FROM unnest(%s::{id_type}[], %s::text[]) AS page(learner_id, detail)"
    )
    learners = list(by_learner)
    details = [json.dumps({"ids": by_learner[learner_id]}) for learner_id in learners]
    with connection.cursor() as cursor:
        cursor.execute(sql, [actor_id, object_type, via, timezone.now(), learners, details])


class AuditEventPolicy(policies.Policy):
    """The audit log is read by programme admins (the admin's "Audit log"); a learner gets
    the events about their own portfolio in their subject-access download."""

    not_found_message = "No such audit event."

    def visible(self, user):
        if R.has_role(user, R.ADMIN):
            return AuditEvent.objects.all()
        if R.has_role(user, R.LEARNER):
            return AuditEvent.objects.filter(learner=user)
        return AuditEvent.objects.none()

    def role_may(self, user, action) -> bool:
        return action == policies.VIEW and R.has_role(user, R.ADMIN)


audit_events = policies.register("reflect.audit_events", AuditEventPolicy(AuditEvent))
