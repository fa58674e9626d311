"""Rubrics: frameworks, competencies, rubrics with criteria and levels, and a published rubric."""

import factory

from rubrics import services
from rubrics.models import Competency, Criterion, Framework, Level, Rubric


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"framework_{n}")
    title = factory.Sequence(lambda n: f"Framework {n}")


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competency

    framework = factory.SubFactory(FrameworkFactory)
    code = factory.Sequence(lambda n: f"competency_{n}")
    title = factory.Sequence(lambda n: f"Competency {n}")
    sort_order = factory.Sequence(lambda n: n)


class RubricFactory(factory.django.DjangoModelFactory):
    """A draft rubric (publish it with `rubrics.services.publish` or `make_published_rubric`)."""

    class Meta:
        model = Rubric

    slug = factory.Sequence(lambda n: f"rubric-{n}")
    title = factory.Sequence(lambda n: f"Rubric {n}")
    description = "A rubric for tests."
    version = 1


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion
        skip_postgeneration_save = True

    rubric = factory.SubFactory(RubricFactory)
    title = factory.Sequence(lambda n: f"Criterion {n}")
    description = "What the marker looks for."
    weight = 1

    @factory.post_generation
    def competencies(self, create, extracted, **kwargs):
        if create and extracted:
            self.competencies.set(extracted)
            self.save()


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Level

    criterion = factory.SubFactory(CriterionFactory)
    label = factory.Sequence(lambda n: f"Level {n}")
    descriptor = "What work at this level looks like."
    points = factory.Sequence(lambda n: n)


def make_published_rubric(
    criteria: int = 3, levels: int = 4, weights=None, competencies=None, **rubric_kwargs
):
    """A valid rubric published through `rubrics.services.publish`.

    Level points are 0, 1, 2, ... in order; `weights` (one per criterion) default to 1;
    `competencies` (one list of Competency per criterion) default to none.
    """
    rubric = RubricFactory(**rubric_kwargs)
    for c in range(criteria):
        criterion = CriterionFactory(
            rubric=rubric,
            sort_order=c,
            title=f"Criterion {c + 1}",
            weight=weights[c] if weights else 1,
            competencies=competencies[c] if competencies else None,
        )
        for lv in range(levels):
            LevelFactory(criterion=criterion, sort_order=lv, label=f"Level {lv + 1}", points=lv)
    return services.publish(rubric)
