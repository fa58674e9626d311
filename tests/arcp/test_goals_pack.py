"""Goals in the ARCP pack and in the subject-access ZIP (issue 16), read back with pypdf: the
goals open during the period, with their reviews and comments as they stood at the cut-off;
nothing of another learner's, no draft's title; a review after the cut-off leaves the pack
unchanged (the same pack is given back)."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
from django.utils import timezone

from arcp import evidence, services, subject_access
from portfolio.goal_models import Goal, GoalComment
from portfolio.services import goals as goal_services

from .conftest import aware
from .test_pack_pdf import pdf_text

pytestmark = pytest.mark.django_db


def dated_goal(learner, what, set_days_ago, *, reflection=None, due_days_ago=0):
    today = timezone.localdate()
    goal = goal_services.create_goal(
        learner,
        {
            "what": what,
            "due_on": today - datetime.timedelta(days=due_days_ago),
            "success_measure": f"Measure of {what}",
            "themes": ["advocacy"],
            "reflection": reflection,
        },
    )
    Goal.objects.filter(pk=goal.pk).update(created_at=aware(today - datetime.timedelta(days=set_days_ago)))
    goal.refresh_from_db()
    return goal


def reviewed(goal, status, text, days_ago):
    goal_services.review_goal(goal, goal.learner, status, text)
    when = aware(timezone.localdate() - datetime.timedelta(days=days_ago))
    Goal.objects.filter(pk=goal.pk).update(reviewed_at=when)


@pytest.fixture
def goals_world(pack_world):
    w = pack_world
    source = w.in_period[0]
    w.achieved = dated_goal(w.learner_a, "Teach the team about housing checks", 100, reflection=source.pk,
                            due_days_ago=60)  # fmt: skip
    reviewed(w.achieved, "achieved", "Gave a ten-minute teaching session at handover", 50)
    comment = goal_services.comment_on_goal(w.achieved, w.tutor, "Excellent: ask for feedback next time")
    GoalComment.objects.filter(pk=comment.pk).update(
        created_at=aware(w.period_to - datetime.timedelta(days=5))
    )
    w.open_goal = dated_goal(w.learner_a, "Shadow the housing officer for a day", 20)
    w.late_review = dated_goal(w.learner_a, "Read the falls guidance", 30)
    reviewed(w.late_review, "partly_achieved", "REVIEWED AFTER THE CUTOFF", 0)
    w.closed_before = dated_goal(w.learner_a, "OLD GOAL closed long ago", 420, due_days_ago=410)
    reviewed(w.closed_before, "achieved", "Done long ago", 400)
    w.after_cutoff_goal = dated_goal(w.learner_a, "GOAL SET AFTER THE CUTOFF", 0)
    w.draft_goal = dated_goal(w.learner_a, "Goal from a draft", 10, reflection=w.draft.pk)
    w.b_goal = dated_goal(w.learner_b, "Learner B's goal", 10)
    return w


def test_the_pack_prints_the_goals_and_their_reviews(goals_world):
    w = goals_world
    export = services.build_pack(w.learner_a, w.period_from, w.period_to, w.examiner, via="api")
    text = pdf_text(services.read_pack(export))
    assert "Goals: personal development plan" in text
    for goal in (w.achieved, w.open_goal, w.late_review, w.draft_goal):
        assert goal.what in text
    assert "Gave a ten-minute teaching session at handover" in text
    assert "Excellent: ask for feedback next time" in text
    assert f"From reflection: 1. {w.in_period[0].title}" in text or w.in_period[0].title in text
    assert "Measure of Teach the team about housing checks" in text
    for absent in ("REVIEWED AFTER THE CUTOFF", "OLD GOAL closed long ago", "GOAL SET AFTER THE CUTOFF",
                   "Learner B's goal", w.draft.title):  # fmt: skip
        assert absent not in text


def test_goals_as_at_the_cutoff_and_a_later_review_keeps_the_same_pack(goals_world):
    w = goals_world
    snap = evidence.gather(w.learner_a, w.period_from, w.period_to, viewer=w.examiner)
    by_what = {g.goal.what: g for g in snap.goals}
    assert by_what[w.late_review.what].status == "open" and by_what[w.late_review.what].review == ""
    assert by_what[w.achieved.what].status == "achieved"
    assert by_what[w.achieved.what].reflection_number == 1
    assert by_what[w.draft_goal.what].reflection_number is None  # a draft is not in the pack
    first = services.build_pack(w.learner_a, w.period_from, w.period_to, w.examiner, via="api")
    goal_services.review_goal(w.open_goal, w.learner_a, "carried_forward", "Rescheduled")  # after the cut-off
    again = services.build_pack(w.learner_a, w.period_from, w.period_to, w.examiner, via="api")
    assert again.pk == first.pk and getattr(again, "reused", False)


def test_an_out_of_scope_viewer_never_gets_goals(goals_world):
    w = goals_world
    snap = evidence.gather(w.learner_a, w.period_from, w.period_to, viewer=w.learner_b)
    assert snap.goals == []


def test_the_subject_access_zip_holds_every_goal_with_reviews_and_comments(goals_world):
    w = goals_world
    archive = zipfile.ZipFile(io.BytesIO(subject_access.build_zip(w.learner_a, w.learner_a)))
    assert "goals.json" in archive.namelist() and "goals.json" in subject_access.FILES
    goals = json.loads(archive.read("goals.json"))
    whats = {g["what"] for g in goals}
    assert w.closed_before.what in whats and w.after_cutoff_goal.what in whats
    assert "Learner B's goal" not in whats
    achieved = next(g for g in goals if g["what"] == w.achieved.what)
    assert achieved["status"] == "achieved" and achieved["review"].startswith("Gave a ten-minute")
    assert achieved["reflection"] == w.in_period[0].pk and achieved["themes"] == ["advocacy"]
    assert achieved["comments"][0]["body"] == "Excellent: ask for feedback next time"
    assert achieved["comments"][0]["author"]["id"] == w.tutor.pk
