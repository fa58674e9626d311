"""Audit log completeness: every read of a learner's portfolio by someone else (API, PDF,
admin) and every state change leaves one AuditEvent (actor, learner, via); the learner's own
reads leave none; and the log cannot be changed or deleted through any Django door."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from assessments import services as marking
from feedback import services as fb
from portfolio import services
from reflect.models import AuditEvent
from tests.factories import (
    ArcpExportFactory,
    ArcpReviewFactory,
    CriterionFactory,
    FeedbackFactory,
    LevelFactory,
    RubricFactory,
    make_published_rubric,
    mark,
    signed_supervisor_report,
    submitted_reflection,
)

pytestmark = pytest.mark.django_db


def events(**filters):
    return list(AuditEvent.objects.filter(**filters))


@pytest.fixture
def data(world, portfolio_page):
    rubric = make_published_rubric(criteria=2, levels=3)
    reflection = submitted_reflection(world.learner_a)
    assessment = mark(reflection, rubric, world.tutor, finalise=True)
    feedback = FeedbackFactory(learner=world.learner_a)
    export = ArcpExportFactory(learner=world.learner_a)
    review = ArcpReviewFactory(export=export, examiner=world.examiner)
    return {
        "rubric": rubric,
        "reflection": reflection,
        "assessment": assessment,
        "feedback": feedback,
        "export": export,
        "review": review,
    }


def new_events(before: int):
    return list(AuditEvent.objects.order_by("id"))[before:]


READ_DOORS = [
    ("/api/v1/reflections/", "Reflection"),
    ("/api/v1/reflections/{reflection}/", "Reflection"),
    ("/api/v1/assessments/", "Assessment"),
    ("/api/v1/assessments/{assessment}/", "Assessment"),
    ("/api/v1/feedback/", "Feedback"),
    ("/api/v1/feedback/{feedback}/", "Feedback"),
    ("/api/v1/learners/{learner}/", None),
    ("/api/v1/arcp-reviews/", "ArcpReview"),
    ("/api/v1/arcp-reviews/{review}/", "ArcpReview"),
    ("/api/v1/exports/{export}/", "ArcpExport"),
]


def _url(template, world, data):
    return template.format(
        reflection=data["reflection"].pk,
        assessment=data["assessment"].pk,
        feedback=data["feedback"].pk,
        learner=world.learner_a.pk,
        review=data["review"].pk,
        export=data["export"].pk,
    )


@pytest.mark.parametrize("reader", ["tutor", "examiner", "admin", "dual"])
@pytest.mark.parametrize("template, object_type", READ_DOORS)
def test_api_reads_by_others_are_recorded(world, data, api, reader, template, object_type):
    user = getattr(world, reader)
    before = AuditEvent.objects.count()
    response = api(user).get(_url(template, world, data))
    assert response.status_code == 200
    made = new_events(before)
    assert made, f"no audit event for {reader} reading {template}"
    for event in made:
        assert (event.actor, event.learner, event.action, event.via) == (user, world.learner_a, "read", "api")
    if object_type:
        assert {e.object_type for e in made} == {object_type}


@pytest.mark.parametrize("template, object_type", READ_DOORS)
def test_the_learners_own_reads_are_not_recorded(world, data, api, template, object_type):
    before = AuditEvent.objects.count()
    assert api(world.learner_a).get(_url(template, world, data)).status_code == 200
    assert new_events(before) == []


# Site screens that show another person's portfolio data: (URL name, argument, readers).
SITE_READ_DOORS = [
    ("reflection_list", None, ["tutor", "examiner", "admin"]),
    ("reflection_detail", "reflection", ["tutor", "examiner", "admin"]),
    ("review_queue", None, ["tutor"]),
    ("reflection_review", "reflection", ["tutor"]),
    ("marking_detail", "assessment", ["tutor", "examiner", "admin"]),
    ("marking_results", "reflection", ["tutor", "examiner", "admin"]),
    ("feedback_list", None, ["tutor", "examiner", "admin"]),
    ("arcp_panel", None, ["examiner"]),
    ("arcp_panel_learner", "learner", ["examiner"]),
]


@pytest.mark.parametrize("name, key, readers", SITE_READ_DOORS)
def test_site_reads_by_others_are_recorded(world, data, client, name, key, readers):
    """Every site screen that shows a learner's data to someone else leaves a read event
    naming them (the audit log's promise in the README), and the learner's own do not."""
    from portfolio.site import portfolio_url

    arg = {"learner": world.learner_a, **data}.get(key) if key else None
    url = portfolio_url(name, arg.pk) if arg is not None else portfolio_url(name)
    for reader in readers:
        user = getattr(world, reader)
        client.force_login(user)
        before = AuditEvent.objects.count()
        assert client.get(url).status_code == 200, (reader, url)
        made = [e for e in new_events(before) if e.learner_id == world.learner_a.pk]
        assert made, f"no audit event for {reader} reading {url}"
        assert {(e.actor_id, e.action, e.via) for e in made} == {(user.pk, "read", "site")}


def test_pdf_export_is_recorded(world, data, api):
    before = AuditEvent.objects.count()
    today = timezone.localdate()
    response = api(world.examiner).get(
        f"/api/v1/learners/{world.learner_a.pk}/arcp.pdf"
        f"?from={today - datetime.timedelta(days=30)}&to={today}"
    )
    assert response.status_code == 200
    [event] = new_events(before)
    assert (event.actor, event.learner, event.action, event.via) == (
        world.examiner,
        world.learner_a,
        "export",
        "api",
    )
    assert event.object_id == response["X-Export-Id"]


def test_pack_download_on_the_site_is_recorded(world, data, client):
    from django.core.files.base import ContentFile

    from portfolio.site import portfolio_url

    export = ArcpExportFactory(learner=world.learner_a)
    export.file.save("a.pdf", ContentFile(b"%PDF-1.7"), save=True)
    client.force_login(world.tutor)
    before = AuditEvent.objects.count()
    assert client.get(portfolio_url("arcp_export_download", export.pk)).status_code == 200
    [event] = new_events(before)
    assert (event.actor, event.learner, event.action, event.via) == (
        world.tutor,
        world.learner_a,
        "read",
        "site",
    )


@pytest.mark.parametrize(
    "name, key",
    [
        ("portfolio_reflections:inspect", "reflection"),
        ("assessments_marking:inspect", "assessment"),
        ("feedback_responses:inspect", "feedback"),
    ],
)
def test_admin_inspect_is_recorded(world, data, client, name, key):
    client.force_login(world.admin)
    before = AuditEvent.objects.count()
    assert client.get(reverse(name, args=[data[key].pk])).status_code == 200
    made = [e for e in new_events(before) if e.action == "read"]
    assert len(made) == 1, f"{name}: {made}"
    event = made[0]
    assert (event.actor, event.learner, event.via) == (world.admin, world.learner_a, "admin")
    assert event.object_id == str(data[key].pk)


# --- State changes -----------------------------------------------------------------------
def _reflection_flow(world, data):
    r = services.create_reflection(
        world.learner_a,
        {
            "title": "Audit me",
            "kind": "other",
            "occurred_on": timezone.localdate(),
            "body_html": "<p>Text.</p>",
        },
        via="site",
    )
    yield "create", world.learner_a, r
    services.update_reflection(r, world.learner_a, {"title": "Audit me too"}, r.version, via="api")
    yield "update", world.learner_a, r
    services.submit(r, world.learner_a, via="site", notify=False)
    yield "submit", world.learner_a, r
    services.request_changes(r, world.tutor, "More, please.", via="site", notify=False)
    yield "request_changes", world.tutor, r
    services.submit(r, world.learner_a, via="site", notify=False)
    yield "submit", world.learner_a, r
    services.comment(r, world.tutor, "Nearly.", via="site")
    yield "comment", world.tutor, r
    services.sign_off(r, world.tutor, "Good.", via="site", notify=False)
    yield "sign_off", world.tutor, r


def _assessment_flow(world, data):
    reflection = submitted_reflection(world.learner_a)
    a = mark(reflection, data["rubric"], world.tutor)
    yield "assessment_create", world.tutor, a
    a = marking.finalise(a, world.tutor, via="site")
    yield "assessment_finalise", world.tutor, a
    correction = marking.supersede(a, world.tutor, "Wrong level on criterion 1.", via="site")
    yield "assessment_supersede", world.tutor, correction


def _feedback_flow(world, data):
    invitation, raw = fb.create_invitation(
        world.learner_a, world.tutor, "Lived-experience session", timezone.localdate(), "", via="site"
    )
    yield "feedback_invite", world.tutor, invitation
    feedback = fb.submit_feedback(raw, {"listening": 5}, "Kind.", False, "carer", "Jo", via="site")
    yield "feedback_submit", None, feedback
    fb.withdraw(feedback, world.admin, "Given in error.", via="admin")
    yield "feedback_withdraw", world.admin, feedback


def _arcp_flow(world, data):
    from arcp import services as arcp

    today = timezone.localdate()
    signed_supervisor_report(world.learner_a, today - datetime.timedelta(days=30), today, author=world.tutor)
    export = arcp.build_pack(
        world.learner_a, today - datetime.timedelta(days=30), today, world.examiner, via="api"
    )
    yield "export", world.examiner, export
    review = arcp.record_review(
        world.examiner,
        world.learner_a,
        export.period_from,
        export.period_to,
        export.pk,
        "1",
        [],
        "",
        via="api",
    )
    yield "arcp_review", world.examiner, review


FLOWS = {
    "reflection": _reflection_flow,
    "assessment": _assessment_flow,
    "feedback": _feedback_flow,
    "arcp": _arcp_flow,
}


@pytest.mark.parametrize("flow", list(FLOWS))
def test_every_state_change_is_recorded_once(world, data, flow):
    for action, actor, obj in _steps(FLOWS[flow], world, data):
        made = [e for e in obj if e.action == action]
        assert len(made) == 1, f"{flow}: expected one {action!r} event, got {[e.action for e in obj]}"
        event = made[0]
        assert event.actor == actor and event.learner == world.learner_a, (action, event.actor, event.learner)
        assert event.via, f"{action}: the door is recorded"


def _steps(flow, world, data):
    """Run a flow step by step; yield (action, actor, events made by that step)."""
    before = AuditEvent.objects.count()
    for action, actor, _obj in flow(world, data):
        made = new_events(before)
        before = AuditEvent.objects.count()
        yield action, actor, made


def test_rubric_publish_and_retire_are_recorded(world, data):
    from rubrics import services as rubrics

    draft = RubricFactory(slug="audited")
    for n in range(2):
        criterion = CriterionFactory(rubric=draft, sort_order=n)
        for lv in range(2):
            LevelFactory(criterion=criterion, sort_order=lv, points=lv)
    before = AuditEvent.objects.count()
    published = rubrics.publish(draft, by=world.admin)
    [event] = new_events(before)
    assert (event.action, event.actor, event.object_id) == ("rubric_publish", world.admin, str(published.pk))
    before = AuditEvent.objects.count()
    rubrics.retire(published, by=world.admin)
    [event] = new_events(before)
    assert (event.action, event.actor, event.object_id) == ("rubric_retire", world.admin, str(published.pk))


def test_csv_import_is_recorded(world):
    from portfolio.csv_import import import_members

    before = AuditEvent.objects.count()
    report = import_members(
        "username,first_name,last_name,email,cohort\nzed,Zed,Ng,,Cohort A\n", False, world.admin
    )
    assert report.applied
    [event] = new_events(before)
    assert (event.action, event.actor, event.via) == ("import_members", world.admin, "admin")


# --- Append-only ---------------------------------------------------------------------------
def test_audit_events_cannot_be_changed_or_deleted(world, data, api):
    api(world.tutor).get(f"/api/v1/reflections/{data['reflection'].pk}/")
    event = AuditEvent.objects.first()
    event.action = "nothing happened"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(ValidationError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(ValidationError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["action"])
    event.refresh_from_db()
    assert event.action == "read"


def test_admin_offers_no_way_to_change_the_log(world, data, client):
    for name in ("edit", "delete", "add", "copy", "history"):
        with pytest.raises(NoReverseMatch):
            reverse(f"portfolio_audit:{name}", args=[1] if name != "add" else [])
    client.force_login(world.admin)
    before = AuditEvent.objects.count()
    response = client.post(reverse("portfolio_audit:index"), {"action": "x"})
    assert response.status_code in (403, 405) or AuditEvent.objects.count() == before
    assert client.get(reverse("portfolio_audit:index")).status_code == 200


def _row_facts(event: AuditEvent) -> tuple:
    return (
        event.actor_id,
        event.learner_id,
        event.action,
        event.object_type,
        event.object_id,
        event.via,
        event.detail,
    )


def test_list_reads_write_the_rows_the_orm_would(world, monkeypatch):
    """On PostgreSQL `record_reads` writes with one hand-written statement; on every database
    its rows must equal what `bulk_create` writes (the ORM path, forced here on the same data)."""
    from reflect import audit

    rows = [
        {"id": 11, "learner_id": world.learner_a.pk},
        {"id": 12, "learner_id": world.learner_b.pk},
        {"id": 13, "learner_id": world.learner_a.pk},
        {"id": 14, "learner_id": world.tutor.pk},  # the reader's own: not recorded
        {"id": 15, "learner_id": None},
    ]
    started = timezone.now()
    audit.record_reads(world.tutor, rows, via="api", object_type="Reflection")
    fast = list(AuditEvent.objects.order_by("id"))
    AuditEvent.objects.all()._raw_delete(AuditEvent.objects.db)  # test-only reset
    monkeypatch.setattr(audit.connection, "vendor", "orm-path")
    audit.record_reads(world.tutor, rows, via="api", object_type="Reflection")
    orm = list(AuditEvent.objects.order_by("id"))
    expected = [
        (world.tutor.pk, world.learner_a.pk, "read", "Reflection", "", "api", {"ids": [11, 13]}),
        (world.tutor.pk, world.learner_b.pk, "read", "Reflection", "", "api", {"ids": [12]}),
    ]
    assert [_row_facts(e) for e in fast] == expected
    assert [_row_facts(e) for e in orm] == expected
    assert all(started <= e.created_at <= timezone.now() for e in fast + orm)
