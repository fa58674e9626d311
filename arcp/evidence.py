"""The evidence snapshot behind an ARCP pack: what the panel sees for a learner and period.

Rules (the panel judges from evidence alone, so they are precise):

- **Period and cut-off.** A pack covers ``period_from``..``period_to``; ``period_to`` is also
  the evidence cut-off. "By the cut-off" means before midnight at the end of the cut-off day,
  in the site's time zone.
- **Reflections.** A reflection is evidence when it was *submitted by the cut-off*
  (status ``submitted``, ``changes_requested`` or ``signed_off`` with a submission before the
  end of the cut-off day) and either happened (``occurred_on``) or was submitted within the
  period. One resubmitted after the cut-off stays in, as it was submitted before it.
  Drafts never appear. For a reflection that went back to the learner (``changes_requested``)
  the panel sees the text as last submitted (the revision stored with the last submission),
  not edits made since, which nobody has reviewed yet.
- **Assessments.** Finalised assessments of those reflections, finalised by the cut-off.
  Superseded assessments are not drawn; the summary lists each supersede with its reason.
- **Feedback.** Patient/community feedback about sessions in the period, received by the
  cut-off. Withdrawn feedback is not shown; the summary says how many were withdrawn.
  Anonymous feedback never carries a name.
- **Sign-offs.** Sign-off events (``ReviewEvent`` SIGNED_OFF) of those reflections, by the
  cut-off.
- **Previous outcomes.** ARCP reviews of this learner whose period ended before this pack's
  cut-off date.
- **Late entries.** Reflections written (created) or submitted in the 14 days before the
  cut-off are flagged, so back-dated batches are visible.

`gather()` runs a CONSTANT number of queries whatever the number of reflections (prefetches
with `Prefetch` objects); the tests hold it to that.
"""

from __future__ import annotations

import datetime
import functools
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.utils import timezone

from assessments.models import Assessment, Score
from assessments.policies import assessments as assessment_policy
from feedback import instrument
from feedback.models import ColleagueRound, Feedback
from feedback.policies import feedback as feedback_policy
from feedback.policies import rounds as round_policy
from feedback.services import rounds as colleague_rounds
from portfolio.models import Attachment, Enrolment, Placement, Reflection, ReviewEvent, Setting
from portfolio.policies import attachments as attachment_policy
from portfolio.policies import reflections as reflection_policy
from reflect.people import display_name
from rubrics import scoring
from rubrics.models import Competency, Criterion, Level

from .goal_evidence import gather_goals
from .models import ArcpReview, SupervisorReport
from .policies import reviews as review_policy
from .policies import supervisor_reports as report_policy

LATE_DAYS = 14
EVIDENCE_STATUSES = (
    Reflection.Status.SUBMITTED,
    Reflection.Status.CHANGES_REQUESTED,
    Reflection.Status.SIGNED_OFF,
)


def cutoff_end(period_to: datetime.date) -> datetime.datetime:
    """The first instant after the cut-off day (exclusive bound), in the site's time zone."""
    return timezone.make_aware(
        datetime.datetime.combine(period_to + datetime.timedelta(days=1), datetime.time.min)
    )


# --- Data shapes handed to the templates ---------------------------------------------------
@dataclass
class GridCell:
    level: Level
    chosen: bool


@dataclass
class GridRow:
    criterion: Criterion
    cells: list[GridCell]
    chosen: Level | None
    comment: str

    @property
    def other_levels(self) -> list[Level]:
        """The levels not chosen, in the rubric's order (the pack prints them after the chosen one)."""
        return [cell.level for cell in self.cells if not cell.chosen]


@dataclass
class AssessmentEvidence:
    assessment: Assessment
    rubric_title: str
    rubric_version: int
    assessor_name: str
    rows: list[GridRow]
    total: Decimal | None
    max_score: Decimal | None
    supersedes: Assessment | None


@dataclass
class FeedbackEvidence:
    feedback: Feedback
    respondent: str  # never a name when anonymous
    ratings: list[tuple[str, Any]]  # (statement key, rating)

    @property
    def rating_rows(self) -> list[tuple[str, Any]]:
        """(statement wording, rating) for printing."""
        words = self.feedback.instrument.label
        return [(statement_label(key), rating_label(value, words)) for key, value in self.ratings]


