"""CSV import of cohort members and tutor allocations (services used by the admin view).

Both imports work in two passes: every row is parsed and checked first, without writing
anything; only when the whole file is clean (and this is not a dry run) are the planned
changes applied, in one transaction. Every bad row is reported with its line number and the
reason, so an admin can fix the whole file at once. Re-importing the same file changes
nothing (rows that are already true are reported as "unchanged").

Call them from anywhere (admin view, `manage.py import_csv`, shell)::

    with open("members.csv", "rb") as f:
        report = import_members(f, dry_run=False, actor=admin_user)
    for error in report.errors:
        print(error.line, error.message)
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from reflect import audit
from reflect import roles as R
from reflect.accounts import services as accounts
from reflect.uploads import in_words

from .models import Allocation, Cohort, Enrolment

MEMBER_COLUMNS = ("username", "first_name", "last_name", "email", "cohort")
ALLOCATION_COLUMNS = ("tutor_username", "learner_username", "starts_on", "ends_on")
MAX_BYTES = 2 * 1024 * 1024  # default of the CSV_IMPORT_MAX_BYTES setting
MAX_ROWS = 5000


@dataclass(frozen=True)
class RowError:
    """A problem with one line of the file (line 1 is the header)."""

    line: int
    message: str


@dataclass(frozen=True)
class RowResult:
    """What a clean row does (or did): action is "create", "update", "move" or "unchanged"."""

    line: int
    action: str
    description: str


@dataclass
class ImportReport:
    """The outcome of an import: planned or applied row results, and every error found."""

    kind: str
    dry_run: bool
    rows: list[RowResult] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for row in self.rows:
            totals[row.action] = totals.get(row.action, 0) + 1
        return totals

    def error(self, line: int, message: str) -> None:
        self.errors.append(RowError(line, message))


# --- Reading the file ---------------------------------------------------------------------
def max_bytes() -> int:
    """The largest file accepted (setting `CSV_IMPORT_MAX_BYTES`; the admin's upload is capped
    at the same size before it is read, by `reflect.uploads`)."""
    return int(getattr(settings, "CSV_IMPORT_MAX_BYTES", MAX_BYTES))


def _read_text(file: IO[bytes] | IO[str] | bytes | str, report: ImportReport) -> str | None:
    """Return the file's text, or None after recording why it cannot be read."""
    limit = max_bytes()
    data = file.read(limit + 1) if hasattr(file, "read") else file  # never more than the limit
    if isinstance(data, str):
        text = data
    else:
        if len(data) > limit:
            report.error(0, f"The file is larger than {in_words(limit)}; split it into several files.")
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            report.error(line, "The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again.")
            return None
    if not text.strip():
        report.error(1, "The file is empty.")
        return None
    return text


def _rows(text: str, columns: tuple[str, ...], required: set[str], report: ImportReport):
    """Yield (line, {column: stripped value}) for each data row; record header and shape errors.

    Line numbers count physical lines, header = 1, so they match what a text editor shows.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        report.error(1, f"The header cannot be read: {exc}.")
        return
    names = [name.strip().lower() for name in header]
    missing = [c for c in columns if c not in names]
    unknown = [n for n in names if n not in columns]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    problems = []
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    if unknown:
        problems.append("unknown column(s): " + ", ".join(n or "(blank)" for n in unknown))
    if duplicated:
        problems.append("repeated column(s): " + ", ".join(duplicated))
    if problems:
        report.error(1, f"Wrong header ({'; '.join(problems)}). Expected: {','.join(columns)}.")
        return
    count = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            report.error(reader.line_num, f"This line cannot be read as CSV: {exc}.")
            return
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue  # blank lines are harmless
        count += 1
        if count > MAX_ROWS:
            report.error(line, f"Too many rows: import at most {MAX_ROWS} rows per file.")
            return
        if len(values) != len(names):
            report.error(line, f"Expected {len(names)} values, found {len(values)}.")
            continue
        row = {name: value.strip() for name, value in zip(names, values, strict=True)}
        empty = [c for c in columns if c in required and not row[c]]
        if empty:
            report.error(line, "Missing value for " + ", ".join(empty) + ".")
            continue
        yield line, row


def _parse_date(value: str, column: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{column}: '{value}' is not a date; use YYYY-MM-DD, e.g. 2026-09-01.")


def _users_by_username(usernames: set[str]) -> dict:
    User = get_user_model()
    users = User.objects.filter(username__in=usernames).prefetch_related("groups")
    return {u.username: u for u in users}


def _sentence(reasons: list[str]) -> str:
    text = "; ".join(reasons)
    return text[:1].upper() + text[1:] + "."


def _roles(user) -> set[str]:
    return {g.name for g in user.groups.all()}


def _import(
    kind: str,
    file,
    dry_run: bool,
    actor,
    plan: Callable[..., list[Callable[[], None]]],
    via: str = "admin",
) -> ImportReport:
    report = ImportReport(kind=kind, dry_run=dry_run)
    text = _read_text(file, report)
    if text is None:
        return report
    with transaction.atomic():
        changes = plan(text, report, actor=actor)
        report.errors.sort(key=lambda e: e.line)
        if not report.ok or not report.rows:
            if report.ok:
                report.error(2, "The file has a header but no rows.")
            return report
        if dry_run:
            return report
        try:
            with transaction.atomic():
                for change in changes:
                    change()
        except (IntegrityError, ValidationError) as exc:
            # Someone changed the same data meanwhile; nothing of this file is kept.
            report.error(0, f"Nothing was imported: the data changed while importing ({exc}). Try again.")
            return report
        report.applied = True
        audit.record(actor, f"import_{kind}", via=via, **report.counts())
    return report


# --- Cohort members -----------------------------------------------------------------------
def import_members(file, dry_run: bool = True, actor=None, via: str = "admin") -> ImportReport:
    """Import cohort members from CSV with columns ``username,first_name,last_name,email,cohort``.

    A missing user is created as a learner without a password; when the row has an e-mail
    address they are sent an invitation to choose one (after the import commits). An existing
    user must already hold the learner role and keeps their name and e-mail. The learner is
    enrolled in the cohort named in `cohort`, or moved to it from their current cohort. Nothing
    is written unless every row is valid and `dry_run` is False.

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
    return _import("members", file, dry_run, actor, _plan_members, via)


