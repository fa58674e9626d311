"""The two rubrics shipped as data are published, valid and verify against their hash."""

import pytest
from django.core.management import call_command

from rubrics import scoring, services
from rubrics.models import Competency, Rubric

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", ["social-accountability", "depth-of-reflection"])
def test_shipped_rubric_is_published_valid_and_verifies(slug):
    rubric = Rubric.objects.published().get(slug=slug)
    assert rubric.content_hash == services.compute_hash(rubric)
    assert services.validation_problems(rubric) == []
    for criterion in rubric.criteria.all():
        assert [lv.points for lv in criterion.levels.all()] == [0, 1, 2, 3]


def test_social_accountability_has_one_criterion_per_theme():
    rubric = Rubric.objects.get(slug="social-accountability", version=1)
    mapped = [[c.code for c in criterion.competencies.all()] for criterion in rubric.criteria.all()]
    assert sorted(code for codes in mapped for code in codes) == sorted(
        Competency.objects.themes().values_list("code", flat=True)
    )
    assert all(len(codes) == 1 for codes in mapped)
    result = scoring.score(rubric, {})
    assert set(result.per_competency) == set(Competency.objects.themes().values_list("code", flat=True))


def test_depth_of_reflection_follows_the_published_levels_and_cites_the_source():
    rubric = Rubric.objects.get(slug="depth-of-reflection", version=1)
    labels = [lv.label for lv in rubric.criteria.first().levels.all()]
    assert labels == [
        "Habitual action",
        "Thoughtful action or introspection",
        "Reflection",
        "Critical reflection",
    ]
    assert "Kember" in rubric.description and "2008;33(4):369-379" in rubric.description


def test_demo_seed_makes_a_retired_v1_and_published_v2_idempotently():
    from portfolio.demo import DemoContext
    from rubrics.demo import seed

    ctx = DemoContext(cohorts=1, learners_per_cohort=1, password="pw")
    seed(ctx)
    seed(ctx)
    versions = list(Rubric.objects.filter(slug="depth-of-reflection").order_by("version"))
    assert [(r.version, r.status) for r in versions] == [(1, "retired"), (2, "published")]
    assert versions[1].previous_version == versions[0]
    assert versions[1].content_hash != versions[0].content_hash
    assert versions[0].content_hash == services.compute_hash(versions[0])
    assert Rubric.objects.published().filter(slug="social-accountability").count() == 1
    call_command("check")
