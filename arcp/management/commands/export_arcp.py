"""`python manage.py export_arcp --cohort NAME --from DATE --to DATE --out DIR [--as USERNAME]`

Makes and records every learner's ARCP pack of a cohort, writing one PDF per learner to DIR,
with a progress bar. Packs are made in the name of `--as` (scope applies), or by the system
(the operator at the shell) when it is left out; either way each one is audited.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from portfolio.models import Cohort
from reflect.errors import NotFound

from ... import services
from ...cohort import cohort_learners


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date: {value!r}. Use YYYY-MM-DD.")


class Command(BaseCommand):
    help = "Export the ARCP pack of every learner in a cohort as PDFs in a folder."

    def add_arguments(self, parser):
        parser.add_argument("--cohort", required=True, help="The cohort's exact name.")
        parser.add_argument("--from", dest="period_from", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="period_to", required=True, help="Last day and cut-off, YYYY-MM-DD.")
        parser.add_argument("--out", required=True, help="Folder to write the PDFs to (created if missing).")
        parser.add_argument(
            "--as", dest="username", help="Make the packs in this user's name (scope applies)."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        period_from, period_to = _date(options["period_from"]), _date(options["period_to"])
        if period_to < period_from:
            raise CommandError("--to cannot be before --from.")
        try:
            cohort = Cohort.objects.get(name=options["cohort"])
        except Cohort.DoesNotExist:
            known = ", ".join(Cohort.objects.order_by("name").values_list("name", flat=True)[:20])
            raise CommandError(f"No cohort named {options['cohort']!r}. Cohorts: {known or 'none'}.")
        by = None
        if options["username"]:
            by = get_user_model().objects.filter(username=options["username"]).first()
            if by is None:
                raise CommandError(f"No user {options['username']!r}.")
        out = Path(options["out"])
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"Cannot create {out}: {exc}")
        learners = list(cohort_learners(cohort))
        written = 0
        bar = tqdm(
            learners,
            desc=f"ARCP {cohort.name}",
            unit="pack",
            disable=options["no_progress"],
            file=self.stderr._out,
        )
        for learner in bar:
            try:
                export = services.build_pack(
                    learner, period_from, period_to, by, via="cli", system=by is None
                )
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages))
            except (PermissionDenied, NotFound):
                raise CommandError(
                    f"{options['username']} may not export the pack of {learner.get_username()}."
                )
            (out / services.pack_filename(learner, export)).write_bytes(services.read_pack(export))
            written += 1
        self.stdout.write(self.style.SUCCESS(f"Wrote {written} pack(s) for {cohort.name} to {out}."))
