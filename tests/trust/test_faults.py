"""Faults: when the database fails in the middle of a state change, nothing is half-saved.

The failure is injected with Django's own hook, `connection.execute_wrapper`: the wrapper
raises `OperationalError` (what a dropped connection raises) on a chosen write query, after
earlier writes of the same change went through. Afterwards the database must be exactly as
before, and the API must answer a JSON 500 (never an HTML page).
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from rest_framework.test import APIClient

from assessments import services as marking
from assessments.models import Assessment, Score
from feedback import services as fb
from feedback.models import Feedback, FeedbackInvitation
from portfolio import services
from portfolio.models import Reflection, ReviewEvent
from reflect.models import AuditEvent
from tests.factories import (
    LearnerFactory,
    ReflectionFactory,
    feedback_invitation,
    make_published_rubric,
    mark,
    submitted_reflection,
)

pytestmark = pytest.mark.django_db
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


class FailOn:
    """Raise OperationalError on the `nth` write, or on the first write to `table`."""

    def __init__(self, nth: int | None = None, table: str | None = None):
        self.nth, self.table, self.writes, self.fired = nth, table, 0, False

    def __call__(self, execute, sql, params, many, context):
        if WRITE.match(sql):
            self.writes += 1
            hit = (self.nth is not None and self.writes == self.nth) or (
                self.table is not None and f'"{self.table}"' in sql
            )
            if hit and not self.fired:
                self.fired = True
                raise OperationalError("simulated: the database went away")
        return execute(sql, params, many, context)


def snapshot(*objects) -> dict:
    """Every row count that a state change might touch, and the objects' own fields."""
    from django.contrib.auth import get_user_model
    from wagtail.models import Revision

    from arcp.models import ArcpExport
    from portfolio.models import Allocation, Enrolment

    counts = {
        m.__name__: m.objects.count()
        for m in (
            Reflection,
            ReviewEvent,
            Revision,
            AuditEvent,
            Assessment,
            Score,
            Feedback,
            ArcpExport,
            Enrolment,
            Allocation,
            get_user_model(),
        )
    }
    rows = {}
    for obj in objects:
        fresh = type(obj).objects.filter(pk=obj.pk).values().first()
        rows[f"{type(obj).__name__}:{obj.pk}"] = fresh
    return {"counts": counts, "rows": rows}


def api(user=None) -> APIClient:
    client = APIClient(raise_request_exception=False)
    if user is not None:
        client.force_authenticate(user)
    return client


def assert_json_500(response):
    assert response.status_code == 500, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
    assert b"<html" not in response.content.lower()


FAULTS = [
    pytest.param({"nth": 2}, id="second-write"),
    pytest.param({"table": "portfolio_auditevent"}, id="audit-write"),
]


# --- Reflection submit: revision + review event + status + audit ---------------------------
@pytest.fixture
def draft(world):
    return ReflectionFactory(
        learner=world.learner_a, body_html="<p>Text.</p>", sections={"free": "<p>Text.</p>"}
    )


@pytest.mark.parametrize("fault", FAULTS)
def test_submit_is_all_or_nothing(world, draft, fault):
    before = snapshot(draft)
    failure = FailOn(**fault)
    with connection.execute_wrapper(failure), pytest.raises(OperationalError):
        services.submit(draft, world.learner_a, via="test", notify=False)
    assert failure.fired
    assert snapshot(draft) == before
    # Nothing stuck: the same call works once the database is back.
    services.submit(draft, world.learner_a, via="test", notify=False)
    assert Reflection.objects.get(pk=draft.pk).status == "submitted"


def test_submit_through_the_api_answers_json_500(world, draft):
    before = snapshot(draft)
    with connection.execute_wrapper(FailOn(table="portfolio_auditevent")):
        response = api(world.learner_a).post(f"/api/v1/reflections/{draft.pk}/submit/", {}, format="json")
    assert_json_500(response)
    assert snapshot(draft) == before


@pytest.mark.parametrize("fault", FAULTS)
def test_sign_off_is_all_or_nothing(world, fault):
    reflection = submitted_reflection(world.learner_a)
    before = snapshot(reflection)
    with connection.execute_wrapper(FailOn(**fault)), pytest.raises(OperationalError):
        services.sign_off(reflection, world.tutor, "Well done.", via="test", notify=False)
    assert snapshot(reflection) == before


# --- Assessments: scores + finalise ---------------------------------------------------------
@pytest.fixture
def marked(world):
    rubric = make_published_rubric(criteria=3, levels=3)
    return mark(submitted_reflection(world.learner_a), rubric, world.tutor)


@pytest.mark.parametrize("fault", FAULTS)
def test_finalise_is_all_or_nothing(world, marked, fault):
    before = snapshot(marked)
    with connection.execute_wrapper(FailOn(**fault)), pytest.raises(OperationalError):
        marking.finalise(marked, world.tutor, marked.version, via="test")
    assert snapshot(marked) == before
    assert Assessment.objects.get(pk=marked.pk).finalised_at is None


