"""Content hash: same content ⇒ same hash (whatever the ids or creation order); any change ⇒
a different hash; editing a published rubric makes a new version with a new id."""

import pytest

from rubrics import services
from rubrics.canonical import hash_from_dict
from rubrics.models import Rubric
from tests.factories import (
    CompetencyFactory,
    CriterionFactory,
    LevelFactory,
    RubricFactory,
    make_published_rubric,
)

pytestmark = pytest.mark.django_db


def build(version=1, reverse=False, comps=()):
    """Two criteria × three levels; `reverse` creates the rows in the opposite order."""
    rubric = RubricFactory(slug="same", version=version, title="Same", description="Same rubric")
    spec = [
        ("Evidence", "Uses evidence", "2.00", [("Weak", 0), ("Fair", 1), ("Strong", 3)]),
        ("Action", "Plans action", "1.5", [("None", 0), ("Some", 2), ("Clear", 4)]),
    ]
    order = list(enumerate(spec))
    if reverse:
        order.reverse()
    for pos, (title, desc, weight, levels) in order:
        criterion = CriterionFactory(
            rubric=rubric,
            sort_order=pos,
            title=title,
            description=desc,
            weight=weight,
            competencies=list(comps),
        )
        level_order = list(enumerate(levels))
        if reverse:
            level_order.reverse()
        for lpos, (label, points) in level_order:
            LevelFactory(criterion=criterion, sort_order=lpos, label=label, points=points, descriptor=label)
    return rubric


def test_same_content_same_hash_regardless_of_ids_and_creation_order():
    comp_a = CompetencyFactory(code="alpha")
    comp_b = CompetencyFactory(code="beta")
    one = build(comps=[comp_a, comp_b])
    one_json = services.canonical_json(one)
    one = services.publish(one)
    # Different db ids and version, rows created in reverse order, competencies in another order.
    two = build(version=2, reverse=True, comps=[comp_b, comp_a])
    assert {c.pk for c in two.criteria.all()}.isdisjoint({c.pk for c in one.criteria.all()})
    assert services.canonical_json(two) == one_json
    two = services.publish(two)
    assert two.content_hash == one.content_hash
    assert len(one.content_hash) == 64
    assert hash_from_dict(services.content_dict(one)) == one.content_hash
    for key in ('"id"', '"version"', '"status"', '"created_at"'):
        assert key not in one_json


def test_hash_ignores_ids_but_not_content():
    rubric = build()
    base = services.compute_hash(rubric)
    data = services.content_dict(rubric)
    for c in data["criteria"]:
        c["id"] = 999
    assert hash_from_dict(data) == base

    def changed(mutate):
        d = services.content_dict(rubric)
        mutate(d)
        return hash_from_dict(d)

    mutations = [
        lambda d: d.update(title="Other"),
        lambda d: d.update(description="Other"),
        lambda d: d.update(slug="other"),
        lambda d: d["criteria"][0].update(title="Other"),
        lambda d: d["criteria"][0].update(description="Other"),
        lambda d: d["criteria"][0].update(weight="2.01"),
        lambda d: d["criteria"][0].update(competencies=["fw:x"]),
        lambda d: d["criteria"][0]["levels"][1].update(points=2),
        lambda d: d["criteria"][0]["levels"][1].update(label="Other"),
        lambda d: d["criteria"][0]["levels"][1].update(descriptor="Other"),
        lambda d: d["criteria"].reverse(),
        lambda d: d["criteria"][0]["levels"].pop(),
    ]
    hashes = {changed(m) for m in mutations}
    assert base not in hashes
    assert len(hashes) == len(mutations)


def test_weight_and_whitespace_normalisation():
    base = {"slug": "s", "title": "T", "criteria": [{"title": "C", "weight": 1, "levels": []}]}
    same = {"slug": "s ", "title": "T\r\n", "criteria": [{"title": "C", "weight": "1.00", "levels": []}]}
    assert hash_from_dict(base) == hash_from_dict(same)


def test_publish_stores_hash_and_editing_makes_new_version_with_new_id():
    rubric = make_published_rubric(criteria=2, levels=3)
    assert rubric.status == Rubric.Status.PUBLISHED
    assert rubric.content_hash == services.compute_hash(rubric)
    assert rubric.published_at is not None
    draft = services.new_version(rubric)
    assert draft.pk != rubric.pk
    assert (draft.slug, draft.version, draft.status) == (rubric.slug, 2, Rubric.Status.DRAFT)
    assert draft.previous_version_id == rubric.pk
    # Same content copied: same canonical JSON.
    assert services.canonical_json(draft) == services.canonical_json(rubric)
    first = draft.criteria.first()
    first.title = "Changed"
    first.save()
    published = services.publish(draft)
    assert published.content_hash != rubric.content_hash
    rubric.refresh_from_db()
    assert rubric.status == Rubric.Status.RETIRED  # publishing v2 retires v1
    assert rubric.content_hash == services.compute_hash(rubric)  # v1 never changed