@dataclass
class ReflectionEvidence:
    reflection: Reflection
    number: int
    title: str
    body_html: str  # as last submitted; sanitised again by the renderer
    themes: list[Competency]
    placement: Placement | None
    assessments: list[AssessmentEvidence]
    feedback: list[FeedbackEvidence]
    signoffs: list[ReviewEvent]
    late_written: bool
    late_submitted: bool
    # When it was submitted as the panel sees it (the last submission before the cut-off).
    submitted_at: datetime.datetime | None = None
    # Submitted again after the cut-off: the panel sees the earlier submission.
    resubmitted_after_cutoff: bool = False
    # Files attached by the cut-off that the viewer may see (images drawn, PDFs listed).
    attachments: list = field(default_factory=list)

    @property
    def late(self) -> bool:
        return self.late_written or self.late_submitted


@dataclass
class Snapshot:
    learner: Any
    learner_name: str
    cohort: Any
    period_from: datetime.date
    period_to: datetime.date
    made_at: datetime.datetime
    themes: list[Competency]
    reflections: list[ReflectionEvidence]
    unmatched_feedback: list[FeedbackEvidence]
    all_feedback: list[FeedbackEvidence]
    withdrawn_feedback: int
    signoffs: list[ReviewEvent]
    previous_reviews: list[ArcpReview]
    superseded: list[tuple[Assessment, Assessment]]
    summary: dict = field(default_factory=dict)
    # Signed educational supervisor's reports overlapping the period, signed by the cut-off.
    supervisor_reports: list[SupervisorReport] = field(default_factory=list)
    goals: list = field(default_factory=list)  # arcp.goal_evidence.GoalEvidence, as at the cut-off
    # Released colleague rounds closing in the period: combined results only (never an answer).
    colleague_rounds: list[dict] = field(default_factory=list)

    @property
    def late_entries(self) -> list[ReflectionEvidence]:
        return [r for r in self.reflections if r.late]


# --- Gathering -----------------------------------------------------------------------------
def reflections_in_period(learner, period_from: datetime.date, period_to: datetime.date):
    """The queryset of the learner's reflections that count as evidence (see module doc).

    "Submitted by the cut-off" looks at every submission (ReviewEvent SUBMITTED), not only the
    latest `submitted_at`: a reflection submitted before the cut-off and resubmitted after it
    is still evidence, shown as it was submitted before the cut-off (`_submitted_content`).
    """
    end = cutoff_end(period_to)
    start = timezone.make_aware(datetime.datetime.combine(period_from, datetime.time.min))
    submissions = ReviewEvent.objects.filter(reflection=OuterRef("pk"), action=ReviewEvent.Action.SUBMITTED)
    return Reflection.objects.filter(
        Q(submitted_at__lt=end) | Exists(submissions.filter(created_at__lt=end)),
        learner=learner,
        status__in=EVIDENCE_STATUSES,
        submitted_at__isnull=False,
    ).filter(
        Q(occurred_on__gte=period_from, occurred_on__lte=period_to)
        | Q(submitted_at__gte=start, submitted_at__lt=end)
        | Exists(submissions.filter(created_at__gte=start, created_at__lt=end))
    )


def _rubric_grid(assessment: Assessment) -> list[GridRow]:
    by_criterion = {s.criterion_id: s for s in assessment.scores.all()}
    rows = []
    for criterion in assessment.rubric.criteria.all():
        score = by_criterion.get(criterion.pk)
        chosen_id = score.level_id if score else None
        levels = list(criterion.levels.all())
        chosen = next((lv for lv in levels if lv.pk == chosen_id), None)
        rows.append(
            GridRow(
                criterion=criterion,
                cells=[GridCell(level=lv, chosen=lv.pk == chosen_id) for lv in levels],
                chosen=chosen,
                comment=score.comment if score else "",
            )
        )
    return rows