def test_finalise_through_the_api_answers_json_500(world, marked):
    before = snapshot(marked)
    with connection.execute_wrapper(FailOn(table="portfolio_auditevent")):
        response = api(world.tutor).post(
            f"/api/v1/assessments/{marked.pk}/finalise/", {"version": marked.version}, format="json"
        )
    assert_json_500(response)
    assert snapshot(marked) == before


def test_changing_scores_keeps_no_partial_scores(world, marked):
    """The third score row fails: the first two new rows must not survive."""
    scores = [
        {"criterion": s.criterion_id, "level": s.level_id, "comment": f"Changed {n}"}
        for n, s in enumerate(marked.scores.order_by("criterion__sort_order"))
    ]
    before = snapshot(marked)
    before_scores = list(Score.objects.filter(assessment=marked).values())
    with connection.execute_wrapper(FailOn(nth=3)), pytest.raises(OperationalError):
        marking.update_assessment(marked, world.tutor, {"scores": scores}, marked.version, via="test")
    assert snapshot(marked) == before
    assert list(Score.objects.filter(assessment=marked).values()) == before_scores


# --- Feedback: invitation used + feedback stored + audit ------------------------------------
@pytest.mark.parametrize(
    "fault", [*FAULTS, pytest.param({"table": "assessments_feedback"}, id="feedback-row")]
)
def test_feedback_submit_is_all_or_nothing_and_the_link_survives(world, fault):
    invitation, raw = feedback_invitation(world.learner_a)
    before = snapshot(invitation)
    with connection.execute_wrapper(FailOn(**fault)), pytest.raises(OperationalError):
        fb.submit_feedback(raw, {"listening": 5}, "Kind.", False, "carer", "Jo", via="test")
    assert snapshot(invitation) == before
    assert FeedbackInvitation.objects.get(pk=invitation.pk).used_at is None
    # The representative can simply send it again.
    fb.submit_feedback(raw, {"listening": 5}, "Kind.", False, "carer", "Jo", via="test")
    assert Feedback.objects.filter(invitation=invitation).count() == 1


def test_feedback_submit_through_the_api_answers_json_500(world):
    invitation, raw = feedback_invitation(world.learner_a)
    before = snapshot(invitation)
    body = {"ratings": {"listening": 5}, "comments": "Kind.", "anonymous": True, "respondent_role": "carer"}
    with connection.execute_wrapper(FailOn(table="portfolio_auditevent")):
        response = api().post(f"/api/v1/feedback/respond/{raw}/", body, format="json")
    assert_json_500(response)
    assert snapshot(invitation) == before


# --- ARCP: the pack's record ---------------------------------------------------------------
def test_build_pack_keeps_no_record_and_no_file(world, settings, tmp_path):
    from arcp import services as arcp

    settings.MEDIA_ROOT = str(tmp_path)
    today = timezone.localdate()
    before = snapshot()
    with connection.execute_wrapper(FailOn(table="portfolio_auditevent")), pytest.raises(OperationalError):
        arcp.build_pack(
            world.learner_a, today - datetime.timedelta(days=30), today, world.examiner, via="test"
        )
    assert snapshot() == before
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [], "no orphan PDF left in storage"


def test_pack_through_the_api_answers_json_500(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    today = timezone.localdate()
    before = snapshot()
    start = today - datetime.timedelta(days=30)
    url = f"/api/v1/learners/{world.learner_a.pk}/arcp.pdf?from={start}&to={today}"
    with connection.execute_wrapper(FailOn(table="arcp_arcpexport")):
        response = api(world.examiner).get(url)
    assert_json_500(response)
    assert snapshot() == before


def test_record_review_is_all_or_nothing(world):
    from arcp import services as arcp
    from arcp.models import ArcpReview
    from tests.factories import ArcpExportFactory, signed_supervisor_report

    export = ArcpExportFactory(learner=world.learner_a)
    signed_supervisor_report(world.learner_a, export.period_from, export.period_to, author=world.tutor)
    before = (ArcpReview.objects.count(), AuditEvent.objects.count())
    with connection.execute_wrapper(FailOn(table="portfolio_auditevent")), pytest.raises(OperationalError):
        arcp.record_review(
            world.examiner,
            world.learner_a,
            export.period_from,
            export.period_to,
            export.pk,
            "1",
            [],
            "",
            via="t",
        )
    assert (ArcpReview.objects.count(), AuditEvent.objects.count()) == before


# --- CSV import ------------------------------------------------------------------------------
CSV = "username,first_name,last_name,email,cohort\n" + "".join(
    f"new{n},New,Person{n},,Cohort A\n" for n in range(5)
)


@pytest.mark.parametrize("nth", [2, 5, 9])
def test_csv_import_is_all_or_nothing(world, nth):
    from portfolio.csv_import import import_members

    LearnerFactory(username="already")  # unrelated data stays as it is
    before = snapshot()
    failure = FailOn(nth=nth)
    with connection.execute_wrapper(failure), pytest.raises(OperationalError):
        import_members(CSV, dry_run=False, actor=world.admin)
    assert failure.fired
    assert snapshot() == before
