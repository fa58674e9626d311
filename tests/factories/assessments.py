"""Assessments: marking through the services, and a bare assessment row."""

import factory

from assessments import services
from assessments.models import Assessment
from portfolio.models import Reflection
from reflect import roles as R

from .people import UserFactory
from .portfolio import ReflectionFactory
from .rubrics import make_published_rubric


def mark(reflection, rubric, assessor, levels=None, finalise=False, overall_comment="Thoughtful piece."):
    """Mark `reflection` through `assessments.services` (so every rule applies).

    `levels`: a level index per criterion (in rubric order; None leaves it unscored), or one
    int for every criterion; default: the highest level everywhere.
    """
    criteria = services.rubric_criteria(rubric)
    if levels is None or isinstance(levels, int):
        levels = [levels if levels is not None else -1] * len(criteria)
    scores = []
    for criterion, index in zip(criteria, levels, strict=False):
        if index is None:
            continue
        level = list(criterion.levels.all())[index]
        scores.append({"criterion": criterion.pk, "level": level.pk, "comment": f"On {criterion.title}."})
    assessment = services.create_assessment(reflection, rubric, assessor, scores, overall_comment, via="test")
    if finalise:
        assessment = services.finalise(assessment, assessor)
    return assessment


class AssessmentFactory(factory.django.DjangoModelFactory):
    """A bare draft assessment row (no rules applied): for fixtures that need one quickly.
    Prefer `mark(...)`, which goes through the services."""

    class Meta:
        model = Assessment

    reflection = factory.SubFactory(ReflectionFactory, status=Reflection.Status.SUBMITTED)
    rubric = factory.LazyFunction(make_published_rubric)
    assessor = factory.SubFactory(UserFactory, roles=(R.TUTOR,))
