"""The world of people the tests share: two cohorts, a learner in each, an allocated tutor, a
former tutor (ended allocation), an examiner on cohort A's panel, an admin, a patient
representative and a two-role person (tutor of B, examiner of A).

One builder, used by the `world` fixture (tests/conftest.py, per test) and by the trust
tests' module-wide scene (tests/trust/conftest.py, with its own usernames and a second
examiner on cohort B's panel), so the relationships the scope matrix relies on are written once.
"""

import datetime

from django.utils import timezone

from reflect import roles as R

from .people import UserFactory
from .portfolio import AllocationFactory, CohortFactory, LearnerFactory, PanelFactory


class World:
    """The people and cohorts by name: `today`, `cohort_a`, `cohort_b`, `learner_a`,
    `learner_b`, `tutor`, `former`, `examiner` (and `examiner_b` when asked for), `admin`,
    `patient_rep`, `dual`. Fixtures add their own objects as attributes."""


def build_world(*, prefix: str = "", cohorts=("Cohort A", "Cohort B"), examiner_b: bool = False) -> World:
    """Create the world. `prefix` goes before every username (so two worlds can share a
    database); `cohorts` names cohort A and B; `examiner_b` adds an examiner on B's panel."""
    w = World()
    w.today = today = timezone.localdate()
    w.cohort_a, w.cohort_b = CohortFactory(name=cohorts[0]), CohortFactory(name=cohorts[1])
    w.learner_a = LearnerFactory(username=f"{prefix}learner_a", cohort=w.cohort_a)
    w.learner_b = LearnerFactory(username=f"{prefix}learner_b", cohort=w.cohort_b)
    w.tutor = UserFactory(username=f"{prefix}tutor", roles=(R.TUTOR,))
    AllocationFactory(tutor=w.tutor, learner=w.learner_a)
    w.former = UserFactory(username=f"{prefix}former_tutor", roles=(R.TUTOR,))
    AllocationFactory(
        tutor=w.former,
        learner=w.learner_b,
        starts_on=today - datetime.timedelta(days=400),
        ends_on=today - datetime.timedelta(days=1),
    )
    w.examiner = UserFactory(username=f"{prefix}examiner", roles=(R.EXAMINER,))
    PanelFactory(examiner=w.examiner, cohort=w.cohort_a)
    if examiner_b:
        w.examiner_b = UserFactory(username=f"{prefix}examiner_b", roles=(R.EXAMINER,))
        PanelFactory(examiner=w.examiner_b, cohort=w.cohort_b)
    w.admin = UserFactory(username=f"{prefix}admin", roles=(R.ADMIN,))
    w.patient_rep = UserFactory(username=f"{prefix}rep", roles=(R.PATIENT_REP,))
    w.dual = UserFactory(username=f"{prefix}dual", roles=(R.TUTOR, R.EXAMINER))
    AllocationFactory(tutor=w.dual, learner=w.learner_b)
    PanelFactory(examiner=w.dual, cohort=w.cohort_a)
    return w
