"""ARCP demo data: every programme type with a panel, outcomes by the GMC's rules, one corrected."""

import io

import pytest
from django.core.management import call_command

from arcp.models import ArcpExport, ArcpReview
from portfolio.models import Cohort, Panel

pytestmark = pytest.mark.django_db


def run():
    call_command("seed_demo", "--cohorts", "3", "--learners-per-cohort", "1", "--password", "x-Demo-2026",
                 stdout=io.StringIO())  # fmt: skip


def test_programme_types_outcomes_and_a_correction():
    run()
    kinds = set(Cohort.objects.values_list("programme_type", flat=True))
    assert kinds == {"undergraduate", "foundation", "specialty"}
    for kind in kinds:
        assert Panel.objects.filter(cohort__programme_type=kind).exists()
    by_kind = {
        kind: sorted(
            ArcpReview.objects.filter(learner__enrolment__cohort__programme_type=kind).values_list(
                "outcome", flat=True
            )
        )
        for kind in kinds
    }
    assert by_kind == {"undergraduate": ["1", "2"], "foundation": ["1", "3", "4"], "specialty": ["10.1", "5"]}
    correction = ArcpReview.objects.get(supersedes__isnull=False)
    assert (correction.outcome, correction.supersedes.outcome) == ("3", "4")
    assert correction.correction_reason and correction.reason_codes == ["U1", "U3"]
    assert ArcpReview.objects.get(outcome="10.1").reason_codes == ["C3"]
    # The learner's side: the corrected 3 is acknowledged, responded to and appealed (pending).
    assert correction.acknowledged_at and correction.learner_response and correction.appeal_reason
    assert ArcpReview.objects.exclude(appeal_requested_at=None).get() == correction
    before = (ArcpReview.objects.count(), ArcpExport.objects.count())
    run()
    assert (ArcpReview.objects.count(), ArcpExport.objects.count()) == before


def test_supervisor_reports_in_every_status_and_panel_roles_twice_over():
    from arcp.models import SupervisorReport
    from portfolio.models import Panel

    run()
    run()  # idempotent: no failure, no duplicates
    statuses = set(SupervisorReport.objects.values_list("status", flat=True))
    assert statuses == {"draft", "shared", "signed"}
    keys = list(SupervisorReport.objects.values_list("learner", "period_from", "period_to"))
    assert len(keys) == len(set(keys))
    assert SupervisorReport.objects.exclude(learner_comment="").filter(status="shared").exists()
    # Each report has the tutor's words on each of the eight themes; no two overlap for a learner.
    for report in SupervisorReport.objects.all():
        assert report.theme_sections.exclude(progress="").count() == 8
        overlapping = SupervisorReport.objects.filter(
            learner=report.learner, period_from__lte=report.period_to, period_to__gte=report.period_from
        )
        assert overlapping.count() == 1
    roles = set(Panel.objects.values_list("role", flat=True))
    assert roles == {"chair", "examiner", "lay_representative", "external_assessor"}
    # Every cohort's panel has its chair; the lay and external members sit on the first.
    assert not Panel.objects.current().exclude(cohort__review_panels__role="chair").exists()
    assert Panel.objects.filter(role__in=("lay_representative", "external_assessor")).count() == 2
    # Every outcome 1 stands on a signed report of its period; the current pack holds one.
    for review in ArcpReview.objects.filter(outcome="1"):
        assert (
            SupervisorReport.objects.covering(review.period_from, review.period_to)
            .filter(learner=review.learner)
            .exists()
        )
