"""Shared by the benchmarks: a throwaway database chosen before Django starts, and a fast
seeder (bulk_create) for cohorts, learners, reflections, finalised assessments and feedback.

Import this module before anything that touches Django settings.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means "use SQLite"
        return False


def recreate_postgres_database(name: str) -> str:
    """Drop and create database `name` on 127.0.0.1:5432; returns its DATABASE_URL."""
    import psycopg

    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def drop_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def choose_database(name: str, require_postgres: bool = False) -> str:
    """Set DATABASE_URL for a throwaway database before django.setup(): PostgreSQL `name` when
    reachable, else a temporary SQLite file. Returns the URL."""
    if postgres_reachable():
        url = recreate_postgres_database(name)
    elif require_postgres:
        sys.exit("PostgreSQL on 127.0.0.1:5432 (user postgres) is needed for this benchmark.")
    else:
        path = Path(tempfile.mkdtemp(prefix=f"{name}-")) / "db.sqlite3"
        url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    return url


def setup_django(settings_module: str = "config.settings.base") -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    # Realistic: a deployed app keeps its connections; no throttling of the benchmark's user.
    os.environ.setdefault("CONN_MAX_AGE", "60")
    os.environ.setdefault("API_THROTTLE_USER", "10000000/minute")
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


@dataclass
class Seeded:
    examiner: object
    tutor: object
    panel_cohort: object
    rubric: object
    learners: int = 0
    reflections: int = 0
    assessments: int = 0
    scores: int = 0
    feedback: int = 0
    seconds: float = 0.0
    counts: dict = field(default_factory=dict)


def _batched_create(model, objs, batch_size=2000):
    return model.objects.bulk_create(objs, batch_size=batch_size)


def seed(
    learners: int,
    cohort_size: int = 50,
    reflections_per_learner: int = 4,
    assessments_per_reflection: int = 2,
    criteria: int = 3,
    levels: int = 4,
    feedback_per_learner: int = 1,
    prefix: str = "b",
) -> Seeded:
    """Seed `learners` learners in cohorts of `cohort_size`; one examiner (returned) has a panel
    on the first cohort only, so what they see does not grow with `learners`. Every learner
    has `reflections_per_learner` submitted or signed-off reflections (two themes each), each
    with `assessments_per_reflection` finalised assessments scoring every criterion of one
    published rubric, and `feedback_per_learner` patient-representative feedback entries."""
    import datetime
    import hashlib
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from assessments.models import Assessment, Score
    from feedback.models import Feedback, FeedbackInvitation
    from portfolio.models import Allocation, Cohort, Enrolment, Panel, Reflection
    from reflect import roles as R
    from rubrics import services as rubric_services
    from rubrics.models import Competency, Criterion, Level, Rubric

    started = time.monotonic()
    User = get_user_model()
    groups = R.ensure_groups()
    today = timezone.localdate()
    now = timezone.now()
    password = make_password("pw")
    body = "<p>" + " ".join(["I saw how housing and transport shaped the visit."] * 12) + "</p>"

    with transaction.atomic():
        rubric = Rubric.objects.create(slug=f"{prefix}-reflection", title="Reflection on practice")
        for c in range(criteria):
            criterion = Criterion.objects.create(
                rubric=rubric, sort_order=c, title=f"Criterion {c + 1}", description="Looks for."
            )
            for lv in range(levels):
                Level.objects.create(
                    criterion=criterion, sort_order=lv, label=f"Level {lv + 1}", descriptor="Work.", points=lv
                )
        rubric = rubric_services.publish(rubric)
        crit_levels = [
            (criterion.pk, [level.pk for level in criterion.levels.order_by("sort_order")], criterion)
            for criterion in Criterion.objects.filter(rubric=rubric).order_by("sort_order")
        ]
        max_score = Decimal(criteria * (levels - 1))

        n_cohorts = (learners + cohort_size - 1) // cohort_size
        cohorts = _batched_create(
            Cohort,
            [Cohort(name=f"{prefix} cohort {i:04d}", programme="MBChB", year=2026) for i in range(n_cohorts)],
        )
        examiner = User.objects.create(
            username=f"{prefix}_examiner", password=password, first_name="Eve", last_name="Examiner"
        )
        examiner.groups.add(groups[R.EXAMINER])
        Panel.objects.create(
            examiner=examiner, cohort=cohorts[0], opens_on=today - datetime.timedelta(days=30)
        )
        tutors = _batched_create(
            User,
            [
                User(
                    username=f"{prefix}_tutor_{i:04d}",
                    password=password,
                    first_name="Tom",
                    last_name=f"Tutor{i}",
                )
                for i in range(n_cohorts)
            ],
        )
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=t.pk, group_id=groups[R.TUTOR].pk) for t in tutors], batch_size=5000
        )
        people = _batched_create(
            User,
            [
                User(
                    username=f"{prefix}_learner_{i:05d}",
                    password=password,
                    first_name="Lee",
                    last_name=f"Learner{i:05d}",
                )
                for i in range(learners)
            ],
        )
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=groups[R.LEARNER].pk) for u in people],
            batch_size=5000,
        )
        _batched_create(
            Enrolment, [Enrolment(learner=u, cohort=cohorts[i // cohort_size]) for i, u in enumerate(people)]
        )
        _batched_create(
            Allocation,
            [
                Allocation(
                    tutor=tutors[i // cohort_size], learner=u, starts_on=today - datetime.timedelta(days=90)
                )
                for i, u in enumerate(people)
            ],
        )
        themes = list(Competency.objects.themes()[:8])
        statuses = [Reflection.Status.SUBMITTED, Reflection.Status.SIGNED_OFF]
        reflections = []
        for i, u in enumerate(people):
            for r in range(reflections_per_learner):
                reflections.append(
                    Reflection(
                        learner=u,
                        title=f"Reflection {r + 1} of {u.username}",
                        kind=Reflection.Kind.COMMUNITY_PLACEMENT,
                        setting="community",
                        occurred_on=today - datetime.timedelta(days=7 + r),
                        sections={"free": body},
                        body_html=body,
                        status=statuses[(i + r) % 2],
                        submitted_at=now - datetime.timedelta(days=r),
                    )
                )
        reflections = _batched_create(Reflection, reflections)
        Through = Reflection.themes.through
        Through.objects.bulk_create(
            [
                Through(reflection_id=ref.pk, competency_id=themes[(k + j) % len(themes)].pk)
                for k, ref in enumerate(reflections)
                for j in range(2)
            ],
            batch_size=5000,
        )
        assessments = []
        for k, ref in enumerate(reflections):
            tutor = tutors[(k // reflections_per_learner) // cohort_size]
            for a in range(assessments_per_reflection):
                total = Decimal(
                    sum(len(lv) - 1 - ((k + a + j) % 2) for j, (_, lv, _) in enumerate(crit_levels))
                )
                assessments.append(
                    Assessment(
                        reflection=ref,
                        rubric=rubric,
                        assessor=tutor,
                        status=Assessment.Status.FINALISED,
                        overall_comment="Clear links between the visit and housing policy.",
                        total=total,
                        max_score=max_score,
                        finalised_at=now,
                    )
                )
        assessments = _batched_create(Assessment, assessments)
        scores = [
            Score(
                assessment_id=a.pk,
                criterion_id=cid,
                level_id=lv[len(lv) - 1 - ((n + j) % 2)],
                comment=f"On criterion {j + 1}.",
            )
            for n, a in enumerate(assessments)
            for j, (cid, lv, _) in enumerate(crit_levels)
        ]
        _batched_create(Score, scores, batch_size=5000)
        # bulk_create skips Feedback.save(), which copies the link's instrument: set it here.
        from feedback.services.instruments import current as current_instrument

        patient_instrument = current_instrument("patient")
        invitations = _batched_create(
            FeedbackInvitation,
            [
                FeedbackInvitation(
                    learner=u,
                    created_by=tutors[i // cohort_size],
                    context_title="Lived-experience session",
                    occurred_on=today - datetime.timedelta(days=3),
                    token_hash=hashlib.sha256(f"{prefix}-{i}-{f}".encode()).hexdigest(),
                    expires_at=now + datetime.timedelta(days=14),
                    used_at=now,
                    instrument=patient_instrument,
                )
                for i, u in enumerate(people)
                for f in range(feedback_per_learner)
            ],
        )
        _batched_create(
            Feedback,
            [
                Feedback(
                    invitation=inv,
                    learner_id=inv.learner_id,
                    context_title=inv.context_title,
                    occurred_on=inv.occurred_on,
                    ratings={"listening": 5, "respect": 4, "circumstances": 4},
                    comments="They listened to how the bus routes affect my appointments.",
                    respondent_role="patient_representative",
                    respondent_name="Maureen Doyle",
                    instrument=patient_instrument,
                )
                for inv in invitations
            ],
        )
    return Seeded(
        examiner=examiner,
        tutor=tutors[0],
        panel_cohort=cohorts[0],
        rubric=rubric,
        learners=len(people),
        reflections=len(reflections),
        assessments=len(assessments),
        scores=len(scores),
        feedback=len(invitations),
        seconds=time.monotonic() - started,
    )


def analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def token_for(user) -> str:
    from reflect import tokens

    return tokens.issue(user)[1]


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000
