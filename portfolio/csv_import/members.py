"""Cohort members from CSV: ``username,first_name,last_name,email,cohort``."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from reflect import roles as R
from reflect.accounts import services as accounts

from ..models import Cohort, Enrolment
from .applying import run_import
from .parsing import ImportReport, RowResult, data_rows, roles_of, sentence, users_by_username

MEMBER_COLUMNS = ("username", "first_name", "last_name", "email", "cohort")


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
    return run_import("members", file, dry_run, actor, _plan_members, via)


def _plan_members(text: str, report: ImportReport, actor=None) -> list[Callable[[], None]]:
    User = get_user_model()
    parsed = list(data_rows(text, MEMBER_COLUMNS, {"username", "cohort"}, report))
    cohorts = {c.name: c for c in Cohort.objects.filter(name__in={r["cohort"] for _, r in parsed})}
    users = users_by_username({r["username"] for _, r in parsed})
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
        if user is not None and R.LEARNER not in roles_of(user):
            reasons.append(f"user '{username}' exists but does not have the learner role")
        if reasons:
            report.error(line, sentence(reasons))
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
