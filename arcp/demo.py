"""Demo data for ARCP: two previous outcomes and one real recorded pack (idempotent).

For the first learner of the first cohort: two earlier review periods, each with a recorded
(bare) export record and an outcome by the cohort's examiner, then a real pack for the current
year, built by `arcp.services.build_pack` unless one already exists for that learner/period.
"""

from __future__ import annotations

import datetime
import hashlib

from portfolio.models import Enrolment

from . import services
from .models import ArcpExport, ArcpReview


def seed(ctx) -> None:
    if not ctx.cohort_objs or not ctx.examiners:
        return
    cohort = ctx.cohort_objs[0]
    enrolment = (
        Enrolment.objects.filter(cohort=cohort)
        .select_related("learner")
        .order_by("learner__username")
        .first()
    )
    if enrolment is None:
        return
    learner, examiner = enrolment.learner, ctx.examiners[0]
    # The current review year: the last 365 days; the two previous years before it.
    start = ctx.today - datetime.timedelta(days=365)
    day = datetime.timedelta(days=1)
    year = datetime.timedelta(days=365)
    previous = [
        (start - 2 * year, start - year - day, "1", [], "Good first year."),
        (
            start - year,
            start - day,
            "2",
            ["U2"],
            "Needs more community-based experience; plan a third-sector placement.",
        ),
    ]
    for period_from, period_to, outcome, codes, comments in previous:
        if ArcpReview.objects.filter(learner=learner, period_from=period_from, period_to=period_to).exists():
            continue
        # Earlier years' packs predate this system's records: keep a record of them (no file).
        digest = hashlib.sha256(f"demo:{learner.pk}:{period_from}:{period_to}".encode()).hexdigest()
        export, _ = ArcpExport.objects.get_or_create(
            learner=learner,
            period_from=period_from,
            period_to=period_to,
            sha256=digest,
            defaults={"created_by": examiner},
        )
        # Through the service, so demo outcomes obey the same rules (reason codes, panel
        # scope) and are audited like real ones.
        services.record_review(
            examiner, learner, period_from, period_to, export, outcome, codes, comments, via="demo"
        )
    # One real pack for the current year (skip if one exists for that learner and period).
    period_from, period_to = start, ctx.today
    if not ArcpExport.objects.filter(learner=learner, period_from=period_from, period_to=period_to).exists():
        export = services.build_pack(learner, period_from, period_to, examiner, via="demo", system=True)
        ctx.log(f"ARCP: recorded pack {export.pk} for {learner.username}.")
