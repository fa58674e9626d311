"""The unfiltered list pages reuse their SQL per shape (portfolio/api/compiled.py). These tests
pin that to the scope rule: for every role, the reused SQL gives exactly the rows the ORM
gives; one caller's cached SQL never shows another caller's data; today's date is the
request's, not the cache's; and a page query that depends on anything but roles, id and date
is never reused."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from assessments.api.views import LIST_PAGE, LIST_SCORES
from assessments.models import Assessment
from assessments.policies import assessments as assessment_policy
from portfolio.api.compiled import PageShape
from portfolio.api.views import REFLECTION_PAGE, REFLECTION_THEMES
from portfolio.models import Reflection
from portfolio.policies import reflections as reflection_policy
from reflect import dates as scope
from tests.factories import (
    AllocationFactory,
    PanelFactory,
    UserFactory,
    make_published_rubric,
    mark,
    submitted_reflection,
)

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="reuse is PostgreSQL-only")

READERS = ["learner_a", "learner_b", "tutor", "former", "examiner", "admin", "patient_rep", "dual"]
SHAPES = {"reflections": REFLECTION_PAGE, "assessments": LIST_PAGE}
CHILDREN = {"reflections": REFLECTION_THEMES, "assessments": LIST_SCORES}


@pytest.fixture(autouse=True)
def _empty_caches():
    for shape in (*SHAPES.values(), *CHILDREN.values()):
        shape.clear()
    yield
    for shape in (*SHAPES.values(), *CHILDREN.values()):
        shape.clear()


@pytest.fixture
def data(world):
    rubric = make_published_rubric()
    for learner in (world.learner_a, world.learner_b):
        for _ in range(3):
            reflection = submitted_reflection(learner)
            tutor = world.tutor if learner == world.learner_a else world.dual
            mark(reflection, rubric, tutor, finalise=True)
    return rubric


def _ids(rows):
    return [row["id"] for row in rows]


@on_postgresql
@pytest.mark.parametrize("kind", SHAPES)
@pytest.mark.parametrize("reader", READERS)
def test_reused_sql_gives_the_orm_rows_for_every_role(world, data, kind, reader):
    shape = SHAPES[kind]
    user = getattr(world, reader)
    for offset, limit in ((0, 50), (0, 2), (2, 2), (40, 10)):
        orm = list(shape.page_queryset(user, offset, limit))
        reused = shape.rows(user, offset, limit)
        if reader == "patient_rep":
            # Roles that list nothing (the query is empty before it reaches the database): the
            # ORM path, which lists nothing.
            assert reused is None
            assert orm == []
            continue
        assert reused is not None, "a scope-shaped page should be reusable"
        assert reused == orm, (reader, offset, limit)
        # And again, from the cache.
        assert shape.rows(user, offset, limit) == orm


@on_postgresql
def test_one_examiners_cached_sql_never_shows_another_examiners_cohort(world, data):
    """Two examiners with the same roles share the SQL, not the rows."""
    other = UserFactory(username="examiner_b", roles=("examiner",))
    PanelFactory(examiner=other, cohort=world.cohort_b)
    first = LIST_PAGE.rows(world.examiner, 0, 50)
    second = LIST_PAGE.rows(other, 0, 50)
    assert len(LIST_PAGE.shapes) == 1  # one shape, both examiners
    learners_first = {row["reflection__learner_id"] for row in first}
    learners_second = {row["reflection__learner_id"] for row in second}
    assert learners_first == {world.learner_a.pk}
    assert learners_second == {world.learner_b.pk}


@on_postgresql
def test_today_is_the_requests_not_the_caches(world, data):
    """An allocation that ends today: visible today, gone tomorrow, with the SQL cached today."""
    tutor = UserFactory(username="short_tutor", roles=("tutor",))
    today = timezone.localdate()
    AllocationFactory(
        tutor=tutor, learner=world.learner_b, starts_on=today - datetime.timedelta(days=3), ends_on=today
    )
    assert {row["learner_id"] for row in REFLECTION_PAGE.rows(tutor, 0, 50)} == {world.learner_b.pk}
    with scope.as_of(today + datetime.timedelta(days=1)):
        assert REFLECTION_PAGE.rows(tutor, 0, 50) == []
        assert list(REFLECTION_PAGE.page_queryset(tutor, 0, 50)) == []
    assert len(REFLECTION_PAGE.shapes) == 1


@on_postgresql
def test_a_page_query_that_reads_the_database_while_building_is_not_reused(world, data):
    def build(user):
        ids = list(Reflection.objects.values_list("pk", flat=True))  # runs a query while building
        return Reflection.objects.filter(pk__in=ids).order_by("-id")

    shape = PageShape(Reflection, build, ("id",))
    assert shape.rows(world.examiner, 0, 10) is None


@on_postgresql
def test_a_page_query_that_uses_more_of_the_user_than_id_and_roles_is_not_reused(world, data):
    def build(user):
        return Reflection.objects.filter(learner__username=user.username).order_by("-id")

    shape = PageShape(Reflection, build, ("id",))
    assert shape.rows(world.learner_a, 0, 10) is None


@on_postgresql
def test_a_distinct_page_query_is_not_reused(world, data):
    shape = PageShape(Reflection, lambda user: Reflection.objects.distinct().order_by("-id"), ("id",))
    assert shape.rows(world.admin, 0, 10) is None


def test_other_databases_take_the_orm_path(world, data):
    if connection.vendor == "postgresql":
        pytest.skip("the ORM path is for databases other than PostgreSQL")
    assert LIST_PAGE.rows(world.examiner, 0, 50) is None


@pytest.mark.parametrize("kind", SHAPES)
def test_the_api_pages_match_the_orm_pages_through_http(world, data, api, kind):
    """Every page of every size, unfiltered (reused SQL on PostgreSQL), lists the ids the
    serializer-backed queryset holds, in its order, with the right totals and 404s."""
    for reader in ("tutor", "examiner", "admin", "dual", "learner_a"):
        user = getattr(world, reader)
        if kind == "assessments":
            expected = list(
                assessment_policy.visible(user)
                .order_by("-created_at", "-id")
                .values_list("id", flat=True)
            )
        else:
            expected = list(
                reflection_policy.visible(user)
                .order_by("-occurred_on", "-id")
                .values_list("id", flat=True)
            )
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


@pytest.mark.parametrize("kind", CHILDREN)
def test_the_children_of_a_page_are_the_orm_children(world, data, kind):
    """Scores / theme codes of pages of several lengths, in order, from the reused SQL (on
    PostgreSQL) and from the ORM, then again from the cache."""
    from rubrics.models import Competency

    for reflection in Reflection.objects.all():
        reflection.themes.set(Competency.objects.themes()[: 1 + reflection.pk % 3])
    model = Assessment if kind == "assessments" else Reflection
    ids = list(model.objects.order_by("-id").values_list("id", flat=True))
    shape = CHILDREN[kind]
    assert shape.rows([]) == []
    for page in (ids[:1], ids[1:3], ids, list(reversed(ids))):
        expected = list(shape.build(page))
        assert expected, "the fixture gives every page children"
        assert shape.rows(page) == expected
        assert shape.rows(page) == expected
    if connection.vendor == "postgresql":
        assert len(shape.shapes) == 3  # page lengths 1, 2 and all
