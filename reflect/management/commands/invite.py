"""Send (or send again) invitations to choose a password, or list who has not accepted.

    python manage.py invite learner7 tutor3      # e-mail each a fresh link (earlier links stop working)
    python manage.py invite --list               # everyone whose newest invitation is not accepted

Links point at SITE_BASE_URL (else WAGTAILADMIN_BASE_URL). People created by
`import_csv members --apply` are invited automatically.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reflect.accounts import services
from reflect.people import display_name


class Command(BaseCommand):
    help = "E-mail invitations to choose a password, or list the people who have not accepted one."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*", help="the people to invite")
        parser.add_argument("--list", action="store_true", help="list invitations not accepted yet")
        parser.add_argument("--actor", help="username recorded as the sender (default: none)")

    def handle(self, *args, usernames, list, actor, **options):
        if list:
            rows = services.latest_invitations().filter(accepted_at__isnull=True).order_by("user__username")
            for invitation in rows:
                self.stdout.write(
                    f"{invitation.user.get_username():<20} {invitation.email:<32} {invitation.state_label}"
                    f" (expires {invitation.expires_at:%Y-%m-%d %H:%M})"
                )
            if not rows:
                self.stdout.write("Everyone invited has accepted.")
            return
        if not usernames:
            raise CommandError("Name at least one username, or use --list.")
        User = get_user_model()
        by = None
        if actor:
            by = User.objects.filter(username=actor).first()
            if by is None:
                raise CommandError(f"No user has the username {actor!r}.")
        people = {u.username: u for u in User.objects.filter(username__in=usernames)}
        missing = [name for name in usernames if name not in people]
        if missing:
            raise CommandError("No such user: " + ", ".join(missing) + ". Nothing was sent.")
        problems = [
            f"{name}: {services.can_be_invited(people[name])}"
            for name in usernames
            if services.can_be_invited(people[name])
        ]
        if problems:
            raise CommandError("Nothing was sent.\n" + "\n".join(problems))
        try:
            with transaction.atomic():
                for name in usernames:
                    sent = services.invite(people[name], by=by, via="command")
                    self.stdout.write(
                        f"Invitation for {display_name(people[name])} → {sent.invitation.email}"
                    )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages))
        self.stdout.write(self.style.SUCCESS(f"Sent {len(usernames)} invitation(s)."))
