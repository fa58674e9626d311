"""`python manage.py seed_demo [--cohorts C] [--learners-per-cohort N] [--password P] [--json]`

Creates a believable, complete demo data set. Safe to run twice: nothing is duplicated.
"""

import json

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from portfolio.demo import DemoContext
from portfolio.models import Allocation, Cohort, Panel
from reflect import roles as R
from reflect.people import display_name


class Command(BaseCommand):
    help = "Create demo cohorts, people, rubrics, reflections, assessments and feedback."

    def add_arguments(self, parser):
        parser.add_argument("--cohorts", type=int, default=2, help="number of cohorts (default 2)")
        parser.add_argument(
            "--learners-per-cohort", type=int, default=4, help="learners in each cohort (default 4)"
        )
        parser.add_argument("--password", default="demo-pass-2026", help="password of every demo user")
        parser.add_argument("--json", action="store_true", help="print the users and cohorts as JSON")

    def handle(self, *args, **options):
        if options["cohorts"] < 1 or options["learners_per_cohort"] < 1:
            raise CommandError("--cohorts and --learners-per-cohort must be at least 1.")
        ctx = DemoContext(
            cohorts=options["cohorts"],
            learners_per_cohort=options["learners_per_cohort"],
            password=options["password"],
            stdout=None if options["json"] else self.stdout,
        )
        with transaction.atomic():
            for app in apps.get_app_configs():
                try:
                    seed = import_string(f"{app.name}.demo.seed")
                except ImportError:
                    continue
                seed(ctx)
        summary = self.summary(ctx)
        if options["json"]:
            # The contract's {"users", "cohorts"} plus an extension: the open feedback links
            # made in this run (empty on a second run: they are shown once).
            self.stdout.write(json.dumps({**self.as_json(summary), "feedback_links": ctx.feedback_links}))
        else:
            self.print_logins(summary, options["password"])
            self.print_links(ctx.feedback_links)

    def summary(self, ctx: DemoContext) -> dict:
        seen = {}
        for user in [*ctx.admins, *ctx.learners, *ctx.tutors, *ctx.examiners, *ctx.patient_reps]:
            seen[user.pk] = user
        users = []
        for user in sorted(seen.values(), key=lambda u: u.username):
            user.refresh_from_db()
            if hasattr(user, "_portfolio_roles"):
                del user._portfolio_roles
            enrolment = getattr(user, "enrolment", None)
            users.append(
                {
                    "username": user.username,
                    "email": user.email,
                    "display_name": display_name(user),
                    "roles": R.roles_of(user),
                    "cohort": enrolment.cohort.name if enrolment else None,
                    "allocated_learners": sorted(
                        Allocation.objects.current()
                        .filter(tutor=user)
                        .values_list("learner__username", flat=True)
                    ),
                    "panel_cohorts": sorted(
                        Panel.objects.current().filter(examiner=user).values_list("cohort__name", flat=True)
                    ),
                }
            )
        cohorts = [c.name for c in ctx.cohort_objs] or list(Cohort.objects.values_list("name", flat=True))
        # People invited who have not chosen a password yet cannot sign in with the demo
        # password, so they are not in `users` (the contract's list of demo logins); the
        # printed summary names them.
        invited = []
        for user in ctx.invited:
            enrolment = getattr(user, "enrolment", None)
            invited.append(
                {
                    "username": user.username,
                    "email": user.email,
                    "display_name": display_name(user),
                    "roles": R.roles_of(user),
                    "cohort": enrolment.cohort.name if enrolment else None,
                }
            )
        return {"users": users, "cohorts": cohorts, "invited": invited}

    @staticmethod
    def as_json(summary: dict) -> dict:
        """The contract's `--json` object: {"users", "cohorts"}."""
        return {"users": summary["users"], "cohorts": summary["cohorts"]}

    def print_links(self, links: list[dict]) -> None:
        if not links:
            return
        self.stdout.write(
            "Open feedback links (no sign-in needed; shown this once, only their hashes are kept):"
        )
        for link in links:
            self.stdout.write(f"  {link['learner']:<14} {link['url']}")

    def print_logins(self, summary: dict, password: str) -> None:
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/accounts/login/")
        )
        self.stdout.write(f"Every demo user's password: {password}")
        for user in summary["users"]:
            detail = user["cohort"] or ", ".join(user["panel_cohorts"]) or ""
            self.stdout.write(f"  {user['username']:<14} {'+'.join(user['roles']):<18} {detail}")
        for user in summary["invited"]:
            self.stdout.write(
                f"  {user['username']:<14} invited, has not chosen a password yet (admin → Invitations → "
                "Send again e-mails a link)"
            )
