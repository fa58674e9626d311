"""Import cohort members or tutor allocations from a CSV file (the admin's "Import CSV"
screen, for scripts and nightly jobs): a dry run unless --apply is given.

    python manage.py import_csv members members.csv            # check only
    python manage.py import_csv allocations allocations.csv --apply --actor admin

Every bad row is printed with its line number; nothing is imported unless the whole file is
clean. Exit status: 0 clean (and applied with --apply), 1 when the file has errors.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ...csv_import import IMPORTERS


class Command(BaseCommand):
    help = "Import cohort members or tutor allocations from CSV (a dry run unless --apply)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORTERS), help="what the file holds")
        parser.add_argument("path", help="the CSV file (UTF-8, header row first)")
        parser.add_argument("--apply", action="store_true", help="import when the file is clean")
        parser.add_argument(
            "--actor", help="username recorded in the audit log as the importer (default: none)"
        )

    def handle(self, *args, kind, path, apply, actor, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        user = None
        if actor:
            user = get_user_model().objects.filter(username=actor).first()
            if user is None:
                raise CommandError(f"No user has the username {actor!r}.")
        with file.open("rb") as handle:
            report = IMPORTERS[kind](handle, dry_run=not apply, actor=user, via="command")
        for row in report.rows:
            self.stdout.write(f"line {row.line}: {row.action}: {row.description}")
        for error in report.errors:
            self.stderr.write(f"line {error.line}: {error.message}")
        counts = ", ".join(f"{n} {action}" for action, n in sorted(report.counts().items())) or "no rows"
        if not report.ok:
            raise CommandError(
                f"{len(report.errors)} problem(s) found; nothing was imported. Fix the file and run again."
            )
        if report.applied:
            self.stdout.write(self.style.SUCCESS(f"Imported: {counts}."))
        else:
            self.stdout.write(f"Dry run, nothing changed: {counts}. Run again with --apply to import.")