def _totals(assessment: Assessment) -> dict:
    """Total and maximum by the rubric app's scoring maths (no queries: the rubric's criteria,
    levels and competencies are prefetched); the stored figures if scoring refuses."""
    try:
        result = scoring.score(
            assessment.rubric, {s.criterion_id: s.level_id for s in assessment.scores.all() if s.level_id}
        )
        return {"total": result.total, "max_score": result.max_score}
    except (ValidationError, AttributeError):
        return {"total": assessment.total, "max_score": assessment.max_score}


def _feedback_evidence(fb: Feedback) -> FeedbackEvidence:
    role = fb.get_respondent_role_display()
    if fb.anonymous or not fb.respondent_name.strip():
        respondent = f"Anonymous {role.lower()}"
    else:
        respondent = f"{fb.respondent_name} ({role.lower()})"
    ratings = sorted((fb.ratings or {}).items(), key=lambda kv: (statement_order(kv[0]), kv[0]))
    return FeedbackEvidence(feedback=fb, respondent=respondent, ratings=ratings)


def _last_submission(reflection: Reflection):
    """The last submission event before the cut-off (events are prefetched up to it)."""
    submissions = [e for e in reflection.arcp_events if e.action == ReviewEvent.Action.SUBMITTED]
    return submissions[-1] if submissions else None


def _submitted_content(reflection: Reflection, end: datetime.datetime) -> tuple[str, str]:
    """Title and body the panel sees: the text as last submitted before the cut-off when the
    reflection went back to the learner (changes_requested) or was resubmitted after the
    cut-off; otherwise the reflection as it stands (submitted or signed off, unchanged since)."""
    reworked = reflection.status == Reflection.Status.CHANGES_REQUESTED or (
        reflection.submitted_at is not None and reflection.submitted_at >= end
    )
    if reworked:
        last = _last_submission(reflection)
        if last is not None and last.revision is not None:
            content = last.revision.content or {}
            return content.get("title") or reflection.title, content.get("body_html", reflection.body_html)
    return reflection.title, reflection.body_html


def _within(queryset, allowed):
    """`queryset` narrowed to the rows of `allowed` (a policy's queryset)."""
    return queryset.filter(pk__in=allowed.values("pk"))


def _share_rubrics(assessments: list[Assessment], criteria_qs) -> None:
    """One instance per rubric for all `assessments`, with its criteria (levels, competencies)
    prefetched once: the same three queries as `rubric__criteria` on the markings, without a
    copy of every criterion and level per marking (the grids and totals read them)."""
    rubrics: dict[int, Any] = {}
    for a in assessments:
        a.rubric = rubrics.setdefault(a.rubric_id, a.rubric)
    prefetch_related_objects(list(rubrics.values()), Prefetch("criteria", queryset=criteria_qs))


