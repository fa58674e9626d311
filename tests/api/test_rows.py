"""`portfolio.api.rows.RowSerializer` answers what DRF's own `Serializer.to_representation`
answers for the same rows: at every level (the list's serializer, the nested person, rubric
and score serializers), over rows with every edge the data has (nulls, blank names, superseded
and unscored assessments, datetimes, decimals). It reads only the columns it names."""

from __future__ import annotations

import json

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from assessments import services as marking
from assessments.api.serializers import AssessmentSerializer
from assessments.api.views import _with_scores
from assessments.models import Assessment, Score
from portfolio.api.attachments import with_attachments
from portfolio.api.rows import RowSerializer, attach
from portfolio.api.serializers import PersonRefSerializer, ReflectionSerializer
from portfolio.api.views import _with_themes
from portfolio.models import Reflection
from rubrics.models import Competency
from tests.factories import (
    AllocationFactory,
    LearnerFactory,
    PlacementFactory,
    ReflectionFactory,
    make_published_rubric,
    mark,
    submitted_reflection,
)
from tests.factories.files import attach as attach_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(world, portfolio_page):
    themes = list(Competency.objects.themes()[:3])
    nameless = LearnerFactory(username="nameless", first_name="", last_name="", cohort=world.cohort_a)
    AllocationFactory(tutor=world.tutor, learner=nameless)
    for i, status in enumerate(Reflection.Status.values):
        r = ReflectionFactory(
            learner=nameless if i % 2 else world.learner_a,
            status=status,
            placement=PlacementFactory() if i == 1 else None,
            setting="community" if i % 2 else "",
            submitted_at=None,
        )
        r.themes.set(themes[: i % 4])
        if i % 2:
            attach_file(r, "poster.png")
    rubric = make_published_rubric(criteria=3, levels=4)
    final = mark(submitted_reflection(world.learner_a), rubric, world.tutor, levels=[0, 2, 3], finalise=True)
    draft = mark(submitted_reflection(nameless), rubric, world.tutor, levels=[1, None, None])
    Score.objects.create(
        assessment=draft, criterion=marking.rubric_criteria(rubric)[2], level=None, comment="No level yet."
    )
    marking.supersede(final, world.tutor, "Wrong level.", via="test")
    reflections = Reflection.objects.order_by("id").values(*ReflectionSerializer.columns())
    assessments = Assessment.objects.order_by("id").values(*AssessmentSerializer.columns())
    return {
        ReflectionSerializer: with_attachments(_with_themes(list(reflections)), world.admin),
        AssessmentSerializer: _with_scores(list(assessments)),
    }


def _nested(serializer, row):
    """(serializer, value) for every row serializer inside `serializer`, with what it reads."""
    for field in serializer._readable_fields:
        value = field.get_attribute(row)
        if isinstance(field, RowSerializer) and value is not None:
            yield field, value
            yield from _nested(field, value)
        elif isinstance(field, serializers.ListSerializer) and isinstance(field.child, RowSerializer):
            for item in value:
                yield field.child, item
                yield from _nested(field.child, item)


def _json(value) -> bytes:
    return JSONRenderer().render(value)


@pytest.mark.parametrize("kind", [ReflectionSerializer, AssessmentSerializer])
def test_every_level_answers_what_drf_answers(rows, kind):
    serializer = kind(context={"site_root": "/portfolio/"})
    checked = 0
    for row in rows[kind]:
        for level, value in [(serializer, row), *_nested(serializer, row)]:
            want = serializers.Serializer.to_representation(level, value)  # DRF's own path
            got = level.to_representation(value)
            assert list(got) == list(want)
            assert _json(got) == _json(want), (type(level).__name__, value)
            checked += 1
    assert checked > len(rows[kind]), "nested serializers were compared too"
    rendered = [json.loads(_json(kind(row, context={"site_root": "/portfolio/"}).data)) for row in rows[kind]]
    if kind is AssessmentSerializer:
        assert any(item["superseded_by"] for item in rendered)
        assert any(score["level"] is None for item in rendered for score in item["scores"])
    else:
        assert any(item["learner"]["display_name"] == "nameless" for item in rendered)
        assert any(item["placement"] for item in rendered) and any(item["themes"] for item in rendered)


def test_columns_are_what_the_fields_read():
    assert ReflectionSerializer.columns() == (
        "id",
        "learner_id",
        "learner__first_name",
        "learner__last_name",
        "learner__username",
        "title",
        "kind",
        "setting",
        "placement_id",
        "occurred_on",
        "body_html",
        "status",
        "submitted_at",
        "version",
    )
    columns = AssessmentSerializer.columns()
    assert "scores" not in columns and "rubric__version" in columns and "assessor__username" in columns


def test_a_row_missing_a_column_fails_loudly(rows):
    row = dict(rows[ReflectionSerializer][0])
    del row["title"]
    with pytest.raises(KeyError):
        ReflectionSerializer(context={"site_root": "/"}).to_representation(row)


def test_a_dotted_source_is_refused():
    class Dotted(RowSerializer):
        name = serializers.CharField(source="learner.username")

    with pytest.raises(ValueError, match="rows are flat"):
        Dotted().to_representation({"learner": {"username": "x"}})


def test_instances_take_drfs_path(world):
    """A shared serializer still renders model instances (feedback and ARCP use it so)."""
    assert PersonRefSerializer(world.learner_a).data == {
        "id": world.learner_a.pk,
        "display_name": world.learner_a.get_full_name(),
    }


def test_attach_keeps_the_childrens_order_and_gives_empty_lists():
    rows = attach([{"id": 1}, {"id": 2}, {"id": 3}], "codes", [(2, "b"), (1, "z"), (2, "a")])
    assert rows == [{"id": 1, "codes": ["z"]}, {"id": 2, "codes": ["b", "a"]}, {"id": 3, "codes": []}]
