"""Scoring maths with weights, hand-worked, and per-competency aggregation."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from rubrics import scoring
from rubrics.models import Rubric
from tests.factories import CompetencyFactory, make_published_rubric

pytestmark = pytest.mark.django_db


@pytest.fixture
def marked():
    """Three criteria, levels worth 0/1/2/3, weights 2, 1.5 and 0.5.

    Criterion 1 → competencies A and B; criterion 2 → A; criterion 3 → none.
    """
    a, b = CompetencyFactory(code="comp_a"), CompetencyFactory(code="comp_b")
    rubric = make_published_rubric(
        criteria=3, levels=4, weights=["2", "1.5", "0.5"], competencies=[[a, b], [a], []]
    )
    criteria = list(rubric.criteria.all())
    levels = [list(c.levels.all()) for c in criteria]
    return rubric, criteria, levels


def test_max_score_is_sum_of_weight_times_top_points(marked):
    rubric, _, _ = marked
    # 2×3 + 1.5×3 + 0.5×3 = 6 + 4.5 + 1.5 = 12
    assert scoring.max_score(rubric) == D("12.00")


def test_weighted_total_and_percentage_hand_worked(marked):
    rubric, criteria, levels = marked
    # chose points 2, 3, 1 → 2×2 + 1.5×3 + 0.5×1 = 4 + 4.5 + 0.5 = 9.0 of 12 → 75%
    result = scoring.score(
        rubric, {criteria[0].pk: levels[0][2], criteria[1].pk: levels[1][3].pk, criteria[2]: levels[2][1]}
    )
    assert result.total == D("9.00")
    assert result.max_score == D("12.00")
    assert result.percentage == D("75.00")
    assert result.per_criterion == {
        criteria[0].pk: (2, D("4.00")),
        criteria[1].pk: (3, D("4.50")),
        criteria[2].pk: (1, D("0.50")),
    }


def test_per_competency_counts_a_criterion_toward_each_of_its_competencies(marked):
    rubric, criteria, levels = marked
    result = scoring.score(rubric, {criteria[0].pk: levels[0][2], criteria[1].pk: levels[1][1]})
    # comp_a: criteria 1 and 2 → total 2×2 + 1.5×1 = 5.5, max 6 + 4.5 = 10.5 → 52.38%
    # comp_b: criterion 1 only → total 4, max 6 → 66.67%
    assert result.per_competency == {
        "comp_a": {"total": D("5.50"), "max": D("10.50"), "percentage": D("52.38")},
        "comp_b": {"total": D("4.00"), "max": D("6.00"), "percentage": D("66.67")},
    }
    # Unscored criterion 3 adds nothing but counts in the maximum: 5.5 / 12
    assert result.total == D("5.50")
    assert result.percentage == D("45.83")


def test_empty_marking_is_zero(marked):
    rubric, _, _ = marked
    result = scoring.score(rubric, {})
    assert (result.total, result.max_score, result.percentage) == (D("0.00"), D("12.00"), D("0.00"))


def test_level_of_another_criterion_and_foreign_criterion_are_refused(marked):
    rubric, criteria, levels = marked
    other = make_published_rubric(criteria=1, levels=2)
    with pytest.raises(ValidationError) as exc:
        scoring.score(
            rubric,
            {criteria[0].pk: levels[1][0], other.criteria.first().pk: other.criteria.first().levels.first()},
        )
    assert len(exc.value.messages) == 2
    assert "not one of the levels" in exc.value.messages[0]
    assert "not part of this rubric" in exc.value.messages[1]


def test_scoring_a_prefetched_rubric_needs_no_queries(marked, django_assert_num_queries):
    rubric, criteria, levels = marked
    loaded = Rubric.objects.with_content().get(pk=rubric.pk)
    with django_assert_num_queries(0):
        result = scoring.score(loaded, {criteria[0].pk: levels[0][3].pk})
        assert result.total == D("6.00")
        assert scoring.max_score(loaded) == D("12.00")


def test_percentage_helper_rounds_half_up():
    assert scoring.percentage(D("1"), D("8")) == D("12.50")
    assert scoring.percentage(D("1"), D("3")) == D("33.33")
    assert scoring.percentage(D("2"), D("3")) == D("66.67")
    assert scoring.percentage(D("0"), D("0")) == D("0.00")