def gather(
    learner, period_from: datetime.date, period_to: datetime.date, viewer=None, *, screen: bool = False
) -> Snapshot:
    """Collect everything the panel sees for `learner` in the period, with a constant number
    of queries (independent of how many reflections, assessments or feedback there are).

    What may be shown is each app's policy, asked for `viewer` (the person the pack is made
    for): the pack never holds anything that person could not read on the site or in the
    API, a blind second marking included. Without a viewer (operator tools), the released
    evidence: what the learner and their panel may read.

    Args:
        learner: the learner (a User).
        period_from: first day of the review period.
        period_to: last day of the period, also the evidence cut-off.
        viewer: who the pack is for (None: the released evidence).
        screen: only what the examiner's panel page shows (`arcp/panel_learner.html`): the
            reflections with their themes, sign-offs, feedback and current markings (totals,
            not the rubric grids), and the summary's counts. Attachments, goals, colleague
            rounds, supervisor's reports and previous outcomes stay empty (the page lists
            the reports and outcomes itself) and `summary["rubrics"]` is empty. The same
            queries and policies as the pack for everything it holds, so the counts agree.
    Returns:
        A `Snapshot` ready for the print templates.
    """
    end = cutoff_end(period_to)
    themes = list(Competency.objects.themes().order_by("sort_order", "code"))
    enrolment = Enrolment.of(learner)
    cohort = enrolment.cohort if enrolment else None

    level_qs = Level.objects.order_by("sort_order", "points", "pk")
    criteria_qs = Criterion.objects.order_by("sort_order", "pk").prefetch_related(
        Prefetch("levels", queryset=level_qs), "competencies"
    )
    score_qs = Score.objects.all()  # levels are read from the rubric's (prefetched) criteria
    allowed_assessments = (
        assessment_policy.released() if viewer is None else assessment_policy.visible(viewer)
    )
    assessment_qs = (
        _within(
            Assessment.objects.filter(status=Assessment.Status.FINALISED, finalised_at__lt=end),
            allowed_assessments,
        )
        .select_related("rubric", "assessor", "supersedes", "supersedes__assessor")
        .prefetch_related(Prefetch("scores", queryset=score_qs))
        .order_by("finalised_at", "pk")
    )
    events_qs = (
        ReviewEvent.objects.filter(
            action__in=(ReviewEvent.Action.SUBMITTED, ReviewEvent.Action.SIGNED_OFF), created_at__lt=end
        )
        .select_related("actor", "revision")
        .order_by("created_at", "pk")
    )
    prefetches = [
        Prefetch("themes", queryset=Competency.objects.select_related("framework")),
        Prefetch("assessments", queryset=assessment_qs, to_attr="arcp_assessments"),
        Prefetch("events", queryset=events_qs, to_attr="arcp_events"),
    ]
    if not screen:
        attachments_qs = Attachment.objects.filter(created_at__lt=end).order_by("created_at", "pk")
        if viewer is not None:
            attachments_qs = _within(attachments_qs, attachment_policy.visible(viewer))
        prefetches.append(Prefetch("attachments", queryset=attachments_qs, to_attr="arcp_attachments"))
    in_period = reflections_in_period(learner, period_from, period_to)
    if viewer is not None:
        in_period = _within(in_period, reflection_policy.visible(viewer))
    reflections = list(
        in_period.select_related("placement")
        .prefetch_related(*prefetches)
        .order_by("occurred_on", "submitted_at", "pk")
    )
    _share_rubrics([a for r in reflections for a in r.arcp_assessments], criteria_qs)
    # Every answer in the period (withdrawn ones are counted, never shown), each marked with
    # whether this viewer may read it.
    shown = feedback_policy.released() if viewer is None else feedback_policy.visible(viewer)
    feedback_rows = list(
        Feedback.objects.filter(
            learner=learner,
            occurred_on__gte=period_from,
            occurred_on__lte=period_to,
            submitted_at__lt=end,
        )
        .annotate(shown=Exists(shown.filter(pk=OuterRef("pk"))))
        .select_related("instrument")
        .order_by("occurred_on", "submitted_at", "pk")
    )
    visible_feedback = [fb for fb in feedback_rows if fb.withdrawn_at is None and fb.shown]
    withdrawn = sum(1 for fb in feedback_rows if fb.withdrawn_at is not None)
    all_feedback = [_feedback_evidence(fb) for fb in visible_feedback]
    feedback_by_date: dict[datetime.date, list[FeedbackEvidence]] = defaultdict(list)
    for item in all_feedback:
        feedback_by_date[item.feedback.occurred_on].append(item)

    late_from = end - datetime.timedelta(days=LATE_DAYS)
    evidence: list[ReflectionEvidence] = []
    superseded: list[tuple[Assessment, Assessment]] = []  # (old, the one that replaced it)
    matched_feedback: set[int] = set()
    all_signoffs: list[ReviewEvent] = []
    for number, reflection in enumerate(reflections, start=1):
        finalised = reflection.arcp_assessments
        replaced_by = {a.supersedes_id: a for a in finalised if a.supersedes_id}
        current = [a for a in finalised if a.pk not in replaced_by]
        superseded.extend((a, replaced_by[a.pk]) for a in finalised if a.pk in replaced_by)
        assessments = [
            AssessmentEvidence(
                assessment=a,
                rubric_title=a.rubric.title,
                rubric_version=a.rubric.version,
                assessor_name=display_name(a.assessor),
                rows=[] if screen else _rubric_grid(a),
                **_totals(a),
                supersedes=a.supersedes,
            )
            for a in current
        ]
        related_feedback = feedback_by_date.get(reflection.occurred_on, [])
        matched_feedback.update(item.feedback.pk for item in related_feedback)
        signoffs = [e for e in reflection.arcp_events if e.action == ReviewEvent.Action.SIGNED_OFF]
        all_signoffs.extend(signoffs)
        title, body = _submitted_content(reflection, end)
        last = _last_submission(reflection)
        submitted_at = (
            reflection.submitted_at
            if reflection.submitted_at and reflection.submitted_at < end
            else (last.created_at if last else None)
        )
        evidence.append(
            ReflectionEvidence(
                reflection=reflection,
                number=number,
                title=title,
                body_html=body,
                themes=list(reflection.themes.all()),
                placement=reflection.placement,
                assessments=assessments,
                feedback=related_feedback,
                signoffs=signoffs,
                late_written=late_from <= reflection.created_at < end,
                late_submitted=bool(submitted_at and late_from <= submitted_at < end),
                submitted_at=submitted_at,
                resubmitted_after_cutoff=bool(reflection.submitted_at and reflection.submitted_at >= end),
                attachments=[] if screen else reflection.arcp_attachments,
            )
        )
    unmatched = [item for item in all_feedback if item.feedback.pk not in matched_feedback]
    snapshot = Snapshot(
        learner=learner,
        learner_name=display_name(learner),
        cohort=cohort,
        period_from=period_from,
        period_to=period_to,
        made_at=timezone.localtime(),
        themes=themes,
        reflections=evidence,
        unmatched_feedback=unmatched,
        all_feedback=all_feedback,
        withdrawn_feedback=withdrawn,
        signoffs=sorted(all_signoffs, key=lambda e: (e.created_at, e.pk)),
        previous_reviews=[],
        superseded=superseded,
    )
    if not screen:
        _pack_only_parts(snapshot, end, viewer)
    snapshot.summary = summarise(snapshot)
    return snapshot


