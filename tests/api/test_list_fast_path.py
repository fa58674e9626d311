"""The list endpoints of reflections and assessments render their pages from `.values()` rows
(a fast path) rather than through the serializers. These tests pin the fast path to the
contract: for every role that sees data and several filters, each item of the list equals,
key for key and value for value, what the detail endpoint (still the serializer) returns for
the same id; the lists hold exactly the ids the serializer-backed queryset would; the query
count does not grow with the page size; and a list read is audited once per learner."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from assessments import services as marking
from assessments.api.serializers import AssessmentSerializer
from assessments.models import Score
from assessments.policies import assessments as assessment_policy
from portfolio.api.serializers import ReflectionSerializer
from portfolio.models import Reflection
from portfolio.policies import reflections as reflection_policy
from reflect.models import AuditEvent
from rubrics.models import Competency
from tests.factories import (
    AllocationFactory,
    CompetencyFactory,
    LearnerFactory,
    PlacementFactory,
    ReflectionFactory,
    make_published_rubric,
    mark,
    submitted_reflection,
)

pytestmark = pytest.mark.django_db

READERS = ["learner_a", "learner_b", "tutor", "examiner", "admin", "dual"]


@pytest.fixture
def data(world, portfolio_page):
    """Reflections in every status (with themes from two frameworks, a placement, a setting,
    an unnamed learner), assessments finalised, draft, unscored, superseded and corrected."""
    themes = list(Competency.objects.themes()[:3])
    other_theme = CompetencyFactory(sort_order=0)  # another framework: ordering across frameworks
    nameless = LearnerFactory(username="nameless", first_name="", last_name="", cohort=world.cohort_a)
    AllocationFactory(tutor=world.tutor, learner=nameless)
    today = timezone.localdate()
    reflections = []
    for learner in (world.learner_a, world.learner_b, nameless):
        for i, status in enumerate(Reflection.Status.values):
            r = ReflectionFactory(
                learner=learner,
                status=status,
                occurred_on=today - datetime.timedelta(days=i % 2),  # ties on occurred_on
                submitted_at=None if status == Reflection.Status.DRAFT else timezone.now(),
                setting="community" if i % 2 else "",
                placement=PlacementFactory() if i == 1 else None,
                body_html=f"<p>Text {i} about food banks &amp; <em>housing</em> “quotes”.</p>",
            )
            r.themes.set(themes[: i % 4] + ([other_theme] if i == 2 else []))
            reflections.append(r)
    rubric = make_published_rubric(criteria=3, levels=4)
    a_final = mark(
        submitted_reflection(world.learner_a), rubric, world.tutor, levels=[0, 2, 3], finalise=True
    )
    a_draft = mark(submitted_reflection(world.learner_a), rubric, world.tutor, levels=[1, None, None])
    # A score row without a level (a comment only) on the draft.
    Score.objects.create(
        assessment=a_draft,
        criterion=marking.rubric_criteria(rubric)[2],
        level=None,
        comment="Comment, no level yet.",
    )
    corrected = marking.supersede(a_final, world.tutor, "Wrong level on criterion 1.", via="test")
    b_final = mark(submitted_reflection(world.learner_b), rubric, world.dual, finalise=True)
    n_final = mark(submitted_reflection(nameless), rubric, world.tutor, levels=1, finalise=True)
    return {
        "rubric": rubric,
        "reflections": reflections,
        "assessments": [a_final, a_draft, corrected, b_final, n_final],
    }


def _all_pages(client, url, params):
    results, page = [], 1
    while True:
        response = client.get(url, {**params, "page": page, "page_size": 3})
        assert response.status_code == 200, response.content
        body = response.json()
        results += body["results"]
        if not body["next"]:
            return results, body["count"]
        page += 1


def _filters(world, data):
    rubric = data["rubric"]
    return {
        "reflections": [
            {},
            {"learner": world.learner_a.pk},
            {"cohort": world.cohort_a.pk},
            {"status": "submitted"},
            {"kind": "community_placement"},
            {"theme": "advocacy"},
            {"occurred_after": str(timezone.localdate())},
            {"q": "food"},
        ],
        "assessments": [
            {},
            {"learner": world.learner_a.pk},
            {"cohort": world.cohort_b.pk},
            {"status": "draft"},
            {"rubric": rubric.pk},
            {"assessor": world.tutor.pk},
            {"reflection": data["assessments"][0].reflection_id},
        ],
    }


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("kind", ["reflections", "assessments"])
def test_list_items_equal_the_detail_responses(world, data, api, reader, kind):
    user = getattr(world, reader)
    client = api(user)
    url = f"/api/v1/{kind}/"
    seen_any = False
    for params in _filters(world, data)[kind]:
        results, count = _all_pages(client, url, params)
        assert count == len(results)
        assert len({item["id"] for item in results}) == len(results), "an id listed twice"
        for item in results:
            detail = client.get(f"{url}{item['id']}/")
            assert detail.status_code == 200, (reader, params, item["id"])
            # Same keys in the same order, same values and types, same JSON bytes.
            assert list(item) == list(detail.json()), (reader, params)
            assert json.dumps(item) == json.dumps(detail.json()), (reader, params, item["id"])
        seen_any = seen_any or bool(results)
    assert seen_any, f"{reader} sees no {kind}: the comparison would prove nothing"


@pytest.mark.parametrize("reader", ["tutor", "examiner", "admin", "dual", "learner_a"])
def test_lists_hold_what_the_serializer_queryset_holds_in_its_order(world, data, api, reader):
    """The fast path uses the same scope, filters and ordering as the serializer path: the
    old rendering (serializer over model instances) of the same ordered ids is identical."""
    from rest_framework.renderers import JSONRenderer
    from rest_framework.test import APIRequestFactory

    from portfolio.site import portfolio_root

    user = getattr(world, reader)
    client = api(user)
    request = APIRequestFactory().get("/")
    reflections = reflection_policy.visible(user).order_by("-occurred_on", "-id")
    expected = ReflectionSerializer(
        reflections.select_related("learner").prefetch_related("themes"),
        many=True,
        context={"request": request, "site_root": portfolio_root()},
    ).data
    got, _ = _all_pages(client, "/api/v1/reflections/", {})
    assert json.dumps(got) == json.dumps(json.loads(JSONRenderer().render(expected)))

    assessments = assessment_policy.visible(user).order_by("-created_at", "-id")
    expected = AssessmentSerializer(assessments, many=True, context={"request": request}).data
    got, _ = _all_pages(client, "/api/v1/assessments/", {})
    assert json.dumps(got) == json.dumps(json.loads(JSONRenderer().render(expected)))


def test_superseded_and_unscored_values_are_rendered(world, data, api):
    """Guards the comparison itself: the data really has the edge cases."""
    a_final, a_draft, corrected, *_ = data["assessments"]
    rows = {row["id"]: row for row in api(world.admin).get("/api/v1/assessments/").json()["results"]}
    assert rows[a_final.pk]["superseded_by"] == corrected.pk
    assert rows[corrected.pk]["supersedes"] == a_final.pk
    assert rows[a_draft.pk]["finalised_at"] is None and rows[a_draft.pk]["total"] is not None
    assert {"criterion": rows[a_draft.pk]["scores"][-1]["criterion"], "level": None, "points": None} == {
        k: rows[a_draft.pk]["scores"][-1][k] for k in ("criterion", "level", "points")
    }
    assert isinstance(rows[a_final.pk]["total"], float | int)
    names = {row["learner"]["display_name"] for row in rows.values()}
    assert "nameless" in names


@pytest.mark.parametrize("size", [10, 200])
@pytest.mark.parametrize("kind", ["reflections", "assessments"])
def test_query_count_does_not_grow_with_the_page(
    world, portfolio_page, api, django_assert_max_num_queries, size, kind
):
    rubric = make_published_rubric(criteria=3, levels=3)
    themes = list(Competency.objects.themes()[:2])
    learners = [world.learner_a, LearnerFactory(cohort=world.cohort_a)]
    AllocationFactory(tutor=world.tutor, learner=learners[1])
    for i in range(size):
        r = submitted_reflection(learners[i % 2])
        r.themes.set(themes)
        if kind == "assessments":
            mark(r, rubric, world.tutor, finalise=True)
    client = api(world.examiner)
    client.get(f"/api/v1/{kind}/", {"page_size": size})  # warm caches (content types, site)
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/{kind}/", {"page_size": size})
    assert response.status_code == 200 and len(response.json()["results"]) == size


@pytest.mark.parametrize("kind, object_type", [("reflections", "Reflection"), ("assessments", "Assessment")])
def test_a_list_read_is_one_audit_row_per_learner_with_the_ids(world, data, api, kind, object_type):
    before = AuditEvent.objects.count()
    response = api(world.admin).get(f"/api/v1/{kind}/", {"page_size": 200})
    results = response.json()["results"]
    made = list(AuditEvent.objects.order_by("id"))[before:]
    expected: dict[int, list[int]] = {}
    for item in results:
        expected.setdefault(item["learner"]["id"], []).append(item["id"])
    assert len(expected) == 3
    assert {e.learner_id: e.detail["ids"] for e in made} == expected
    assert len(made) == len(expected)
    for event in made:
        assert (event.actor, event.action, event.via, event.object_type, event.object_id) == (
            world.admin,
            "read",
            "api",
            object_type,
            "",
        )


@pytest.mark.parametrize("kind", ["reflections", "assessments"])
def test_out_of_scope_callers_get_an_empty_list_or_403(world, data, api, kind):
    response = api(world.former).get(f"/api/v1/{kind}/")
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert api(world.patient_rep).get(f"/api/v1/{kind}/").status_code == 403


def test_own_list_reads_are_not_audited(world, data, api):
    before = AuditEvent.objects.count()
    api(world.learner_a).get("/api/v1/reflections/")
    api(world.learner_a).get("/api/v1/assessments/")
    assert AuditEvent.objects.count() == before
