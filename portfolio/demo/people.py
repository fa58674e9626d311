"""Demo people: the run's context (`DemoContext`), then cohorts, learners, tutors, examiners,
panels, a dual-role person, a former tutor and an invited learner who has not signed in."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone

from reflect import roles as R
from reflect.accounts.services import invite
from reflect.models import Invitation

from ..models import Allocation, Cohort, Enrolment, Panel
from ..setup import ensure_portfolio_page

COHORTS = [
    ("MBChB Year 4 Community Track 2026", "MBChB (Year 4)", 2026),
    ("Foundation Programme North 2025", "UK Foundation Programme", 2025),
    ("GP Specialty Training ST1 2026", "GP Specialty Training", 2026),
    ("MBChB Year 3 Global Health 2026", "MBChB (Year 3)", 2026),
]
FIRST = [
    "Amara",
    "Ben",
    "Chen",
    "Dafydd",
    "Esi",
    "Farah",
    "Gethin",
    "Hana",
    "Isaac",
    "Jamila",
    "Kofi",
    "Lena",
    "Mateus",
    "Niamh",
    "Oluwaseun",
    "Priya",
    "Rhys",
    "Sana",
    "Tomasz",
    "Yusuf",
]
LAST = [
    "Adeyemi",
    "Begum",
    "Clarke",
    "Davies",
    "Evans",
    "Fernandes",
    "Gill",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Mensah",
    "Nowak",
    "O'Brien",
    "Patel",
    "Quinn",
    "Roberts",
]
TUTORS = [
    ("Dr Helen", "Morgan"),
    ("Dr Kwame", "Asante"),
    ("Dr Ruth", "Feldman"),
    ("Dr Imran", "Shah"),
    ("Dr Sioned", "Price"),
    ("Dr Marco", "Rossi"),
    ("Dr Aisha", "Bello"),
    ("Dr Peter", "Walsh"),
]


@dataclass
class DemoContext:
    cohorts: int
    learners_per_cohort: int
    password: str
    stdout: object = None
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    today: datetime.date = field(default_factory=timezone.localdate)
    cohort_objs: list = field(default_factory=list)
    learners: list = field(default_factory=list)
    tutors: list = field(default_factory=list)
    examiners: list = field(default_factory=list)
    admins: list = field(default_factory=list)
    patient_reps: list = field(default_factory=list)
    invited: list = field(default_factory=list)
    # One-time feedback links made in this run: {"learner", "url", "expires_at"}. Shown once by
    # `seed_demo` (their tokens are random and only hashes are stored).
    feedback_links: list = field(default_factory=list)

    def user(self, username: str, first: str, last: str, *roles: str):
        """Get or create a user with `roles`, an e-mail address and the demo password.

        A second run changes nothing: the password is set again only if it is not already the
        demo password (setting it would also end the person's API tokens and sessions).
        """
        User = get_user_model()
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": demo_email(username)},
        )
        changed = []
        if not user.email:
            user.email = demo_email(username)
            changed.append("email")
        if not user.check_password(self.password):
            user.set_password(self.password)
            changed.append("password")
        if not user.is_active:
            user.is_active = True
            changed.append("is_active")
        if changed:
            user.save(update_fields=changed)
        R.grant(user, *roles)
        return user

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)


def demo_email(username: str) -> str:
    return f"{username}@example.org"


# The invited person who has not accepted yet: no password, a waiting invitation (not e-mailed:
# "Send again" in the admin's Invitations list e-mails a link).
INVITED = ("newlearner", "Priya", "Nair")


def seed_invited(ctx: DemoContext, cohort) -> None:
    """One learner the programme has added and invited, who has not chosen a password yet."""
    User = get_user_model()
    username, first, last = INVITED
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": demo_email(username)}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    R.grant(user, R.LEARNER)
    Enrolment.objects.get_or_create(learner=user, defaults={"cohort": cohort, "joined_on": ctx.today})
    if not Invitation.objects.filter(user=user).exists():
        invite(user, by=ctx.admins[0] if ctx.admins else None, send=False, via="demo")
    ctx.invited.append(user)


def cohort_spec(i: int):
    if i < len(COHORTS):
        return COHORTS[i]
    return (f"Demo cohort {i + 1}", "MBChB", 2026)


def seed_people(ctx: DemoContext) -> None:
    """Cohorts and everyone in them (reflections follow, in `reflections`)."""
    ensure_portfolio_page()
    year_start = ctx.today - datetime.timedelta(days=300)

    ctx.admins.append(ctx.user("admin", "Grace", "Okonkwo", R.ADMIN))
    admin = ctx.admins[0]
    admin.is_staff = True
    admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    ctx.patient_reps.append(ctx.user("patientrep", "Maureen", "Doyle", R.PATIENT_REP))

    for i in range(ctx.cohorts):
        name, programme, year = cohort_spec(i)
        cohort, _ = Cohort.objects.get_or_create(name=name, defaults={"programme": programme, "year": year})
        ctx.cohort_objs.append(cohort)

        tutors = []
        for t in range(max(1, (ctx.learners_per_cohort + 1) // 2)):
            first, last = TUTORS[(i * 2 + t) % len(TUTORS)]
            tutors.append(ctx.user(f"tutor{i + 1}_{t + 1}", first, last, R.TUTOR))
        ctx.tutors.extend(tutors)

        for n in range(ctx.learners_per_cohort):
            k = i * ctx.learners_per_cohort + n
            first = FIRST[k % len(FIRST)]
            last = LAST[(k * 7 + i) % len(LAST)]
            learner = ctx.user(f"learner{i + 1}_{n + 1}", first, last, R.LEARNER)
            Enrolment.objects.get_or_create(
                learner=learner, defaults={"cohort": cohort, "joined_on": year_start}
            )
            ctx.learners.append(learner)
            Allocation.objects.get_or_create(
                tutor=tutors[n // 2], learner=learner, defaults={"starts_on": year_start}
            )

        examiner = ctx.user(
            f"examiner{i + 1}",
            "Prof. Sarah" if i % 2 == 0 else "Dr Tunde",
            "Lindqvist" if i % 2 == 0 else "Bakare",
            R.EXAMINER,
        )
        ctx.examiners.append(examiner)
        Panel.objects.get_or_create(
            examiner=examiner,
            cohort=cohort,
            defaults={
                "opens_on": ctx.today - datetime.timedelta(days=30),
                "closes_on": ctx.today + datetime.timedelta(days=60),
            },
        )

    # A person with two roles: tutor in the first cohort and examiner on the second (if any).
    if ctx.cohort_objs:
        dual = ctx.user("dualrole", "Dr Nadia", "Haddad", R.TUTOR, R.EXAMINER)
        ctx.tutors.append(dual)
        ctx.examiners.append(dual)
        first_learner = (
            Enrolment.objects.filter(cohort=ctx.cohort_objs[0]).order_by("learner__username").first()
        )
        if first_learner:
            Allocation.objects.get_or_create(
                tutor=dual, learner=first_learner.learner, defaults={"starts_on": year_start}
            )
        panel_cohort = ctx.cohort_objs[1] if len(ctx.cohort_objs) > 1 else ctx.cohort_objs[0]
        Panel.objects.get_or_create(
            examiner=dual,
            cohort=panel_cohort,
            defaults={
                "opens_on": ctx.today - datetime.timedelta(days=10),
                "closes_on": ctx.today + datetime.timedelta(days=80),
            },
        )
        # A former tutor whose allocation has ended: they must see nobody.
        former = ctx.user("formertutor", "Dr Alan", "Pryce", R.TUTOR)
        ctx.tutors.append(former)
        if first_learner:
            Allocation.objects.get_or_create(
                tutor=former,
                learner=first_learner.learner,
                defaults={
                    "starts_on": year_start - datetime.timedelta(days=365),
                    "ends_on": year_start - datetime.timedelta(days=1),
                },
            )

    if ctx.cohort_objs:
        seed_invited(ctx, ctx.cohort_objs[0])