def _pack_only_parts(snapshot: Snapshot, end: datetime.datetime, viewer) -> None:
    """What the pack holds beyond the panel page's evidence list (see `gather(screen=...)`):
    previous outcomes, supervisor's reports, colleague rounds and goals, each through its
    app's policy for `viewer` (None: released)."""
    learner, period_from, period_to = snapshot.learner, snapshot.period_from, snapshot.period_to
    outcomes = ArcpReview.objects.all() if viewer is None else review_policy.visible(viewer)
    snapshot.previous_reviews = list(
        _within(ArcpReview.objects.filter(learner=learner, period_to__lt=period_to), outcomes)
        .select_related("examiner", "supersedes", "superseded_by")
        .order_by("period_to", "created_at")
    )
    esr_allowed = SupervisorReport.objects.all() if viewer is None else report_policy.visible(viewer)
    esrs = _within(
        SupervisorReport.objects.filter(learner=learner).covering(period_from, period_to, end), esr_allowed
    )
    esrs = esrs.select_related("author").with_themes().order_by("period_from", "signed_at", "pk")
    snapshot.supervisor_reports = list(esrs)
    released = ColleagueRound.objects.filter(
        learner=learner, closes_on__gte=period_from, closes_on__lte=period_to, released_at__lt=end
    )
    if viewer is not None:
        released = released.filter(pk__in=round_policy.visible(viewer).values("pk"))
    released = released.select_related("instrument").order_by("closes_on", "pk")
    snapshot.colleague_rounds = [colleague_rounds.aggregates(r) for r in released]
    numbers = {r.reflection.pk: (r.number, r.title) for r in snapshot.reflections}
    snapshot.goals = gather_goals(learner, period_from, end, viewer=viewer, reflections=numbers)


