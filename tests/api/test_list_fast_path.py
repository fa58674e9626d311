"""The list endpoints of reflections and assessments render their pages from `.values()` rows
through one read-only serializer per list (`portfolio.api.rows.RowSerializer`). These tests pin
that to the contract: for every role that sees data and several filters, each item of the list
equals, byte for byte, what the detail endpoint returns for the same id; whole lists equal, byte
for byte, what plain DRF ModelSerializers over model instances give for the policy's queryset
(the reference serializers below, written over instances as the contract reads); every page of
every size lists the policy's ids with the right totals and 404s; the query count is the same
at page sizes 10 and 200; and a list read is audited once per learner."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from assessments import services as marking
from assessments.models import Assessment, Score
from assessments.policies import assessments as assessment_policy
from portfolio.models import Attachment, Enrolment, Reflection, Setting
from portfolio.policies import reflections as reflection_policy
from portfolio.routing import site_urlconf
from portfolio.site import portfolio_root
from reflect import dates
from reflect.models import AuditEvent
from reflect.people import display_name
from rubrics.models import Competency
from tests.factories import (
    AllocationFactory,
    CompetencyFactory,
    LearnerFactory,
    PanelFactory,
    PlacementFactory,
    ReflectionFactory,
    UserFactory,
    make_published_rubric,
    mark,
    submitted_reflection,
)
from tests.factories.files import attach

pytestmark = pytest.mark.django_db


# --- The reference: plain DRF serializers over model instances ---------------------------------
class PersonRef(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.SerializerMethodField()

    def get_display_name(self, obj):
        return display_name(obj)


class ReferenceAttachment(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "sha256", "url"]

    def get_url(self, obj):
        return f"http://testserver/api/v1/reflections/{obj.reflection_id}/attachments/{obj.pk}/file/"


class ReferenceReflection(serializers.ModelSerializer):
    learner = PersonRef()
    attachments = ReferenceAttachment(many=True, read_only=True)
    themes = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    placement = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    setting = serializers.ChoiceField(choices=Setting.choices, allow_blank=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Reflection
        fields = [
            "id",
            "learner",
            "title",
            "kind",
            "setting",
            "placement",
            "occurred_on",
            "themes",
            "body_html",
            "status",
            "submitted_at",
            "version",
            "url",
            "attachments",
        ]
        read_only_fields = fields

    def get_url(self, obj):
        path = reverse("reflection_detail", urlconf=site_urlconf(), args=[obj.pk])
        return portfolio_root().rstrip("/") + path


class ReferenceScore(serializers.ModelSerializer):
    criterion = serializers.IntegerField(source="criterion_id")
    level = serializers.IntegerField(source="level_id", allow_null=True)
    points = serializers.SerializerMethodField()

    class Meta:
        model = Score
        fields = ["criterion", "level", "points", "comment"]

    def get_points(self, obj):
        return obj.level.points if obj.level_id else None


class ReferenceRubric(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()


class ReferenceAssessment(serializers.ModelSerializer):
    learner = PersonRef(source="reflection.learner")
    rubric = ReferenceRubric()
    assessor = PersonRef()
    scores = serializers.SerializerMethodField()
    total = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=False)
    max_score = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=False)
    superseded_by = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
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
            "supersedes",
            "superseded_by",
        ]
        read_only_fields = fields

    def get_scores(self, obj):
        scores = obj.scores.select_related("level").order_by("criterion__sort_order", "criterion_id")
        return ReferenceScore(scores, many=True).data

    def get_superseded_by(self, obj):
        try:
            return obj.superseded_by.pk
        except Assessment.DoesNotExist:
            return None


def _reference(kind: str, user) -> list:
    """What plain DRF gives for everything `user` may list, in list order, as JSON values."""
    if kind == "reflections":
        queryset = reflection_policy.visible(user).order_by("-occurred_on", "-id")
        data = ReferenceReflection(queryset, many=True).data
    else:
        queryset = assessment_policy.visible(user).order_by("-created_at", "-id")
        data = ReferenceAssessment(queryset, many=True).data
    return json.loads(JSONRenderer().render(data))


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
            if i % 2:  # files on some, in every status: two on the first
                attach(r, "certificate.pdf")
                if i == 1:
                    attach(r, "poster.png")
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


@pytest.mark.parametrize("reader", ["tutor", "examiner", "admin", "dual", "learner_a", "learner_b"])
@pytest.mark.parametrize("kind", ["reflections", "assessments"])
def test_lists_equal_plain_drf_over_the_policys_queryset(world, data, api, reader, kind):
    """Byte for byte: the list (every page, unfiltered) is what the reference serializers over
    model instances give for the policy's queryset in the list's order."""
    user = getattr(world, reader)
    got, count = _all_pages(api(user), f"/api/v1/{kind}/", {})
    expected = _reference(kind, user)
    assert got, f"{reader} lists no {kind}: the comparison would prove nothing"
    assert count == len(expected)
    assert json.dumps(got) == json.dumps(expected)


@pytest.mark.parametrize("kind", ["reflections", "assessments"])
def test_every_page_of_every_size_lists_the_policys_ids(world, data, api, kind):
    """Pages of 1, 2 and 5 hold the policy's ids in order, with the right totals, and the
    page after the last is a 404."""
    for reader in ("tutor", "examiner", "admin", "dual", "learner_a"):
        user = getattr(world, reader)
        expected = [item["id"] for item in _reference(kind, user)]
        client = api(user)
        for size in (1, 2, 5):
            got, page = [], 1
            while True:
                response = client.get(f"/api/v1/{kind}/", {"page": page, "page_size": size})
                assert response.status_code == 200, (reader, size, page)
                body = response.json()
                assert body["count"] == len(expected)
                got += [item["id"] for item in body["results"]]
                if not body["next"]:
                    break
                page += 1
            assert got == expected, (reader, size)
            past = client.get(f"/api/v1/{kind}/", {"page": page + 1, "page_size": size})
            assert past.status_code == 404


def test_two_examiners_see_only_their_own_cohorts(world, data, api):
    """Same roles, different panels: each list holds only the learners of that panel."""

    def members(cohort):
        return set(Enrolment.objects.filter(cohort=cohort).values_list("learner_id", flat=True))

    other = UserFactory(username="examiner_b", roles=("examiner",))
    PanelFactory(examiner=other, cohort=world.cohort_b)
    for kind in ("reflections", "assessments"):
        first = api(world.examiner).get(f"/api/v1/{kind}/", {"page_size": 200}).json()["results"]
        second = api(other).get(f"/api/v1/{kind}/", {"page_size": 200}).json()["results"]
        seen_first = {item["learner"]["id"] for item in first}
        seen_second = {item["learner"]["id"] for item in second}
        assert world.learner_a.pk in seen_first and world.learner_b.pk in seen_second, kind
        assert seen_first <= members(world.cohort_a) and seen_second <= members(world.cohort_b), kind


def test_an_allocation_that_ends_today_lists_nothing_tomorrow(world, data, api):
    tutor = UserFactory(username="short_tutor", roles=("tutor",))
    today = timezone.localdate()
    AllocationFactory(
        tutor=tutor, learner=world.learner_b, starts_on=today - datetime.timedelta(days=3), ends_on=today
    )
    client = api(tutor)
    listed = client.get("/api/v1/reflections/").json()["results"]
    assert listed and {item["learner"]["id"] for item in listed} == {world.learner_b.pk}
    with dates.as_of(today + datetime.timedelta(days=1)):
        assert client.get("/api/v1/reflections/").json()["count"] == 0


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


@pytest.mark.parametrize("kind", ["reflections", "assessments"])
def test_the_same_queries_at_page_sizes_10_and_200(
    world, portfolio_page, api, django_assert_num_queries, kind
):
    rubric = make_published_rubric(criteria=3, levels=3)
    themes = list(Competency.objects.themes()[:2])
    learners = [world.learner_a, LearnerFactory(cohort=world.cohort_a)]
    AllocationFactory(tutor=world.tutor, learner=learners[1])
    for i in range(200):
        r = submitted_reflection(learners[i % 2])
        r.themes.set(themes)
        if kind == "assessments":
            mark(r, rubric, world.tutor, finalise=True)
    client = api(world.examiner)
    client.get(f"/api/v1/{kind}/", {"page_size": 10})  # warm caches (content types, site)
    with CaptureQueriesContext(connection) as small:
        response = client.get(f"/api/v1/{kind}/", {"page_size": 10})
    assert len(response.json()["results"]) == 10
    assert len(small.captured_queries) <= 8
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(f"/api/v1/{kind}/", {"page_size": 200})
    assert response.status_code == 200 and len(response.json()["results"]) == 200


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
