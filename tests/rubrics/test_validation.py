"""Publishing validates everything at once, with clear messages, and changes nothing."""

import pytest
from django.core.exceptions import ValidationError

from rubrics import services
from rubrics.models import Rubric
from tests.factories import CriterionFactory, LevelFactory, RubricFactory

pytestmark = pytest.mark.django_db


def test_empty_rubric_needs_a_criterion():
    rubric = RubricFactory()
    with pytest.raises(ValidationError) as exc:
        services.publish(rubric)
    assert exc.value.messages == ["A rubric needs at least one criterion."]
    assert Rubric.objects.get(pk=rubric.pk).status == Rubric.Status.DRAFT


def test_every_problem_is_reported():
    rubric = RubricFactory()
    one = CriterionFactory(rubric=rubric, title="Only one level", sort_order=0)
    LevelFactory(criterion=one, points=1, sort_order=0)
    flat = CriterionFactory(rubric=rubric, title="Flat points", sort_order=1)
    LevelFactory(criterion=flat, label="Low", points=2, sort_order=0)
    LevelFactory(criterion=flat, label="High", points=2, sort_order=1)
    zero = CriterionFactory(rubric=rubric, title="Zero weight", sort_order=2)
    Rubric.objects.none()
    type(zero).objects.filter(pk=zero.pk).update(weight=0)  # bypass the form validator
    LevelFactory(criterion=zero, points=0, sort_order=0)
    LevelFactory(criterion=zero, points=1, sort_order=1)
    with pytest.raises(ValidationError) as exc:
        services.publish(rubric)
    assert exc.value.messages == [
        'Criterion 1 "Only one level": needs at least two levels (it has 1).',
        'Criterion 2 "Flat points": points must rise strictly from level to level: level 2 "High" has '
        '2 points, level 1 "Low" has 2.',
        'Criterion 3 "Zero weight": the weight must be greater than zero (it is 0.00).',
    ]
    fresh = Rubric.objects.get(pk=rubric.pk)
    assert (fresh.status, fresh.content_hash, fresh.published_at) == ("draft", "", None)


def test_weight_field_validator_gives_a_form_message():
    criterion = CriterionFactory(weight=0)
    with pytest.raises(ValidationError) as exc:
        criterion.full_clean()
    assert exc.value.message_dict["weight"] == ["The weight must be greater than zero."]
