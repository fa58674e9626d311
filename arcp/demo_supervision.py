"""Demo data for supervisor's reports and panel roles (idempotent), called by `arcp.demo`.

- Earlier years: a signed report (backdated to the end of its period, as it was signed then)
  for each earlier period whose outcome the panel judged on one (not 5, "evidence missing", nor
  10.1), before the outcome is recorded: outcome 1 needs it.
- The current year of the first cohort's first learner: a signed interim report (first half)
  and a shared one with the learner's comment (second half); the draft of a full-year report
  for another learner (one report per learner per period: periods never overlap).
- Every report has the tutor's words on each of the eight themes.
- Panels: each demo cohort's examiner chairs its panel; the first cohort's panel also has a
  lay representative (`layrep`) and an external assessor (`externalassessor`).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from portfolio.models import Panel
from portfolio.policies import learners
from reflect import roles as R
from rubrics.models import Competency

from . import services
from .models import SupervisorReport

DAY = datetime.timedelta(days=1)


def tutor_of(learner):
    """The learner's tutor who writes their reports: a programme tutor before the two-role demo
    person, by username (deterministic)."""
    tutors = sorted(
        learners.current_tutors(learner), key=lambda t: (not t.username.startswith("tutor"), t.username)
    )
    return tutors[0] if tutors else None


def theme_texts(good: bool) -> dict[str, str]:
    """The tutor's words on each theme, by code."""
    themes = Competency.objects.themes().order_by("sort_order", "code")
    if good:
        return {
            t.code: f"Clear growth in “{t.title}”: the reflections in the period show the learner "
            "linking what they saw in the community to what they will do in clinic."
            for t in themes
        }
    return {t.code: f"Little evidence of “{t.title}” in the period; we agreed a plan." for t in themes}


def ensure_report(learner, period_from, period_to, status, recommendation, *, comment="", backdate=False):
    """The report of `learner` for the period, made through the services up to `status` (none if
    the learner has no tutor). A second run finds it and changes nothing."""
    existing = SupervisorReport.objects.filter(
        learner=learner, period_from=period_from, period_to=period_to
    ).first()
    if existing is not None:
        return existing
    author = tutor_of(learner)
    if author is None:
        return None
    good = recommendation == SupervisorReport.Recommendation.SATISFACTORY
    report = services.create_report(
        author,
        learner,
        {
            "period_from": period_from,
            "period_to": period_to,
            "recommendation": recommendation,
            "progress": "Steady reflective writing across the community placements; strongest on lived "
            "experience and advocacy, thinnest on change agency."
            if good
            else "Few reflections and little contact with supervision in the period.",
            "engagement": "Attended every supervision meeting." if good else "Missed three of five meetings.",
            "concerns": "" if good else "Gaps in the portfolio across most themes.",
            "development_needs": "Lead a small improvement project with a third-sector partner.",
            "themes": theme_texts(good),
        },
        via="demo",
    )
    if status in (SupervisorReport.Status.SHARED, SupervisorReport.Status.SIGNED):
        services.share_report(author, report.pk, via="demo")
        if comment:
            services.comment_on_report(learner, report.pk, comment, via="demo")
    if status == SupervisorReport.Status.SIGNED:
        report = services.sign_report(author, report.pk, via="demo")
        if backdate:
            signed = timezone.make_aware(datetime.datetime.combine(period_to, datetime.time(12)))
            SupervisorReport.objects.filter(pk=report.pk).update(shared_at=signed, signed_at=signed)
    report.refresh_from_db()
    return report


def seed_history_report(learner, period_from, period_to, outcome) -> None:
    if outcome in ("5", "10.1", "10.2", "none"):
        return
    recommendation = (
        SupervisorReport.Recommendation.SATISFACTORY
        if outcome in services.NEEDS_SIGNED_ESR
        else SupervisorReport.Recommendation.UNSATISFACTORY
    )
    ensure_report(
        learner, period_from, period_to, SupervisorReport.Status.SIGNED, recommendation, backdate=True
    )


def seed_current(learner, start, today, others=()) -> None:
    """`learner`'s signed and shared reports of the year; the draft of the year for the first of
    `others` with a tutor and no report of the period yet (the same one on a second run)."""
    middle = start + (today - start) / 2
    ok = SupervisorReport.Recommendation.SATISFACTORY
    ensure_report(learner, start, middle, SupervisorReport.Status.SIGNED, ok)
    ensure_report(
        learner,
        middle + DAY,
        today,
        SupervisorReport.Status.SHARED,
        ok,
        comment="I agree; I would add the food bank audit I led in the spring.",
    )
    for other in others:
        taken = SupervisorReport.objects.filter(learner=other, period_from__lte=today, period_to__gte=start)
        if taken.filter(period_from=start, period_to=today).exists():
            return  # made on an earlier run
        if tutor_of(other) is not None and not taken.exists():
            ensure_report(other, start, today, SupervisorReport.Status.DRAFT, ok)
            return


def seed_panel_roles(ctx) -> None:
    for i, cohort in enumerate(ctx.cohort_objs):
        Panel.objects.current().filter(cohort=cohort, examiner__username=f"examiner{i + 1}").update(
            role=Panel.Role.CHAIR
        )
    if not ctx.cohort_objs:
        return
    first = ctx.cohort_objs[0]
    for username, given, family, role in (
        ("layrep", "Pat", "Morrison", Panel.Role.LAY_REPRESENTATIVE),
        ("externalassessor", "Dr Ifeoma", "Eze", Panel.Role.EXTERNAL_ASSESSOR),
    ):
        person = ctx.user(username, given, family, R.EXAMINER)
        Panel.objects.update_or_create(
            examiner=person,
            cohort=first,
            defaults={"role": role},
            create_defaults={
                "role": role,
                "opens_on": ctx.today - 30 * DAY,
                "closes_on": ctx.today + 60 * DAY,
            },
        )
