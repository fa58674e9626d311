"""Portfolio: cohorts, enrolled learners, allocations, panels, placements and reflections."""

import datetime

import factory
from django.utils import timezone

from portfolio.models import Allocation, Cohort, Enrolment, Panel, Placement, Reflection
from reflect import roles as R

from .people import UserFactory

TODAY = datetime.date.today


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Cohort {n}")
    programme = "MBChB"
    year = 2026


class LearnerFactory(UserFactory):
    """A learner enrolled in a cohort (pass `cohort=` to choose it)."""

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            R.grant(self, *(extracted or (R.LEARNER,)))
            self.save()

    @factory.post_generation
    def cohort(self, create, extracted, **kwargs):
        if create:
            Enrolment.objects.create(learner=self, cohort=extracted or CohortFactory())


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    tutor = factory.SubFactory(UserFactory, roles=(R.TUTOR,))
    learner = factory.SubFactory(LearnerFactory)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    ends_on = None


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panel

    examiner = factory.SubFactory(UserFactory, roles=(R.EXAMINER,))
    cohort = factory.SubFactory(CohortFactory)
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    role = Panel.Role.EXAMINER


def panel_member(cohort, role: str, **person):
    """A new person (examiner role) on `cohort`'s open panel as `role` ("chair", "examiner",
    "lay_representative", "external_assessor"); returns the person. `person`: UserFactory's
    keywords (username, first_name...)."""
    member = UserFactory(roles=(R.EXAMINER,), **person)
    PanelFactory(examiner=member, cohort=cohort, role=role)
    return member


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    organisation = factory.Sequence(lambda n: f"Community Food Bank {n}")
    type = "third_sector"
    place = "Cardiff"


class ReflectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reflection

    learner = factory.SubFactory(LearnerFactory)
    title = factory.Sequence(lambda n: f"Reflection {n}")
    kind = Reflection.Kind.COMMUNITY_PLACEMENT
    occurred_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    body_html = "<p>I followed a patient home after a hip fracture and saw the stairs.</p>"
    sections = factory.LazyAttribute(lambda r: {"free": r.body_html})
    status = Reflection.Status.DRAFT


def submitted_reflection(learner, **kwargs):
    """A submitted (markable) reflection of `learner`."""
    kwargs.setdefault("status", Reflection.Status.SUBMITTED)
    kwargs.setdefault("submitted_at", timezone.now())
    return ReflectionFactory(learner=learner, **kwargs)
