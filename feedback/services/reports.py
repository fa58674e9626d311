"""Partner reports for programme admins: per placement (and so per organisation), over a
period, how many learners were there, which of the eight themes their reflections covered,
and what community partners and placement supervisors said, as averages per statement.

Only aggregates: no comment and no single answer is shown, and a statement answered by
fewer than `FLOOR` partners shows no figure. The study calls this "data for change agents".
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError

from portfolio.models import Placement, Reflection

from ..instrument_texts import THEME_CODES
from ..models import Feedback, Instrument, RespondentType
from ..policies import partner_reports
from .rounds import FLOOR

PARTNER_TYPES = (RespondentType.COMMUNITY_PARTNER, RespondentType.PLACEMENT_SUPERVISOR)


@dataclass
class PlacementRow:
    placement: Placement
    learners: int = 0
    reflections: int = 0
    themes: dict[str, int] = field(default_factory=dict)
    responses: dict[str, int] = field(default_factory=dict)  # respondent type -> answers
    means: dict[str, float | None] = field(default_factory=dict)  # statement key -> mean or None


@dataclass
class PartnerReport:
    period_from: datetime.date
    period_to: datetime.date
    rows: list[PlacementRow]
    statements: list[dict]  # [{"key", "prompt", "type"}] in instrument order


def _period(period_from, period_to) -> tuple[datetime.date, datetime.date]:
    errors: dict[str, list[str]] = {}
    dates = []
    for name, value in (("from", period_from), ("to", period_to)):
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                value = None
        if not isinstance(value, datetime.date):
            errors[name] = ["Give a date as YYYY-MM-DD."]
        dates.append(value)
    if not errors and dates[0] > dates[1]:
        errors["to"] = ["The end of the period is before its start."]
    if errors:
        raise ValidationError(errors)
    return dates[0], dates[1]


def _statements() -> list[dict]:
    out, seen = [], set()
    for kind in PARTNER_TYPES:
        for version in Instrument.objects.filter(key=kind).order_by("-version"):
            for item in version.items:
                if item["key"] not in seen:
                    seen.add(item["key"])
                    out.append({"key": item["key"], "prompt": item["prompt"], "type": kind})
    return out


def partner_report(user, period_from, period_to) -> PartnerReport:
    """Build the report for reflections and partner answers dated within the period.

    Counted: reflections that are not drafts, with a placement; answers from community
    partners and placement supervisors on links made for a placement, not withdrawn.
    A learner counts once per placement, whether they wrote or were rated there.

    Raises:
        PermissionDenied: `user` is not a programme admin.
        ValidationError: a missing or reversed period (``{"from"|"to": [...]}``).
    """
    if not partner_reports.may_view(user):
        raise PermissionDenied("Partner reports are for programme admins.")
    start, end = _period(period_from, period_to)
    learners: dict[int, set] = defaultdict(set)
    reflections: dict[int, int] = defaultdict(int)
    themes: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(THEME_CODES, 0))
    in_period = Reflection.objects.exclude(status=Reflection.Status.DRAFT).filter(
        placement__isnull=False, occurred_on__gte=start, occurred_on__lte=end
    )
    for placement_id, learner_id in in_period.values_list("placement_id", "learner_id"):
        learners[placement_id].add(learner_id)
        reflections[placement_id] += 1
    for placement_id, code in in_period.filter(themes__code__in=THEME_CODES).values_list(
        "placement_id", "themes__code"
    ):
        themes[placement_id][code] += 1
    answers = Feedback.objects.filter(
        respondent_type__in=PARTNER_TYPES,
        withdrawn_at__isnull=True,
        invitation__placement__isnull=False,
        occurred_on__gte=start,
        occurred_on__lte=end,
    ).values_list("invitation__placement_id", "learner_id", "respondent_type", "ratings")
    responses: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(PARTNER_TYPES, 0))
    values: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for placement_id, learner_id, kind, ratings in answers:
        learners[placement_id].add(learner_id)
        responses[placement_id][kind] += 1
        for key, value in (ratings or {}).items():
            if isinstance(value, int) and not isinstance(value, bool):
                values[placement_id][key].append(value)
    placements = Placement.objects.filter(pk__in=learners.keys()).order_by("organisation", "place", "pk")
    statements = _statements()
    rows = []
    for placement in placements:
        pid = placement.pk
        means = {}
        for s in statements:
            got = values[pid].get(s["key"], [])
            means[s["key"]] = round(sum(got) / len(got), 2) if len(got) >= FLOOR else None
        rows.append(
            PlacementRow(
                placement=placement,
                learners=len(learners[pid]),
                reflections=reflections.get(pid, 0),
                themes=dict(themes[pid]),
                responses={str(k): v for k, v in responses[pid].items()},
                means=means,
            )
        )
    return PartnerReport(start, end, rows, statements)


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_csv(report: PartnerReport) -> str:
    """One row per placement: counts, theme counts, answers by type, and a mean per
    statement (empty where fewer than `FLOOR` partners answered it)."""
    out = io.StringIO()
    writer = csv.writer(out)
    header = ["organisation", "place", "setting", "period_from", "period_to", "learners", "reflections"]
    header += [f"theme:{code}" for code in THEME_CODES]
    header += [f"answers:{kind}" for kind in PARTNER_TYPES]
    header += [f"mean:{s['key']}" for s in report.statements]
    writer.writerow(header)
    for row in report.rows:
        p = row.placement
        cells = [p.organisation, p.place, p.get_type_display(), report.period_from, report.period_to]
        cells += [row.learners, row.reflections]
        cells += [row.themes.get(code, 0) for code in THEME_CODES]
        cells += [row.responses.get(kind, 0) for kind in PARTNER_TYPES]
        cells += ["" if row.means[s["key"]] is None else row.means[s["key"]] for s in report.statements]
        writer.writerow([_cell(c) for c in cells])
    return out.getvalue()
