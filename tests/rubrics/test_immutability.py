"""A published or retired rubric's content never changes, through any door: model save and
delete, queryset update and delete, criterion competencies."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from rubrics import services
from rubrics.models import Competency, Criterion, Level, Rubric
from tests.factories import (
    CompetencyFactory,
    CriterionFactory,
    LevelFactory,
    RubricFactory,
    make_published_rubric,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    comp = CompetencyFactory(code="frozen_comp")
    rubric = make_published_rubric(criteria=2, levels=3, competencies=[[comp], []])
    return rubric


def unchanged(rubric):
    fresh = Rubric.objects.get(pk=rubric.pk)
    return services.compute_hash(fresh) == rubric.content_hash


@pytest.mark.parametrize("status", ["published", "retired"])
def test_rubric_fields_cannot_change(published, status):
    if status == "retired":
        services.retire(published)
    rubric = Rubric.objects.get(pk=published.pk)
    rubric.title = "Sneaky"
    with pytest.raises(ValidationError, match="can no longer change"):
        rubric.save()
    rubric.status = Rubric.Status.DRAFT
    with pytest.raises(ValidationError):
        rubric.save()
    with pytest.raises(ValidationError):
        Rubric.objects.filter(pk=rubric.pk).update(title="Sneaky", status="draft")
    with pytest.raises(ValidationError):
        rubric.delete()
    with pytest.raises(ValidationError):
        Rubric.objects.filter(pk=rubric.pk).delete()
    assert Rubric.objects.get(pk=rubric.pk).title != "Sneaky"
    assert Rubric.objects.get(pk=rubric.pk).status == status
    assert unchanged(published)


def test_criteria_levels_and_competencies_cannot_change(published):
    criterion = published.criteria.first()
    level = criterion.levels.first()
    criterion.weight = 5
    with pytest.raises(ValidationError):
        criterion.save()
    with pytest.raises(ValidationError):
        criterion.delete()
    with pytest.raises(ValidationError):
        Criterion.objects.filter(pk=criterion.pk).update(weight=5)
    with pytest.raises(ValidationError):
        Criterion.objects.filter(rubric=published).delete()
    with pytest.raises(ValidationError):
        CriterionFactory(rubric=published)
    level.points = 99
    with pytest.raises(ValidationError):
        level.save()
    with pytest.raises(ValidationError):
        level.delete()
    with pytest.raises(ValidationError):
        Level.objects.filter(pk=level.pk).update(points=99)
    with pytest.raises(ValidationError):
        LevelFactory(criterion=criterion, points=100)
    # Moving a level of a published rubric into a draft is a change too.
    draft_criterion = CriterionFactory(rubric=RubricFactory())
    level.refresh_from_db()
    level.criterion = draft_criterion
    with pytest.raises(ValidationError):
        level.save()
    # Competencies, from either side, directly or through the manager.
    fresh = Criterion.objects.get(pk=criterion.pk)
    fresh.competencies.set([])
    with pytest.raises(ValidationError):
        fresh.save()
    other = CompetencyFactory()
    # Django's m2m add runs in atomic(savepoint=False): the refusal breaks the enclosing
    # transaction, so give it a savepoint of its own here.
    with pytest.raises(ValidationError), transaction.atomic():
        other.criteria.add(Criterion.objects.get(pk=criterion.pk))
    used = Competency.objects.get(code="frozen_comp")
    with pytest.raises(ValidationError):
        used.delete()
    used.code = "renamed"
    with pytest.raises(ValidationError):
        used.save()
    assert unchanged(published)


def test_status_only_changes_through_services():
    rubric = RubricFactory()
    rubric.status = Rubric.Status.PUBLISHED
    with pytest.raises(ValidationError, match="only through rubrics.services"):
        rubric.save()
    with pytest.raises(ValidationError):
        RubricFactory(status=Rubric.Status.PUBLISHED)


def test_drafts_are_freely_editable_and_deletable():
    criterion = CriterionFactory()
    LevelFactory(criterion=criterion, points=0)
    criterion.title = "Edited"
    criterion.save()
    rubric = criterion.rubric
    rubric.title = "Edited too"
    rubric.save()
    rubric.delete()
    assert not Rubric.objects.filter(pk=rubric.pk).exists()
    assert not Criterion.objects.filter(pk=criterion.pk).exists()


def test_retire_and_publish_guards(published):
    with pytest.raises(ValidationError, match="Only a draft"):
        services.publish(published)
    retired = services.retire(published)
    assert retired.status == Rubric.Status.RETIRED and retired.retired_at
    with pytest.raises(ValidationError, match="Only a published"):
        services.retire(retired)
    with pytest.raises(ValidationError, match="still a draft"):
        services.new_version(RubricFactory())
    draft = services.new_version(retired)
    with pytest.raises(ValidationError, match="already exists"):
        services.new_version(retired)
    assert services.draft_of(published.slug) == draft
    assert draft.criteria.first().competencies.get().code == "frozen_comp"
    assert [lv.points for lv in draft.criteria.first().levels.all()] == [0, 1, 2]