# --- Summary -------------------------------------------------------------------------------
def summarise(snapshot: Snapshot) -> dict:
    """Counts and distributions for the summary page (no queries: works on the snapshot)."""
    kinds = Counter(r.reflection.kind for r in snapshot.reflections)
    settings = Counter(r.reflection.setting or "" for r in snapshot.reflections)
    theme_counts = Counter(t.code for r in snapshot.reflections for t in r.themes)
    other_themes = Counter(
        t.title
        for r in snapshot.reflections
        for t in r.themes
        if t.code not in {x.code for x in snapshot.themes}
    )
    coverage = [
        {"code": t.code, "title": t.title, "count": theme_counts.get(t.code, 0)} for t in snapshot.themes
    ]
    setting_labels = dict(Setting.choices)

    # Assessments by rubric: per criterion, how many times each level was chosen.
    rubrics: OrderedDict[int, dict] = OrderedDict()
    for r in snapshot.reflections:
        for a in r.assessments:
            entry = rubrics.setdefault(
                a.assessment.rubric_id,
                {"title": a.rubric_title, "version": a.rubric_version, "count": 0, "criteria": OrderedDict()},
            )
            entry["count"] += 1
            for row in a.rows:
                crit = entry["criteria"].setdefault(
                    row.criterion.pk,
                    {
                        "title": row.criterion.title,
                        "levels": OrderedDict(
                            (lv.pk, {"label": lv.label, "n": 0}) for lv in row.criterion.levels.all()
                        ),
                        "unscored": 0,
                    },
                )
                if row.chosen is not None and row.chosen.pk in crit["levels"]:
                    crit["levels"][row.chosen.pk]["n"] += 1
                else:
                    crit["unscored"] += 1
    rubric_summary = [
        {
            **{k: v for k, v in entry.items() if k != "criteria"},
            "criteria": [
                {"title": c["title"], "levels": list(c["levels"].values()), "unscored": c["unscored"]}
                for c in entry["criteria"].values()
            ],
        }
        for entry in rubrics.values()
    ]

    # Feedback: count and mean rating per statement (key).
    totals: dict[str, list[float]] = defaultdict(list)
    for item in snapshot.all_feedback:
        for key, value in item.ratings:  # "does not apply" (None) is left out of the mean
            if isinstance(value, int | float) and not isinstance(value, bool):
                totals[key].append(float(value))
    feedback_means = [
        {"key": key, "label": statement_label(key), "n": len(values), "mean": sum(values) / len(values)}
        for key, values in sorted(totals.items())
    ]

    titles = {r.reflection.pk: f"{r.number}. {r.title}" for r in snapshot.reflections}
    supersedes = [
        {
            "reflection": titles.get(old.reflection_id, ""),
            "rubric": old.rubric.title,
            "assessor": display_name(old.assessor),
            "finalised_at": old.finalised_at,
            "replaced_by": display_name(new.assessor),
            "replaced_at": new.finalised_at,
            "reason": new.supersede_reason,
        }
        for old, new in snapshot.superseded
    ]
    return {
        "reflection_count": len(snapshot.reflections),
        "by_kind": [
            {"label": label, "count": kinds.get(code, 0)}
            for code, label in Reflection.Kind.choices
            if kinds.get(code)
        ],
        "by_setting": [
            {"label": setting_labels.get(code, "Not recorded"), "count": n}
            for code, n in sorted(settings.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "theme_coverage": coverage,
        "themes_covered": sum(1 for c in coverage if c["count"]),
        "other_themes": sorted(other_themes.items()),
        "untagged": sum(1 for r in snapshot.reflections if not r.themes),
        "assessment_count": sum(len(r.assessments) for r in snapshot.reflections),
        "rubrics": rubric_summary,
        "feedback_count": len(snapshot.all_feedback),
        "feedback_withdrawn": snapshot.withdrawn_feedback,
        "feedback_anonymous": sum(1 for f in snapshot.all_feedback if f.feedback.anonymous),
        "feedback_means": feedback_means,
        "late_count": len(snapshot.late_entries),
        "supersedes": supersedes,
        "signoff_count": len(snapshot.signoffs),
        "status_counts": Counter(r.reflection.status for r in snapshot.reflections),
    }


@functools.cache
def statement_label(key: str) -> str:
    """The feedback instrument's wording for a rating key (the key itself if unknown)."""
    try:
        return instrument.item(key).prompt
    except KeyError:
        return key.replace("_", " ").capitalize()


def statement_order(key: str) -> int:
    """Position of a statement in its instrument (unknown keys last)."""
    return instrument.order(key)


def rating_label(value, words_for=instrument.label) -> str:
    """ "4 (Very good)"; "Does not apply" for None (`words_for`: the answer's instrument's words)."""
    words = words_for(value)
    if value is None:
        return words or "Does not apply"
    return f"{value} ({words})" if words and words != str(value) else str(value)
