"""Fixtures for the trust tests: one shared "scene" per module (built once, rolled back at
the end of the module; each test still runs in its own savepoint), so that the generated
scope matrix can ask hundreds of questions of the same data quickly."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from assessments import services as marking
from feedback import services as feedback_services
from portfolio.models import Reflection
from portfolio.setup import ensure_portfolio_page
from reflect import roles as R
from tests.factories import (
    ArcpExportFactory,
    ArcpReviewFactory,
    FeedbackFactory,
    ReflectionFactory,
    UserFactory,
    build_world,
    feedback_invitation,
    make_published_rubric,
    mark,
    panel_member,
    submitted_reflection,
)
from tests.factories.files import attach

SEARCH_WORD = "kestrelwing"
# Written only in what some people must not see (the open blind second marking, withdrawn
# feedback): a test can look for it in any page or PDF.
BLIND_WORD = "zephyrquill"


@dataclass
class Scene:
    """Users by role name and objects by name; `obj("refl", "a")` → learner A's reflection."""

    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    pdf_bytes: dict = field(default_factory=dict)

    def obj(self, kind: str, side: str):
        return self.objects[f"{kind}_{side}"]


def build_scene() -> Scene:
    """Two cohorts (A, B), learner_a in A and learner_b in B, and for each learner: a draft, a
    submitted reflection with a finalised assessment, a second submitted reflection with a draft
    assessment, feedback, an ARCP pack (with stored bytes) and an ARCP review.

    People (role name → relationship to A / B):
    learner (own / other cohort), tutor (allocated / —), former (— / ended allocation),
    examiner (panel / other cohort), examiner_b (other cohort / panel), admin (all / all),
    patient_rep (— / —), dual = tutor of B + examiner of A (panel / allocated), lay = lay
    representative on A's panel, ext = external assessor on B's panel (packs only)."""
    ensure_portfolio_page()
    s = Scene()
    w = build_world(prefix="t_", cohorts=("Trust cohort A", "Trust cohort B"), examiner_b=True)
    learner_a, learner_b, tutor, former = w.learner_a, w.learner_b, w.tutor, w.former
    examiner, examiner_b, admin, rep, dual = w.examiner, w.examiner_b, w.admin, w.patient_rep, w.dual
    s.users = {
        "learner": learner_a,
        "tutor": tutor,
        "former": former,
        "examiner": examiner,
        "examiner_b": examiner_b,
        "admin": admin,
        "patient_rep": rep,
        "dual": dual,
        "anonymous": None,
        "learner_b": learner_b,
        # Panel roles (issue 17): they read their panel's learners' packs and nothing else.
        "lay": panel_member(w.cohort_a, "lay_representative", username="t_lay"),
        "ext": panel_member(w.cohort_b, "external_assessor", username="t_ext"),
    }
    rubric = make_published_rubric(criteria=2, levels=3)
    s.objects["rubric"] = rubric
    for side, learner, marker in (("a", learner_a, tutor), ("b", learner_b, dual)):
        s.objects[f"learner_{side}"] = learner
        s.objects[f"draft_{side}"] = ReflectionFactory_draft(learner, side)
        refl = submitted_reflection(
            learner,
            title=f"Submitted {side} {SEARCH_WORD}",
            body_html=f"<p>Home visit {side}: {SEARCH_WORD} and the stairs.</p>",
        )
        s.objects[f"refl_{side}"] = refl
        s.objects[f"assess_{side}"] = mark(refl, rubric, marker, finalise=True)
        refl2 = submitted_reflection(learner, title=f"Second {side}")
        s.objects[f"refl2_{side}"] = refl2
        s.objects[f"draftassess_{side}"] = mark(refl2, rubric, marker, levels=0)
        # Attachments (issue 16): a photo on the submitted reflection, a PDF on the draft.
        s.objects[f"attach_{side}"] = attach(refl, f"display-{side}.png")
        s.objects[f"draftattach_{side}"] = attach(s.objects[f"draft_{side}"], f"draft-{side}.pdf")
        s.objects[f"feedback_{side}"] = FeedbackFactory(learner=learner)
        export = ArcpExportFactory(learner=learner, created_by=learner)
        data = b"%PDF-1.7\n% trust scene pack " + side.encode() + b"\n%%EOF\n"
        export.sha256 = hashlib.sha256(data).hexdigest()
        export.size = len(data)
        export.file.save(f"trust-{side}.pdf", ContentFile(data), save=True)
        s.pdf_bytes[side] = data
        s.objects[f"export_{side}"] = export
        s.objects[f"review_{side}"] = ArcpReviewFactory(
            export=export, examiner=examiner if side == "a" else examiner_b
        )
        _, raw = feedback_invitation(learner, by=marker)
        s.tokens[side] = raw
        # The supervisor's report in each status, by the learner's tutor (dual tutors B), one
        # per period (a learner has one report per review period): signed the latest.
        for back, status in enumerate(("signed", "shared", "draft")):
            s.objects[f"esr{status}_{side}"] = _supervisor_report(
                learner, tutor if side == "a" else dual, status, back
            )
    # An open blind pair on learner A: the allocated tutor's first marking is a draft, the
    # second marker (a tutor not allocated to A, named by an admin) has finalised theirs.
    second = UserFactory(username="t_second", roles=(R.TUTOR,))
    s.users["second"] = second
    blind = submitted_reflection(learner_a, title=f"Blind pair a {SEARCH_WORD}")
    s.objects["blind_a"] = blind
    s.objects["blindfirst_a"] = mark(blind, rubric, tutor, levels=0, overall_comment="First marking draft")
    marking.request_moderation(blind, rubric, second, admin)
    s.objects["blindsecond_a"] = mark(
        blind, rubric, second, levels=2, finalise=True, overall_comment=f"Second marking {BLIND_WORD}"
    )
    # Withdrawn feedback on learner A: seen by admins only, never in a pack.
    withdrawn = FeedbackFactory(learner=learner_a, comments=f"Withdrawn {BLIND_WORD}")
    s.objects["withdrawn_a"] = feedback_services.withdraw(withdrawn, admin, "Given in error")
    assert Reflection.objects.filter(title__contains=SEARCH_WORD).count() == 5
    return s


def _supervisor_report(learner, author, status, back: int):
    """A report in `status` for the 120-day period `back` periods before today's."""
    from django.utils import timezone

    from arcp.models import SupervisorReport

    now = timezone.now()
    period_to = timezone.localdate() - datetime.timedelta(days=120 * back)
    return SupervisorReport.objects.create(
        learner=learner,
        author=author,
        period_from=period_to - datetime.timedelta(days=119),
        period_to=period_to,
        recommendation="satisfactory",
        progress=f"Report {status}",
        status=status,
        shared_at=None if status == "draft" else now,
        signed_at=now if status == "signed" else None,
    )


def ReflectionFactory_draft(learner, side):  # noqa: N802 - reads like a factory
    return ReflectionFactory(
        learner=learner, title=f"Draft {side} {SEARCH_WORD}", body_html=f"<p>Draft {side} {SEARCH_WORD}</p>"
    )


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    """The scene, built once per module inside a transaction that is rolled back afterwards."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_scene()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
