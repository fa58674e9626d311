"""The two passes of a CSV import: every row is planned (checked, nothing written); only a clean
file that is not a dry run has its planned changes applied, in one transaction, and the
import recorded in the audit log."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from reflect import audit

from .parsing import ImportReport, read_text


def run_import(
    kind: str,
    file,
    dry_run: bool,
    actor,
    plan: Callable[..., list[Callable[[], None]]],
    via: str = "admin",
) -> ImportReport:
    report = ImportReport(kind=kind, dry_run=dry_run)
    text = read_text(file, report)
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
