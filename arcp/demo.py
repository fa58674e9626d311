"""Demo data for ARCP: programme types, previous outcomes by the GMC's rules (one of them
corrected) and one real recorded pack (idempotent).

- Cohorts take the programme type their programme's name says (the demo's second cohort is
  the Foundation Programme, the third GP specialty training), so with `--cohorts 3` or more
  there is one of each type.
- The first learner of each of the first three cohorts has two earlier review periods, each
  with a recorded (bare) export record and outcomes by the cohort's examiner, through
  `arcp.services.record_review` (so they obey the same code rules and are audited):
  undergraduate 1 then 2 (U2, actions, next review); foundation 4 recorded in error and
  corrected to 3 (U1, U3) with a reason, which the learner acknowledges, responds to and
  appeals (a pending appeal); specialty 10.1 (C3) then 5.
- Supervisor's reports in every status and panel roles (chair, lay representative, external
  assessor): `arcp.demo_supervision`.
- A real pack for the current year of the first cohort's first learner, built by
  `arcp.services.build_pack` (a second run gives the same pack back: packs are reused).
"""

from __future__ import annotations

import datetime
import hashlib

from portfolio.models import Cohort, Enrolment, Panel

from . import demo_supervision, services
from .models import ArcpExport, ArcpReview

DAY = datetime.timedelta(days=1)
YEAR = datetime.timedelta(days=365)


def programme_type_for(programme: str) -> str:
    name = programme.lower()
    if "foundation" in name:
        return Cohort.ProgrammeType.FOUNDATION
    if "specialty" in name or "speciality" in name:
        return Cohort.ProgrammeType.SPECIALTY
    return Cohort.ProgrammeType.UNDERGRADUATE


def _history(kind: str, start: datetime.date) -> list[tuple]:
    """(period_from, period_to, outcome, codes, comments, actions, next review, correction)."""
    first = (start - 2 * YEAR, start - YEAR - DAY)
    second = (start - YEAR, start - DAY)
    if kind == Cohort.ProgrammeType.FOUNDATION:
        return [
            (*first, "1", [], "A good F1 year.", "", None, None),
            (
                *second,
                "4",
                ["U1", "U3"],
                "Recorded in error.",
                "",
                start + 60 * DAY,
                (
                    "3",
                    ["U1", "U3"],
                    "Portfolio incomplete and little contact with the educational supervisor.",
                    "Meet the educational supervisor monthly; complete the missing learning events.",
                    start + 60 * DAY,
                    "Outcome 4 was entered in error: the panel agreed outcome 3 (additional time).",
                ),
            ),
        ]
    if kind == Cohort.ProgrammeType.SPECIALTY:
        return [
            (*first, "10.1", ["C3"], "Redeployed to acute medicine during the surge.", "", None, None),
            (
                *second,
                "5",
                [],
                "The educational supervisor's report was missing.",
                "Upload the supervisor's report within two weeks.",
                start + 30 * DAY,
                None,
            ),
        ]
    return [
        (*first, "1", [], "Good first year.", "", None, None),
        (
            *second,
            "2",
            ["U2"],
            "Needs more community-based experience.",
            "Plan a third-sector placement before the next review.",
            start + 90 * DAY,
            None,
        ),
    ]


def seed(ctx) -> None:
    for cohort in ctx.cohort_objs:
        kind = programme_type_for(cohort.programme)
        if cohort.programme_type != kind and kind != Cohort.ProgrammeType.UNDERGRADUATE:
            Cohort.objects.filter(pk=cohort.pk).update(programme_type=kind)
            cohort.programme_type = kind
    demo_supervision.seed_panel_roles(ctx)
    # The current review year: the last 365 days; the two previous years before it.
    start = ctx.today - YEAR
    for cohort in ctx.cohort_objs[:3]:
        enrolment = (
            Enrolment.objects.filter(cohort=cohort)
            .select_related("learner")
            .order_by("learner__username")
            .first()
        )
        panel = (
            Panel.objects.current().filter(cohort=cohort).select_related("examiner").order_by("pk").first()
        )
        if enrolment is None or panel is None:
            continue
        learner, examiner = enrolment.learner, panel.examiner
        for period_from, period_to, outcome, codes, comments, actions, next_on, correction in _history(
            cohort.programme_type, start
        ):
            if ArcpReview.objects.filter(
                learner=learner, period_from=period_from, period_to=period_to
            ).exists():
                continue
            demo_supervision.seed_history_report(learner, period_from, period_to, outcome)
            # Earlier years' packs predate this system's records: keep a record of them (no file).
            digest = hashlib.sha256(f"demo:{learner.pk}:{period_from}:{period_to}".encode()).hexdigest()
            export, _ = ArcpExport.objects.get_or_create(
                learner=learner,
                period_from=period_from,
                period_to=period_to,
                sha256=digest,
                defaults={"created_by": examiner},
            )
            review = services.record_review(
                examiner,
                learner,
                period_from,
                period_to,
                export,
                outcome,
                codes,
                comments,
                actions=actions,
                next_review_on=next_on,
                via="demo",
            )
            if correction:
                new_outcome, new_codes, new_comments, new_actions, new_next, reason = correction
                review = services.record_review(
                    examiner,
                    learner,
                    period_from,
                    period_to,
                    export,
                    new_outcome,
                    new_codes,
                    new_comments,
                    actions=new_actions,
                    next_review_on=new_next,
                    supersedes=review,
                    correction_reason=reason,
                    via="demo",
                )
            if (
                review.outcome in services.APPEAL_KINDS
                and cohort.programme_type == Cohort.ProgrammeType.FOUNDATION
            ):
                # The learner's side: acknowledged, a response, and a pending appeal of the 3.
                services.acknowledge_review(learner, review.pk, via="demo")
                services.respond_to_review(
                    learner,
                    review.pk,
                    "I accept that my portfolio was incomplete; I was on sick leave for six weeks.",
                    via="demo",
                )
                services.request_appeal(
                    learner,
                    review.pk,
                    "The panel did not take my six weeks of sick leave into account when judging progress.",
                    via="demo",
                )
    if not ctx.cohort_objs:
        return
    # One real pack for the current year (skip if one exists for that learner and period).
    first = (
        Enrolment.objects.filter(cohort=ctx.cohort_objs[0])
        .select_related("learner")
        .order_by("learner__username")
        .first()
    )
    panel = Panel.objects.current().filter(cohort=ctx.cohort_objs[0]).select_related("examiner").first()
    if first is None or panel is None:
        return
    period_from, period_to = start, ctx.today
    others = Enrolment.objects.filter(cohort__in=ctx.cohort_objs).exclude(learner=first.learner)
    others = [e.learner for e in others.select_related("learner").order_by("learner__username")]
    demo_supervision.seed_current(first.learner, period_from, period_to, others)
    if not ArcpExport.objects.filter(
        learner=first.learner, period_from=period_from, period_to=period_to
    ).exists():
        export = services.build_pack(
            first.learner, period_from, period_to, panel.examiner, via="demo", system=True
        )
        ctx.log(f"ARCP: recorded pack {export.pk} for {first.learner.username}.")
