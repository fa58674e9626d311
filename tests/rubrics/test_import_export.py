"""JSON export/import: round trip, every problem reported with its path, nothing imported."""

import copy
import json

import pytest
from django.core.exceptions import ValidationError

from rubrics import services
from rubrics.models import Criterion, Rubric
from tests.factories import CompetencyFactory, FrameworkFactory, make_published_rubric

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported():
    comp = CompetencyFactory(code="roundtrip_comp", framework=FrameworkFactory(code="fw_rt"))
    rubric = make_published_rubric(criteria=2, levels=3, weights=["1.5", "2"], competencies=[[comp], []])
    return rubric, json.loads(json.dumps(services.export_json(rubric)))


def test_export_shape(exported):
    rubric, data = exported
    assert data["schema"] == "reflect-rubric/1"
    assert (data["slug"], data["version"], data["status"]) == (rubric.slug, 1, "published")
    assert data["content_hash"] == rubric.content_hash
    assert data["criteria"][0]["weight"] == "1.50"
    assert data["criteria"][0]["competencies"] == [{"framework": "fw_rt", "code": "roundtrip_comp"}]
    assert all("id" not in c and all("id" not in lv for lv in c["levels"]) for c in data["criteria"])


def test_round_trip_gives_next_draft_with_same_content_hash(exported):
    rubric, data = exported
    imported = services.import_json(data)
    assert imported.status == Rubric.Status.DRAFT
    assert (imported.slug, imported.version, imported.previous_version_id) == (rubric.slug, 2, rubric.pk)
    assert services.compute_hash(imported) == rubric.content_hash
    published = services.publish(imported)
    assert published.content_hash == rubric.content_hash


def test_import_new_slug_starts_at_version_one_and_accepts_shorthands(exported):
    _, data = exported
    data = copy.deepcopy(data)
    data["slug"] = "brand-new"
    for key in ("version", "status", "content_hash", "schema"):
        data.pop(key)
    data["criteria"][0]["competencies"] = ["roundtrip_comp", "fw_rt:roundtrip_comp"]
    data["criteria"][1]["weight"] = 3
    imported = services.import_json(data)
    assert (imported.version, imported.previous_version) == (1, None)
    first, second = imported.criteria.all()
    assert [c.code for c in first.competencies.all()] == ["roundtrip_comp"]
    assert str(second.weight) == "3.00"


def test_bad_file_reports_every_problem_with_its_path_and_imports_nothing(exported):
    _, data = exported
    bad = copy.deepcopy(data)
    bad["schema"] = "other/2"
    bad["slug"] = "has spaces"
    bad["title"] = ""
    bad["colour"] = "red"
    bad["criteria"][0]["weight"] = "-1"
    bad["criteria"][0]["competencies"] = ["nope", {"framework": "fw_rt", "code": "missing"}]
    bad["criteria"][0]["levels"][1]["points"] = "two"
    bad["criteria"][0]["levels"][2]["label"] = None
    bad["criteria"][1]["levels"] = [{"label": "Only", "points": 1}]
    bad["criteria"].append("not an object")
    before = (Rubric.objects.count(), Criterion.objects.count())
    with pytest.raises(ValidationError) as exc:
        services.import_json(bad)
    assert exc.value.messages == [
        "$.colour: is not a field of this format.",
        "$.schema: must be \"reflect-rubric/1\" (it is 'other/2').",
        "$.slug: may hold only letters, digits, hyphens and underscores.",
        "$.title: must not be empty.",
        '$.criteria[0].competencies[0]: no competency with code "nope".',
        '$.criteria[0].competencies[1]: no competency "missing" in framework "fw_rt".',
        "$.criteria[0].levels[1].points: must be a whole number, 0 or more.",
        "$.criteria[0].levels[2].label: is required.",
        "$.criteria[2]: must be an object.",
        "$.criteria[0].weight: the weight must be greater than zero (it is -1).",
        "$.criteria[1].levels: needs at least two levels (it has 1).",
        "$.criteria[2].levels: needs at least two levels (it has 0).",
    ]
    assert (Rubric.objects.count(), Criterion.objects.count()) == before


@pytest.mark.parametrize(
    "data, message",
    [
        ([], "$: the file must hold a JSON object describing one rubric."),
        ({"slug": "x", "title": "X"}, "$.criteria: is required."),
        ({"slug": "x", "title": "X", "criteria": {}}, "$.criteria: must be a list."),
        ({"slug": "x", "title": "X", "criteria": []}, "$.criteria: A rubric needs at least one criterion."),
        (
            {"slug": "x", "title": "X", "criteria": [{"title": "C", "weight": True, "levels": []}]},
            '$.criteria[0].weight: must be a number or a decimal string such as "1.50".',
        ),
        (
            {"slug": "x", "title": "X", "criteria": [{"title": "C", "weight": "1.234", "levels": []}]},
            "$.criteria[0].weight: may have at most two decimal places.",
        ),
    ],
)
def test_single_problems(data, message):
    with pytest.raises(ValidationError) as exc:
        services.import_json(data)
    assert message in exc.value.messages
    assert not Rubric.objects.filter(slug="x").exists()


def test_import_refused_while_a_draft_of_the_slug_exists(exported):
    rubric, data = exported
    services.new_version(rubric)
    with pytest.raises(ValidationError) as exc:
        services.import_json(data)
    assert any(m.startswith("$.slug: a draft of rubric") for m in exc.value.messages)
    assert Rubric.objects.filter(slug=rubric.slug).count() == 2
