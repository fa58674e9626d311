"""Programme snippets in the Wagtail admin: cohorts, members, allocations, panels, placements."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from portfolio.models import Allocation, Cohort, Enrolment, Panel, Placement
from tests.factories import AllocationFactory, CohortFactory, LearnerFactory, PlacementFactory, UserFactory

pytestmark = pytest.mark.django_db

MODELS = ["cohort", "enrolment", "allocation", "panel", "placement"]


def snippet_url(model, view="list", *args):
    return reverse(f"wagtailsnippets_portfolio_{model}:{view}", args=args)


def listed(response):
    """The objects on the listing page."""
    assert response.status_code == 200, response.status_code
    return list(response.context["object_list"])


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("query", ["", "?q=learner", "?q=zzz-nothing"])
def test_admin_role_can_list_and_search_each_snippet(admin_client, model, query):
    response = admin_client.get(snippet_url(model) + query)
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_admin_role_can_open_the_add_form(admin_client, model):
    assert admin_client.get(snippet_url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("who", ["learner_a", "tutor", "examiner", "patient_rep", "dual"])
def test_other_roles_cannot_reach_the_snippets(client, world, model, who):
    client.force_login(getattr(world, who))
    for url in (snippet_url(model), snippet_url(model, "add")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_superuser_without_role_can_list(client, world):
    superuser = UserFactory(username="root", is_superuser=True)
    client.force_login(superuser)
    assert client.get(snippet_url("allocation")).status_code == 200


def test_programme_menu_is_shown_to_admins(admin_client):
    response = admin_client.get(reverse("wagtailadmin_home"))
    assert b"Programme" in response.content
    assert snippet_url("allocation").encode() in response.content


def test_allocations_filter_current_and_ended(admin_client, world):
    current = listed(admin_client.get(snippet_url("allocation") + "?state=current"))
    ended = listed(admin_client.get(snippet_url("allocation") + "?state=ended"))
    assert {a.tutor.username for a in current} == {"tutor", "dual"}
    assert {a.tutor.username for a in ended} == {"former_tutor"}
    everything = listed(admin_client.get(snippet_url("allocation")))
    assert len(everything) == Allocation.objects.count() == 3


def test_allocations_filter_upcoming(admin_client, world):
    AllocationFactory(
        tutor=world.tutor,
        learner=world.learner_b,
        starts_on=timezone.localdate() + datetime.timedelta(days=5),
    )
    upcoming = listed(admin_client.get(snippet_url("allocation") + "?state=upcoming"))
    assert [(a.tutor.username, a.learner.username) for a in upcoming] == [("tutor", "learner_b")]


def test_allocations_filter_by_cohort_and_search(admin_client, world):
    in_a = listed(admin_client.get(snippet_url("allocation") + f"?cohort={world.cohort_a.pk}"))
    assert {a.learner.username for a in in_a} == {"learner_a"}
    found = listed(admin_client.get(snippet_url("allocation") + "?q=former"))
    assert [a.tutor.username for a in found] == ["former_tutor"]


def test_allocation_list_query_count_does_not_grow_with_rows(
    admin_client, world, django_assert_max_num_queries
):
    for _ in range(15):
        AllocationFactory(tutor=world.tutor)
    with django_assert_max_num_queries(40):
        assert admin_client.get(snippet_url("allocation")).status_code == 200


def test_panels_filter_by_cohort(admin_client, world):
    cohort_c = CohortFactory(name="Cohort C")
    Panel.objects.create(examiner=world.examiner, cohort=cohort_c, opens_on=timezone.localdate())
    panels = listed(admin_client.get(snippet_url("panel") + f"?cohort={cohort_c.pk}"))
    assert [p.cohort.name for p in panels] == ["Cohort C"]
    panels_a = listed(admin_client.get(snippet_url("panel") + f"?cohort={world.cohort_a.pk}"))
    assert {p.examiner.username for p in panels_a} == {"examiner", "dual"}


def test_placements_filter_by_type_and_search(admin_client):
    PlacementFactory(organisation="Riverside Food Bank", type="third_sector")
    PlacementFactory(organisation="Ward 7", type="hospital")
    hospital = listed(admin_client.get(snippet_url("placement") + "?type=hospital"))
    assert [p.organisation for p in hospital] == ["Ward 7"]
    found = listed(admin_client.get(snippet_url("placement") + "?q=riverside"))
    assert [p.organisation for p in found] == ["Riverside Food Bank"]


def test_cohort_members_filter_and_search(admin_client, world):
    LearnerFactory(username="zara", first_name="Zara", cohort=world.cohort_b)
    members_b = listed(admin_client.get(snippet_url("enrolment") + f"?cohort={world.cohort_b.pk}"))
    assert {e.learner.username for e in members_b} == {"learner_b", "zara"}
    found = listed(admin_client.get(snippet_url("enrolment") + "?q=Zara"))
    assert [e.learner.username for e in found] == ["zara"]


def test_cohort_list_counts_members_and_filters_by_year(admin_client, world):
    CohortFactory(name="Old cohort", year=2019)
    response = admin_client.get(snippet_url("cohort") + "?year=2019")
    assert [c.name for c in listed(response)] == ["Old cohort"]
    cohorts = {c.name: c.members for c in listed(admin_client.get(snippet_url("cohort")))}
    assert cohorts["Cohort A"] == 1


def allocation_post(tutor, learner, starts_on, ends_on=""):
    return {"tutor": tutor.pk, "learner": learner.pk, "starts_on": starts_on, "ends_on": ends_on}


def test_creating_an_allocation_that_ends_before_it_starts_shows_the_error_and_saves_nothing(
    admin_client, world
):
    before = Allocation.objects.count()
    response = admin_client.post(
        snippet_url("allocation", "add"),
        allocation_post(world.tutor, world.learner_b, "2026-05-01", "2026-04-01"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"] == ["The end date cannot be before the start date."]
    assert b"The end date cannot be before the start date." in response.content
    assert Allocation.objects.count() == before


def test_creating_a_valid_allocation_saves_it(admin_client, world):
    response = admin_client.post(
        snippet_url("allocation", "add"), allocation_post(world.tutor, world.learner_b, "2026-05-01")
    )
    assert response.status_code == 302
    assert Allocation.objects.filter(tutor=world.tutor, learner=world.learner_b, ends_on=None).exists()


def test_only_tutors_can_be_allocated_as_tutors(admin_client, world):
    before = Allocation.objects.count()
    response = admin_client.post(
        snippet_url("allocation", "add"), allocation_post(world.examiner, world.learner_b, "2026-05-01")
    )
    assert response.status_code == 200
    assert "tutor" in response.context["form"].errors
    response = admin_client.post(
        snippet_url("allocation", "add"), allocation_post(world.tutor, world.tutor, "2026-05-01")
    )
    assert "learner" in response.context["form"].errors
    assert Allocation.objects.count() == before


def test_editing_an_allocation_to_end_it_keeps_its_people(admin_client, world):
    allocation = Allocation.objects.get(tutor=world.tutor)
    today = timezone.localdate().isoformat()
    response = admin_client.post(
        snippet_url("allocation", "edit", allocation.pk),
        allocation_post(world.tutor, world.learner_a, allocation.starts_on.isoformat(), today),
    )
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.ends_on.isoformat() == today


def test_panel_close_before_open_is_refused_next_to_the_field(admin_client, world):
    before = Panel.objects.count()
    response = admin_client.post(
        snippet_url("panel", "add"),
        {
            "examiner": world.examiner.pk,
            "cohort": world.cohort_b.pk,
            "opens_on": "2026-06-01",
            "closes_on": "2026-05-01",
        },
    )
    assert response.context["form"].errors["closes_on"] == ["The end date cannot be before the start date."]
    assert Panel.objects.count() == before


def test_adding_a_cohort_member(admin_client, world):
    newcomer = LearnerFactory(username="newcomer", cohort=world.cohort_a)
    Enrolment.objects.filter(learner=newcomer).delete()
    response = admin_client.post(
        snippet_url("enrolment", "add"),
        {"learner": newcomer.pk, "cohort": world.cohort_b.pk, "joined_on": ""},
    )
    assert response.status_code == 302
    assert Enrolment.objects.get(learner=newcomer).cohort == world.cohort_b


def test_tutors_cannot_be_enrolled_as_cohort_members(admin_client, world):
    response = admin_client.post(
        snippet_url("enrolment", "add"), {"learner": world.tutor.pk, "cohort": world.cohort_b.pk}
    )
    assert "learner" in response.context["form"].errors
    assert not Enrolment.objects.filter(learner=world.tutor).exists()


def test_creating_a_placement_and_a_cohort(admin_client):
    response = admin_client.post(
        snippet_url("placement", "add"),
        {"organisation": "Shelter Cymru", "type": "third_sector", "place": "Swansea", "contact": ""},
    )
    assert response.status_code == 302
    assert Placement.objects.filter(organisation="Shelter Cymru").exists()
    cohort = {"name": "FY1 2026", "programme": "FP", "programme_type": "foundation", "year": 2026}
    response = admin_client.post(snippet_url("cohort", "add"), cohort)
    assert response.status_code == 302
    assert Cohort.objects.get(name="FY1 2026").programme_type == "foundation"
    duplicate = admin_client.post(snippet_url("cohort", "add"), cohort)
    assert "name" in duplicate.context["form"].errors
    assert Cohort.objects.filter(name="FY1 2026").count() == 1


def test_delete_asks_for_confirmation_first(admin_client):
    placement = PlacementFactory()
    response = admin_client.get(snippet_url("placement", "delete", placement.pk))
    assert response.status_code == 200
    assert b"Are you sure" in response.content
    assert Placement.objects.filter(pk=placement.pk).exists()
    response = admin_client.post(snippet_url("placement", "delete", placement.pk))
    assert response.status_code == 302
    assert not Placement.objects.filter(pk=placement.pk).exists()


def test_deleting_a_cohort_with_members_is_refused(admin_client, world):
    response = admin_client.post(snippet_url("cohort", "delete", world.cohort_a.pk))
    assert Cohort.objects.filter(pk=world.cohort_a.pk).exists()
    assert response.status_code in (200, 302)
