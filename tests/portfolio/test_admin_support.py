"""Read-only support views in the admin: reflections (audited reads) and the audit log."""

import datetime

import pytest
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from portfolio.models import Reflection, ReviewEvent
from reflect import audit
from reflect.models import AuditEvent
from tests.factories import LearnerFactory, ReflectionFactory, UserFactory

pytestmark = pytest.mark.django_db

REFLECTIONS = "portfolio_reflections"
AUDIT = "portfolio_audit"


def listed(response):
    assert response.status_code == 200, response.status_code
    return list(response.context["object_list"])


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


@pytest.fixture
def reflections(world):
    Status = Reflection.Status
    return {
        "submitted_a": ReflectionFactory(
            learner=world.learner_a,
            title="Stairs at home",
            status=Status.SUBMITTED,
            submitted_at=timezone.now(),
        ),
        "signed_b": ReflectionFactory(
            learner=world.learner_b,
            title="Food bank Tuesday",
            status=Status.SIGNED_OFF,
            kind=Reflection.Kind.THIRD_SECTOR,
        ),
        "draft_a": ReflectionFactory(learner=world.learner_a, title="Secret draft", status=Status.DRAFT),
    }


# --- Reflections list ---------------------------------------------------------------------
def test_admin_sees_non_draft_reflections_of_every_learner(admin_client, reflections):
    titles = {r.title for r in listed(admin_client.get(reverse(f"{REFLECTIONS}:index")))}
    assert titles == {"Stairs at home", "Food bank Tuesday"}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?q=food", {"Food bank Tuesday"}),
        ("?q=secret", set()),
        ("?status=signed_off", {"Food bank Tuesday"}),
        ("?status=draft", set()),
        ("?kind=third_sector", {"Food bank Tuesday"}),
        ("?kind=community_placement", {"Stairs at home"}),
        ("?cohort={cohort_a}", {"Stairs at home"}),
        ("?cohort={cohort_b}&status=submitted", set()),
    ],
)
def test_reflection_search_and_filters(admin_client, world, reflections, query, expected):
    url = reverse(f"{REFLECTIONS}:index") + query.format(
        cohort_a=world.cohort_a.pk, cohort_b=world.cohort_b.pk
    )
    assert {r.title for r in listed(admin_client.get(url))} == expected


def test_reflection_list_query_count_is_bounded(admin_client, world, django_assert_max_num_queries):
    for _ in range(20):
        ReflectionFactory(learner=LearnerFactory(cohort=world.cohort_a), status=Reflection.Status.SUBMITTED)
    with django_assert_max_num_queries(30):
        response = admin_client.get(reverse(f"{REFLECTIONS}:index"))
    assert len(listed(response)) == 20


