"""Tutor allocations from CSV: ``tutor_username,learner_username,starts_on,ends_on``."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError

from reflect import roles as R

from ..models import Allocation
from .applying import run_import
from .parsing import ImportReport, RowResult, data_rows, parse_date, roles_of, sentence, users_by_username

ALLOCATION_COLUMNS = ("tutor_username", "learner_username", "starts_on", "ends_on")


def import_allocations(file, dry_run: bool = True, actor=None, via: str = "admin") -> ImportReport:
    """Import tutor allocations from CSV with columns
    ``tutor_username,learner_username,starts_on,ends_on`` (dates YYYY-MM-DD; ends_on may be
    empty for an open-ended allocation).

    An allocation is identified by tutor, learner and start date: if it exists, only its end
    date is updated (so re-importing a file with end dates filled in ends allocations).
    Nothing is written unless every row is valid and `dry_run` is False.

    Args:
        file: an open binary or text file, bytes or str holding the CSV.
        dry_run: check and report only (the default).
        actor: the user importing, recorded in the audit log.
        via: the door recorded in the audit log ("admin", "command").

    Returns:
        An ImportReport listing every planned (or applied) row and every error by line.

    Raises:
        Nothing for bad input: problems are reported in the ImportReport.
    """
    return run_import("allocations", file, dry_run, actor, _plan_allocations, via)


def _plan_allocations(text: str, report: ImportReport, actor=None) -> list[Callable[[], None]]:
    parsed = list(
        data_rows(text, ALLOCATION_COLUMNS, {"tutor_username", "learner_username", "starts_on"}, report)
    )
    users = users_by_username(
        {r["tutor_username"] for _, r in parsed} | {r["learner_username"] for _, r in parsed}
    )
    existing = {
        (a.tutor_id, a.learner_id, a.starts_on): a
        for a in Allocation.objects.filter(tutor__in=list(users.values()), learner__in=list(users.values()))
    }
    seen: dict[tuple[str, str, str], int] = {}
    changes: list[Callable[[], None]] = []
    for line, row in parsed:
        reasons = []
        tutor = users.get(row["tutor_username"])
        learner = users.get(row["learner_username"])
        if tutor is None:
            reasons.append(f"unknown tutor '{row['tutor_username']}'")
        elif R.TUTOR not in roles_of(tutor):
            reasons.append(f"user '{tutor.username}' does not have the tutor role")
        if learner is None:
            reasons.append(f"unknown learner '{row['learner_username']}'")
        elif R.LEARNER not in roles_of(learner):
            reasons.append(f"user '{learner.username}' does not have the learner role")
        if tutor is not None and learner is not None and tutor.pk == learner.pk:
            reasons.append("a tutor cannot be allocated to themselves")
        starts_on = ends_on = None
        try:
            starts_on = parse_date(row["starts_on"], "starts_on")
        except ValidationError as exc:
            reasons.append(exc.messages[0])
        if row["ends_on"]:
            try:
                ends_on = parse_date(row["ends_on"], "ends_on")
            except ValidationError as exc:
                reasons.append(exc.messages[0])
        if starts_on and ends_on and ends_on < starts_on:
            reasons.append(f"ends_on {ends_on} is before starts_on {starts_on}")
        key = (row["tutor_username"], row["learner_username"], row["starts_on"])
        if key in seen:
            reasons.append(f"duplicate row: the same allocation is already on line {seen[key]}")
        else:
            seen[key] = line
        if reasons:
            report.error(line, sentence(reasons))
            continue
        label = f"{tutor.username} → {learner.username} from {starts_on}" + (
            f" to {ends_on}" if ends_on else " (open-ended)"
        )
        current = existing.get((tutor.pk, learner.pk, starts_on))
        if current is None:
            report.rows.append(RowResult(line, "create", f"New allocation {label}"))
            changes.append(_create_allocation(tutor, learner, starts_on, ends_on))
        elif current.ends_on != ends_on:
            report.rows.append(
                RowResult(line, "update", f"Allocation {label} (end date was {current.ends_on or 'empty'})")
            )
            changes.append(_set_end(current, ends_on))
        else:
            report.rows.append(RowResult(line, "unchanged", f"Allocation {label} already exists"))
    return changes


def _create_allocation(tutor, learner, starts_on, ends_on) -> Callable[[], None]:
    def apply() -> None:
        allocation = Allocation(tutor=tutor, learner=learner, starts_on=starts_on, ends_on=ends_on)
        allocation.full_clean()
        allocation.save()

    return apply


def _set_end(allocation: Allocation, ends_on) -> Callable[[], None]:
    def apply() -> None:
        allocation.ends_on = ends_on
        allocation.full_clean()
        allocation.save(update_fields=["ends_on"])

    return apply
