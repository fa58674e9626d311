"""Assessments API, as the contract says: scope per role, create/patch/finalise rules, 409s,
constant query counts, audited reads."""

from decimal import Decimal

import pytest

from assessments import services
from assessments.models import Assessment
from portfolio.models import Reflection
from reflect import roles as R
from reflect.models import AuditEvent
from tests.factories import (
    AllocationFactory,
    LearnerFactory,
    ReflectionFactory,
    RubricFactory,
    UserFactory,
    make_published_rubric,
    mark,
    submitted_reflection,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/assessments/"
FIELDS = {
    "id",
    "reflection",
    "learner",
    "rubric",
    "assessor",
    "status",
    "scores",
    "total",
    "max_score",
    "overall_comment",
    "finalised_at",
    "version",
}


@pytest.fixture
def rubric(db):
    return make_published_rubric(criteria=3, levels=4)


@pytest.fixture
def marked(world, rubric):
    """learner_a: one finalised (by tutor) and one draft (by tutor); learner_b: one finalised
    by dual (allocated to learner_b)."""
    a_final = mark(submitted_reflection(world.learner_a), rubric, world.tutor, levels=2, finalise=True)
    a_draft = mark(submitted_reflection(world.learner_a), rubric, world.tutor, levels=[1, None, None])
    b_final = mark(submitted_reflection(world.learner_b), rubric, world.dual, finalise=True)

    class M:
        pass

    m = M()
    m.a_final, m.a_draft, m.b_final = a_final, a_draft, b_final
    return m


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def body(rubric, levels):
    criteria = services.rubric_criteria(rubric)
    return [
        {"criterion": c.pk, "level": list(c.levels.all())[i].pk, "comment": "ok"}
        for c, i in zip(criteria, levels, strict=False)
        if i is not None
    ]


def test_detail_shape_matches_the_contract(world, api, marked):
    r = api(world.tutor).get(f"{URL}{marked.a_final.pk}/")
    assert r.status_code == 200
    data = r.json()
    assert FIELDS <= set(data)
    assert data["learner"] == {"id": world.learner_a.pk, "display_name": world.learner_a.get_full_name()}
    assert data["rubric"] == {"id": marked.a_final.rubric_id, "version": 1}
    assert data["assessor"]["id"] == world.tutor.pk
    assert data["status"] == "finalised"
    # numbers, not strings: 3 criteria × 2 points of max 3
    assert data["total"] == 6 and data["max_score"] == 9
    assert isinstance(data["total"], (int, float))
    assert [set(s) for s in data["scores"]] == [{"criterion", "level", "points", "comment"}] * 3
    assert [s["points"] for s in data["scores"]] == [2, 2, 2]
    assert data["finalised_at"] and data["version"] == 2


@pytest.mark.parametrize(
    "who,expected",
    [
        ("learner_a", {"a_final"}),
        ("learner_b", {"b_final"}),
        ("tutor", {"a_final", "a_draft"}),
        ("former_tutor", set()),
        ("examiner", {"a_final"}),
        ("admin", {"a_final", "a_draft", "b_final"}),
        ("dual", {"a_final", "b_final"}),
    ],
)
def test_list_scope_per_role(world, api, marked, who, expected):
    user = world.former if who == "former_tutor" else getattr(world, who)
    assert ids(api(user).get(URL)) == {getattr(marked, name).pk for name in expected}


def test_patient_rep_403_and_anonymous_401(world, api, marked):
    assert api(world.patient_rep).get(URL).status_code == 403
    assert api(world.patient_rep).get(f"{URL}{marked.a_final.pk}/").status_code == 403
    assert api().get(URL).status_code == 401


@pytest.mark.parametrize("who", ["learner_b", "former", "examiner"])
def test_out_of_scope_detail_is_404(world, api, marked, who):
    assert api(getattr(world, who)).get(f"{URL}{marked.a_draft.pk}/").status_code == 404
    if who != "examiner":
        assert api(getattr(world, who)).get(f"{URL}{marked.a_final.pk}/").status_code == 404


def test_learner_does_not_see_own_drafts(world, api, marked):
    assert api(world.learner_a).get(f"{URL}{marked.a_draft.pk}/").status_code == 404


def test_filters(world, api, marked, rubric):
    client = api(world.admin)
    assert ids(client.get(URL, {"status": "draft"})) == {marked.a_draft.pk}
    assert ids(client.get(URL, {"learner": world.learner_b.pk})) == {marked.b_final.pk}
    assert ids(client.get(URL, {"cohort": world.cohort_a.pk})) == {marked.a_final.pk, marked.a_draft.pk}
    assert ids(client.get(URL, {"assessor": world.dual.pk})) == {marked.b_final.pk}
    assert ids(client.get(URL, {"reflection": marked.a_draft.reflection_id})) == {marked.a_draft.pk}
    assert ids(client.get(URL, {"rubric": rubric.pk})) == {
        marked.a_final.pk,
        marked.a_draft.pk,
        marked.b_final.pk,
    }
    assert ids(client.get(URL, {"rubric": rubric.pk + 999})) == set()
    assert client.get(URL, {"status": "bogus"}).status_code == 400


def test_reads_of_others_are_audited(world, api, marked):
    before = AuditEvent.objects.filter(action="read", via="api").count()
    api(world.examiner).get(URL)
    api(world.examiner).get(f"{URL}{marked.a_final.pk}/")
    reads = AuditEvent.objects.filter(action="read", via="api", actor=world.examiner)
    assert reads.count() - before == 2
    assert set(reads.values_list("learner_id", flat=True)) == {world.learner_a.pk}
    api(world.learner_a).get(URL)
    assert not AuditEvent.objects.filter(action="read", actor=world.learner_a).exists()


@pytest.mark.parametrize("page_size", [10, 200])
def test_list_query_count_is_constant(world, api, rubric, page_size, django_assert_max_num_queries):
    for _ in range(12):
        mark(submitted_reflection(world.learner_a), rubric, world.tutor, finalise=True)
    client = api(world.examiner)
    with django_assert_max_num_queries(8):
        r = client.get(URL, {"page_size": page_size})
    assert r.status_code == 200 and r.json()["count"] == 12


# --- create -----------------------------------------------------------------------------------
def test_create_201_draft(world, api, rubric):
    reflection = submitted_reflection(world.learner_a)
    r = api(world.tutor).post(
        URL,
        {
            "reflection": reflection.pk,
            "rubric": rubric.pk,
            "scores": body(rubric, [3, 0]),
            "overall_comment": "<b>Hi</b>",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["status"] == "draft" and data["version"] == 1 and data["overall_comment"] == "Hi"
    assert data["total"] == 3 and data["max_score"] == 9 and len(data["scores"]) == 2


@pytest.mark.parametrize("who", ["learner_a", "examiner", "admin", "patient_rep"])
def test_create_forbidden_roles_403(world, api, rubric, who):
    reflection = submitted_reflection(world.learner_a)
    r = api(getattr(world, who)).post(URL, {"reflection": reflection.pk, "rubric": rubric.pk}, format="json")
    assert r.status_code == 403
    assert not Assessment.objects.exists()


def test_create_by_unallocated_or_on_a_draft_is_404_as_if_it_did_not_exist(world, api, rubric):
    reflection = submitted_reflection(world.learner_a)
    r = api(world.former).post(URL, {"reflection": reflection.pk, "rubric": rubric.pk}, format="json")
    missing = api(world.former).post(URL, {"reflection": 987654, "rubric": rubric.pk}, format="json")
    assert r.status_code == missing.status_code == 404
    assert r.json() == missing.json() == {"detail": "No reflection you can see has this id."}
    # dual sees learner_a's reflections as examiner, but is not their tutor
    r = api(world.dual).post(URL, {"reflection": reflection.pk, "rubric": rubric.pk}, format="json")
    assert r.status_code == 403
    draft = ReflectionFactory(learner=world.learner_a, status=Reflection.Status.DRAFT)
    r = api(world.tutor).post(URL, {"reflection": draft.pk, "rubric": rubric.pk}, format="json")
    assert r.status_code == 404
    assert not Assessment.objects.exists()


def test_create_bad_rubric_criterion_or_level_400(world, api, rubric):
    reflection = submitted_reflection(world.learner_a)
    client = api(world.tutor)
    other = make_published_rubric(criteria=1)
    c = services.rubric_criteria(rubric)
    cases = [
        {"rubric": RubricFactory().pk},  # unpublished
        {"rubric": 999999},
        {"scores": [{"criterion": c[0].pk, "level": c[1].levels.all()[0].pk}]},  # level of another criterion
        {"scores": body(other, [1])},  # criterion of another rubric
        {"scores": [{"criterion": "x"}]},
        {"scores": "nope"},
    ]
    for extra in cases:
        payload = {"reflection": reflection.pk, "rubric": rubric.pk, **extra}
        r = client.post(URL, payload, format="json")
        assert r.status_code == 400, (extra, r.content)
        assert r["Content-Type"] == "application/json"
    assert not Assessment.objects.exists()


# --- patch / finalise -------------------------------------------------------------------------
def test_patch_with_version_then_stale_409(world, api, marked, rubric):
    client = api(world.tutor)
    url = f"{URL}{marked.a_draft.pk}/"
    r = client.patch(
        url, {"version": 1, "overall_comment": "better", "scores": body(rubric, [3, 3])}, format="json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["version"] == 2 and r.json()["total"] == 6
    r = client.patch(url, {"version": 1, "overall_comment": "stale"}, format="json")
    assert r.status_code == 409 and "detail" in r.json()
    assert Assessment.objects.get(pk=marked.a_draft.pk).overall_comment == "better"
    assert client.patch(url, {"overall_comment": "no version"}, format="json").status_code == 400


def test_patch_by_another_tutor_403_out_of_scope_404(world, api, marked):
    other = UserFactory(roles=(R.TUTOR,))
    AllocationFactory(tutor=other, learner=world.learner_a)
    url = f"{URL}{marked.a_draft.pk}/"
    assert api(other).patch(url, {"version": 1, "overall_comment": "x"}, format="json").status_code == 403
    assert api(world.former).patch(url, {"version": 1}, format="json").status_code == 404
    assert api(world.tutor).put(url, {"version": 1}, format="json").status_code == 405


def test_finalised_is_immutable_through_the_api(world, api, marked):
    url = f"{URL}{marked.a_final.pk}/"
    client = api(world.tutor)
    r = client.patch(url, {"version": 2, "overall_comment": "changed"}, format="json")
    assert r.status_code == 409
    assert client.post(f"{url}finalise/", {}, format="json").status_code == 409
    assert client.delete(url).status_code == 405
    assert Assessment.objects.get(pk=marked.a_final.pk).overall_comment == "Thoughtful piece."


def test_finalise_missing_400_then_200(world, api, marked, rubric):
    client = api(world.tutor)
    url = f"{URL}{marked.a_draft.pk}/finalise/"
    r = client.post(url, {}, format="json")
    assert r.status_code == 400
    missing = r.json()["missing_criteria"]
    assert [m["title"] for m in missing] == ["Criterion 2", "Criterion 3"]
    assert "Criterion 2" in r.json()["detail"]
    client.patch(
        f"{URL}{marked.a_draft.pk}/", {"version": 1, "scores": body(rubric, [1, 1, 1])}, format="json"
    )
    assert client.post(url, {"version": 1}, format="json").status_code == 409  # stale version
    r = client.post(url, {"version": 2}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "finalised" and r.json()["total"] == 3


def test_blind_second_marking_through_the_api(world, api, marked, rubric):
    second = UserFactory(username="second", roles=(R.TUTOR,))
    services.request_moderation(marked.a_final.reflection, rubric, second, world.admin)
    client = api(second)
    assert ids(client.get(URL)) == set()
    assert client.get(f"{URL}{marked.a_final.pk}/").status_code == 404
    r = client.post(
        URL,
        {"reflection": marked.a_final.reflection_id, "rubric": rubric.pk, "scores": body(rubric, [0, 0, 0])},
        format="json",
    )
    assert r.status_code == 201, r.content
    second_id = r.json()["id"]
    assert ids(client.get(URL)) == {second_id}
    assert second_id not in ids(api(world.tutor).get(URL))
    assert api(world.tutor).get(f"{URL}{second_id}/").status_code == 404
    assert client.post(f"{URL}{second_id}/finalise/", {}, format="json").status_code == 200
    assert ids(client.get(URL)) == {second_id, marked.a_final.pk}
    assert second_id in ids(api(world.tutor).get(URL))


def test_schema_describes_assessments(world, api):
    r = api(world.admin).get("/api/v1/schema/?format=json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/assessments/{id}/finalise/" in paths
    assert "patch" in paths["/api/v1/assessments/{id}/"]


def test_a_learner_with_an_unrelated_tutor_cannot_be_reached(world, api, rubric):
    stranger = LearnerFactory(cohort=world.cohort_b)
    r = submitted_reflection(stranger)
    resp = api(world.tutor).post(URL, {"reflection": r.pk, "rubric": rubric.pk}, format="json")
    assert resp.status_code == 404
    assert Decimal(0) == Assessment.objects.count()
