"""One learner's portfolio on screen: reflections, markings, patient feedback and ARCP
outcomes in one list, newest first (issue 15), and a cohort's theme coverage.

Nothing here decides who sees what: every entry comes through the owning app's policy
(`portfolio.policies.reflections` with its "others never see drafts", `assessments.policies`
with blind second marking, `feedback.policies` with withdrawn feedback, `arcp.policies`), and
the learner through `arcp.policies.timelines` (the learners the reader supervises). The
queries are constant in the size of the portfolio and, for coverage, in the number of
learners.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from html import escape

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.safestring import mark_safe

from assessments.policies import assessments
from feedback.policies import feedback
from portfolio.models import Reflection
from portfolio.policies import reflections
from reflect import audit
from reflect.people import display_name
from rubrics.models import Competency

from .policies import reviews, timelines

REFLECTION, MARKING, FEEDBACK, OUTCOME = "reflection", "marking", "feedback", "outcome"
KINDS = (
    (REFLECTION, "Reflections"),
    (MARKING, "Markings"),
    (FEEDBACK, "Patient feedback"),
    (OUTCOME, "ARCP outcomes"),
)
# The kinds that carry themes and a reflection status (feedback and outcomes carry neither).
REFLECTIVE = (REFLECTION, MARKING)


@dataclass
class Entry:
    kind: str
    date: datetime.date
    obj: object
    themes: list = field(default_factory=list)
    levels: list = field(default_factory=list)  # markings: [(label, n)] in criterion order

    @property
    def sort_key(self):
        return (self.date, self.kind == OUTCOME, self.obj.pk if isinstance(self.obj.pk, int) else 0)


def _date(value) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def _marking_levels(assessment) -> list[tuple[str, int]]:
    counts = Counter(s.level.label for s in assessment.scores.all() if s.level_id)
    return list(counts.items())


def gather(viewer, learner, *, kind="", theme="", status="", period_from=None, period_to=None) -> list[Entry]:
    """Every entry of `learner`'s portfolio `viewer` may see, filtered, newest first.

    Args:
        kind: one of KINDS' codes, or "" for all.
        theme: a theme code: reflections tagged with it and their markings only.
        status: a reflection status: reflections in it and their markings only.
        period_from, period_to: dates (inclusive) the entry falls on: a reflection's
            "when it happened", a marking's finalising (or last change, for a draft),
            feedback's occasion, an outcome's recording.
    """
    kinds = {kind} if kind else {k for k, _ in KINDS}
    if theme or status:
        kinds &= set(REFLECTIVE)
    entries: list[Entry] = []
    shown_reflections = reflections.visible(viewer).filter(learner=learner)
    if status:
        shown_reflections = shown_reflections.filter(status=status)
    if theme:
        shown_reflections = shown_reflections.filter(themes__code=theme)
    themes_prefetch = Prefetch("themes", queryset=Competency.objects.order_by("sort_order", "pk"))
    if REFLECTION in kinds:
        for r in shown_reflections.select_related("placement").prefetch_related(themes_prefetch):
            entries.append(Entry(REFLECTION, r.occurred_on, r, themes=list(r.themes.all())))
    if MARKING in kinds:
        markings = (
            assessments.visible(viewer)
            .filter(reflection__in=shown_reflections.values("pk"))
            .select_related("rubric", "assessor", "reflection")
            .prefetch_related("scores__level")
        )
        for a in markings:
            when = _date(a.finalised_at) or _date(a.updated_at)
            entries.append(Entry(MARKING, when, a, levels=_marking_levels(a)))
    if FEEDBACK in kinds:
        for fb in feedback.visible(viewer).filter(learner=learner):
            entries.append(Entry(FEEDBACK, fb.occurred_on, fb))
    if OUTCOME in kinds:
        for rv in reviews.visible(viewer).filter(learner=learner).select_related("examiner", "superseded_by"):
            entries.append(Entry(OUTCOME, _date(rv.created_at), rv))
    if period_from:
        entries = [e for e in entries if e.date >= period_from]
    if period_to:
        entries = [e for e in entries if e.date <= period_to]
    entries.sort(key=lambda e: e.sort_key, reverse=True)
    return entries


def record_page_reads(viewer, learner, entries: list[Entry], *, page: int) -> None:
    """Audit one page of someone else's timeline: a row for the timeline read, and one
    list-read row per kind of object on the page (the ids, in page order)."""
    if viewer.pk == learner.pk:
        return
    audit.record(viewer, "read", learner=learner, via="site", view="timeline", page=page)
    types = {REFLECTION: "Reflection", MARKING: "Assessment", FEEDBACK: "Feedback", OUTCOME: "ArcpReview"}
    for kind, object_type in types.items():
        rows = [{"id": e.obj.pk, "learner_id": learner.pk} for e in entries if e.kind == kind]
        if rows:
            audit.record_reads(viewer, rows, via="site", object_type=object_type)


def find_learners(viewer, q: str):
    """Learners in `viewer`'s scope whose name or username holds every word of `q`."""
    found = timelines.visible(viewer)
    for word in q.split():
        found = found.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(username__icontains=word)
        )
    return found.select_related("enrolment__cohort").order_by("last_name", "first_name", "username")