def test_reading_the_list_is_not_a_read_of_any_reflection(admin_client, reflections):
    admin_client.get(reverse(f"{REFLECTIONS}:index"))
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["learner_a", "tutor", "examiner", "patient_rep", "dual"])
def test_only_admins_reach_the_reflections(client, world, reflections, who):
    client.force_login(getattr(world, who))
    for url in (
        reverse(f"{REFLECTIONS}:index"),
        reverse(f"{REFLECTIONS}:inspect", args=[reflections["submitted_a"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert not AuditEvent.objects.exists()


def test_staff_with_admin_access_but_no_admin_role_is_denied(client, world, reflections):
    """Wagtail access alone (e.g. a CMS editor) is not enough: the admin role is required."""
    from django.contrib.auth.models import Permission

    editor = UserFactory(username="editor")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    response = client.get(reverse(f"{REFLECTIONS}:inspect", args=[reflections["submitted_a"].pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert client.get(reverse(f"{REFLECTIONS}:index")).status_code == 302
    assert not AuditEvent.objects.exists()
    assert b"Reflections" not in client.get(reverse("wagtailadmin_home")).content


def test_support_menu_is_shown_to_admins(admin_client):
    response = admin_client.get(reverse("wagtailadmin_home"))
    assert reverse(f"{REFLECTIONS}:index").encode() in response.content
    assert reverse(f"{AUDIT}:index").encode() in response.content


# --- Reflection detail --------------------------------------------------------------------
def test_every_read_of_a_reflection_is_audited(admin_client, world, reflections):
    reflection = reflections["submitted_a"]
    url = reverse(f"{REFLECTIONS}:inspect", args=[reflection.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url).status_code == 200
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) == 2
    for event in events:
        assert (event.actor, event.learner, event.action, event.via) == (
            world.admin,
            world.learner_a,
            "read",
            "admin",
        )
        assert (event.object_type, event.object_id) == ("Reflection", str(reflection.pk))


def test_reflection_detail_shows_body_themes_placement_and_history(admin_client, world, reflections):
    from rubrics.models import Competency
    from tests.factories import PlacementFactory

    reflection = reflections["submitted_a"]
    reflection.placement = PlacementFactory(organisation="Riverside Food Bank")
    reflection.save()
    theme = Competency.objects.first()
    reflection.themes.add(theme)
    ReviewEvent.objects.create(
        reflection=reflection, actor=world.tutor, action="changes_requested", comment="Say <more>"
    )
    response = admin_client.get(reverse(f"{REFLECTIONS}:inspect", args=[reflection.pk]))
    content = response.content.decode()
    assert "I followed a patient home" in content
    assert "Riverside Food Bank" in content
    assert str(theme) in content
    assert "Requested changes" in content
    assert "Say &lt;more&gt;" in content


def test_reflection_body_is_sanitised_when_rendered(admin_client, world):
    reflection = ReflectionFactory(learner=world.learner_a, status=Reflection.Status.SUBMITTED)
    # Written behind the sanitiser's back (e.g. an old row): the admin must still not render it.
    Reflection.objects.filter(pk=reflection.pk).update(
        body_html='<p onclick="steal()">Kept text</p><script>alert(1)</script><img src=x onerror=alert(2)>'
    )
    content = admin_client.get(reverse(f"{REFLECTIONS}:inspect", args=[reflection.pk])).content.decode()
    assert "Kept text" in content
    assert "<script>alert(1)" not in content
    assert "onclick" not in content
    assert "onerror" not in content


def test_draft_reflection_is_a_404_for_admins_and_not_audited(admin_client, reflections):
    response = admin_client.get(reverse(f"{REFLECTIONS}:inspect", args=[reflections["draft_a"].pk]))
    assert response.status_code == 404
    response = admin_client.get(reverse(f"{REFLECTIONS}:inspect", args=[999999]))
    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


def test_inactive_learners_reflections_are_out_of_scope(admin_client, world, reflections):
    world.learner_b.is_active = False
    world.learner_b.save()
    response = admin_client.get(reverse(f"{REFLECTIONS}:inspect", args=[reflections["signed_b"].pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("view", ["add", "edit", "delete", "copy", "history", "usage"])
def test_reflections_cannot_be_changed_from_the_admin(admin_client, reflections, view):
    with pytest.raises(NoReverseMatch):
        reverse(f"{REFLECTIONS}:{view}", args=[] if view == "add" else [1])
    reflection = reflections["submitted_a"]
    path = "/admin/portfolio/reflections/" + ("new/" if view == "add" else f"{view}/{reflection.pk}/")
    assert admin_client.post(path, {"title": "Hacked"}).status_code == 404
    reflection.refresh_from_db()
    assert reflection.title == "Stairs at home"


def test_reflection_list_offers_no_add_button(admin_client, reflections):
    content = admin_client.get(reverse(f"{REFLECTIONS}:index")).content.decode()
    assert "Add reflection" not in content
    assert reverse(f"{REFLECTIONS}:inspect", args=[reflections["submitted_a"].pk]) in content


# --- Audit log ----------------------------------------------------------------------------
@pytest.fixture
def events(world):
    made = {
        "read_a": audit.record(world.tutor, "read", learner=world.learner_a, via="api"),
        "export_a": audit.record(world.examiner, "export", learner=world.learner_a, via="export"),
        "read_b": audit.record(world.dual, "read", learner=world.learner_b, via="site"),
    }
    old = timezone.now() - datetime.timedelta(days=40)
    # Back-date one event for the date filters, past the append-only guard (tests only).
    QuerySet.update(AuditEvent.objects.filter(pk=made["read_b"].pk), created_at=old)
    return made


def test_audit_log_lists_newest_first(admin_client, events):
    rows = listed(admin_client.get(reverse(f"{AUDIT}:index")))
    assert [e.pk for e in rows] == [events["export_a"].pk, events["read_a"].pk, events["read_b"].pk]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?learner={learner_a}", {"read_a", "export_a"}),
        ("?actor={examiner}", {"export_a"}),
        ("?action=read", {"read_a", "read_b"}),
        ("?action=read&learner={learner_b}", {"read_b"}),
        ("?created_at_from={today}", {"read_a", "export_a"}),
        ("?created_at_to={last_month}", {"read_b"}),
        ("?created_at_from={last_month}&created_at_to={last_month}", {"read_b"}),
    ],
)
def test_audit_log_filters(admin_client, world, events, query, expected):
    today = timezone.localdate()
    last_month = (timezone.localtime(AuditEvent.objects.get(pk=events["read_b"].pk).created_at)).date()
    url = reverse(f"{AUDIT}:index") + query.format(
        learner_a=world.learner_a.pk,
        learner_b=world.learner_b.pk,
        examiner=world.examiner.pk,
        today=today.isoformat(),
        last_month=last_month.isoformat(),
    )
    names = {pk: name for name, pk in ((n, e.pk) for n, e in events.items())}
    assert {names[e.pk] for e in listed(admin_client.get(url))} == expected


def test_audit_log_is_paginated(admin_client, world):
    for _ in range(55):
        audit.record(world.tutor, "read", learner=world.learner_a, via="api")
    first = admin_client.get(reverse(f"{AUDIT}:index"))
    assert len(listed(first)) == 50
    second = admin_client.get(reverse(f"{AUDIT}:index") + "?p=2")
    assert len(listed(second)) == 5


def test_audit_event_can_be_inspected_but_not_changed(admin_client, events):
    event = events["read_a"]
    assert admin_client.get(reverse(f"{AUDIT}:inspect", args=[event.pk])).status_code == 200
    for view in ("add", "edit", "delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"{AUDIT}:{view}", args=[] if view == "add" else [event.pk])
    for path in (
        f"/admin/portfolio/audit/edit/{event.pk}/",
        f"/admin/portfolio/audit/delete/{event.pk}/",
        "/admin/portfolio/audit/new/",
    ):
        assert admin_client.post(path, {"action": "nothing"}).status_code == 404
    event.refresh_from_db()
    assert event.action == "read"
    assert AuditEvent.objects.count() == 3


def test_audit_log_is_not_registered_as_a_snippet():
    from wagtail.snippets.models import get_snippet_models

    assert AuditEvent not in get_snippet_models()
    assert Reflection not in get_snippet_models()


@pytest.mark.parametrize("who", ["learner_a", "tutor", "examiner"])
def test_only_admins_reach_the_audit_log(client, world, events, who):
    client.force_login(getattr(world, who))
    response = client.get(reverse(f"{AUDIT}:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