def _plan_members(text: str, report: ImportReport, actor=None) -> list[Callable[[], None]]:
    User = get_user_model()
    parsed = list(_rows(text, MEMBER_COLUMNS, {"username", "cohort"}, report))
    cohorts = {c.name: c for c in Cohort.objects.filter(name__in={r["cohort"] for _, r in parsed})}
    users = _users_by_username({r["username"] for _, r in parsed})
    enrolments = {
        e.learner_id: e for e in Enrolment.objects.filter(learner__in=users.values()).select_related("cohort")
    }
    seen: dict[str, int] = {}
    changes: list[Callable[[], None]] = []
    for line, row in parsed:
        reasons = []
        username = row["username"]
        if username in seen:
            report.error(line, f"Duplicate row: {username} is already on line {seen[username]}.")
            continue
        seen[username] = line
        try:
            User.username_validator(username)
        except ValidationError:
            reasons.append(f"'{username}' is not a valid username (letters, digits and @.+-_ only)")
        if len(username) > 150:
            reasons.append("username is longer than 150 characters")
        if row["email"]:
            try:
                validate_email(row["email"])
            except ValidationError:
                reasons.append(f"'{row['email']}' is not a valid e-mail address")
        cohort = cohorts.get(row["cohort"])
        if cohort is None:
            reasons.append(f"unknown cohort '{row['cohort']}'")
        user = users.get(username)
        if user is not None and R.LEARNER not in _roles(user):
            reasons.append(f"user '{username}' exists but does not have the learner role")
        if reasons:
            report.error(line, _sentence(reasons))
            continue
        if user is None:
            invitation = (
                f"; an invitation to choose a password goes to {row['email']}"
                if row["email"]
                else "; no e-mail address, so no invitation (add one to send it)"
            )
            report.rows.append(RowResult(line, "create", f"New learner {username} in {cohort}{invitation}"))
            changes.append(_create_member(row, cohort, actor))
            continue
        enrolment = enrolments.get(user.pk)
        if enrolment is None:
            report.rows.append(RowResult(line, "update", f"Enrol {username} in {cohort}"))
            changes.append(_enrol(user, cohort))
        elif enrolment.cohort_id != cohort.pk:
            report.rows.append(
                RowResult(line, "move", f"Move {username} from {enrolment.cohort} to {cohort}")
            )
            changes.append(_enrol(user, cohort))
        else:
            report.rows.append(RowResult(line, "unchanged", f"{username} is already in {cohort}"))
    return changes


def _create_member(row: dict[str, str], cohort: Cohort, actor=None) -> Callable[[], None]:
    def apply() -> None:
        user = get_user_model()(
            username=row["username"],
            first_name=row["first_name"][:150],
            last_name=row["last_name"][:150],
            email=row["email"],
        )
        user.set_unusable_password()
        user.save()
        R.grant(user, R.LEARNER)
        Enrolment.objects.create(learner=user, cohort=cohort, joined_on=timezone.localdate())
        accounts.invite_new_person(user, by=actor, via="import")

    return apply


def _enrol(user, cohort: Cohort) -> Callable[[], None]:
    def apply() -> None:
        Enrolment.objects.update_or_create(
            learner=user, defaults={"cohort": cohort, "joined_on": timezone.localdate()}
        )

    return apply


# --- Allocations --------------------------------------------------------------------------
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
    return _import("allocations", file, dry_run, actor, _plan_allocations, via)


def _plan_allocations(text: str, report: ImportReport, actor=None) -> list[Callable[[], None]]:
    parsed = list(
        _rows(text, ALLOCATION_COLUMNS, {"tutor_username", "learner_username", "starts_on"}, report)
    )
    users = _users_by_username(
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
        elif R.TUTOR not in _roles(tutor):
            reasons.append(f"user '{tutor.username}' does not have the tutor role")
        if learner is None:
            reasons.append(f"unknown learner '{row['learner_username']}'")
        elif R.LEARNER not in _roles(learner):
            reasons.append(f"user '{learner.username}' does not have the learner role")
        if tutor is not None and learner is not None and tutor.pk == learner.pk:
            reasons.append("a tutor cannot be allocated to themselves")
        starts_on = ends_on = None
        try:
            starts_on = _parse_date(row["starts_on"], "starts_on")
        except ValidationError as exc:
            reasons.append(exc.messages[0])
        if row["ends_on"]:
            try:
                ends_on = _parse_date(row["ends_on"], "ends_on")
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
            report.error(line, _sentence(reasons))
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


IMPORTERS = {"members": import_members, "allocations": import_allocations}