# --- Theme coverage per cohort ----------------------------------------------------------------
def cohort_coverage(viewer, cohort, period_from, period_to) -> dict:
    """Submitted reflections per theme per learner of `cohort` that `viewer` supervises, with
    "when it happened" in the period. Four queries whatever the number of learners."""
    themes = list(Competency.objects.themes().order_by("sort_order", "pk"))
    people = list(
        timelines.visible(viewer)
        .filter(enrolment__cohort=cohort)
        .order_by("last_name", "first_name", "username")
    )
    counted = (
        reflections.visible(viewer)
        .filter(learner__in=[p.pk for p in people], occurred_on__range=(period_from, period_to))
        .exclude(status=Reflection.Status.DRAFT)
        .filter(themes__in=themes)
        .values("learner_id", "themes__code")
        .annotate(n=Count("pk", distinct=True))
    )
    counts = {(row["learner_id"], row["themes__code"]): row["n"] for row in counted}
    rows = [
        {
            "learner": p,
            "name": display_name(p),
            "counts": [counts.get((p.pk, t.code), 0) for t in themes],
        }
        for p in people
    ]
    for row in rows:
        row["covered"] = sum(1 for n in row["counts"] if n)
    return {"themes": themes, "rows": rows, "top": max((n for r in rows for n in r["counts"]), default=0)}


# Light to dark blue; the number is written in every cell (dark text on the light steps,
# white on the dark ones, both above 4.5:1), so nothing depends on telling colours apart.
STEPS = ("#f4f6f8", "#d6e6f2", "#9cc3e0", "#2f7ab0", "#0b4f78")
TEXT = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="13"'


def _step(n: int, top: int) -> int:
    if n <= 0 or top <= 0:
        return 0
    return min(4, 1 + (3 * (n - 1)) // max(top - 1, 1)) if top > 1 else 4


def heatmap_svg(coverage: dict) -> str:
    """Learners × themes as an inline SVG (no script): columns are the themes by number
    (their names are in the legend and the table), each cell coloured and numbered."""
    themes, rows, top = coverage["themes"], coverage["rows"], coverage["top"]
    cell_w, cell_h, label_w, head_h = 52, 30, 200, 30
    width = label_w + cell_w * len(themes) + 4
    height = head_h + cell_h * len(rows) + 4
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart heatmap" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="heatmap-title">',
        '<title id="heatmap-title">Submitted reflections per theme for each learner</title>',
    ]
    for j, _theme in enumerate(themes):
        x = label_w + j * cell_w + cell_w / 2
        out.append(f'<text x="{x:.0f}" y="20" text-anchor="middle" font-weight="bold" {TEXT}>T{j + 1}</text>')
    for i, row in enumerate(rows):
        y = head_h + i * cell_h
        name = row["name"] if len(row["name"]) <= 26 else row["name"][:25] + "…"
        text_y = f"{y + cell_h / 2 + 5:.0f}"
        out.append(f'<text x="{label_w - 8}" y="{text_y}" text-anchor="end" {TEXT}>{escape(name)}</text>')
        for j, n in enumerate(row["counts"]):
            step = _step(n, top)
            x = label_w + j * cell_w
            out.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="{STEPS[step]}" stroke="#c5ccd3"/>'
            )
            colour = "#ffffff" if step >= 3 else "#1b1b1b"
            out.append(
                f'<text x="{x + cell_w / 2:.0f}" y="{y + cell_h / 2 + 5:.0f}" text-anchor="middle" '
                f'fill="{colour}" {TEXT}>{n}</text>'
            )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text node above is escaped or a number
