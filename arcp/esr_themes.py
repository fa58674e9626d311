"""The evidence behind each theme of a supervisor's report: for each of the eight
social-accountability themes, what the portfolio holds in the report's period.

Why theme by theme, beside the evidence: the Gold Guide describes the report as "a synthesis
of the evidence in the trainee's learning portfolio" which "must be evidence based" (4th ed.,
para 7.35, quoted at https://docsbay.net/shortcuts-to-writing-a-quality-educational-supervisors-report-an-educational-supervisors),
and supervisors' reports are written area by area, each judgement referenced to evidence in the
portfolio (https://primarycare.severndeanery.nhs.uk/training/gp-curriculum-and-mrcgp/wpba/writing-a-high-quality-educational-supervisor-s-report/).

Nothing is queried here: it reads the pack's own snapshot (`arcp.evidence.gather`, which asks
each app's policy for the viewer), so the tutor sees for each theme exactly the evidence the
panel's pack will hold for that period, and no more than the viewer may read:

- reflections tagged with the theme (title and number as in the pack);
- marks reached on rubric criteria mapped to the theme (`Criterion.competencies`), from the
  finalised, current assessments of those reflections;
- feedback answers with a rating on a statement mapped to the theme (each instrument item
  names its themes: `feedback.instrument_texts`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from . import evidence


@dataclass
class ThemeEvidence:
    theme: object  # rubrics.Competency
    reflections: list[str] = field(default_factory=list)
    marks: list[str] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)
    text: str = ""  # the tutor's words on the theme, if a report is given

    @property
    def field_name(self) -> str:
        return f"theme_{self.theme.code}"

    @property
    def is_empty(self) -> bool:
        return not (self.reflections or self.marks or self.feedback)


def _feedback_themes(item: evidence.FeedbackEvidence) -> set[str]:
    """Theme codes of the statements this answer rated (a "does not apply" is no evidence)."""
    by_key = {i.get("key"): i.get("themes", ()) for i in (item.feedback.instrument.items or [])}
    return {code for key, value in item.ratings if value is not None for code in by_key.get(key, ())}


def from_snapshot(snapshot: evidence.Snapshot, texts: dict[int, str] | None = None) -> list[ThemeEvidence]:
    """One `ThemeEvidence` per theme, in framework order; `texts` {theme id: tutor's text}."""
    texts = texts or {}
    out = {t.code: ThemeEvidence(theme=t, text=texts.get(t.pk, "")) for t in snapshot.themes}
    for r in snapshot.reflections:
        label = f"{r.number}. {r.title}"
        for theme in r.themes:
            if theme.code in out:
                out[theme.code].reflections.append(label)
        for a in r.assessments:
            for row in a.rows:
                if row.chosen is None:
                    continue
                for theme in row.criterion.competencies.all():
                    if theme.code in out:
                        out[theme.code].marks.append(f"{row.criterion.title}: {row.chosen.label} ({label})")
    for item in snapshot.all_feedback:
        for code in sorted(_feedback_themes(item)):
            if code in out:
                out[code].feedback.append(f"{item.respondent}, {item.feedback.occurred_on:%d %b %Y}")
    return list(out.values())


def gather(learner, period_from: datetime.date, period_to: datetime.date, viewer, texts=None):
    """`from_snapshot` of the pack's evidence for the period, as `viewer` may see it."""
    return from_snapshot(evidence.gather(learner, period_from, period_to, viewer=viewer), texts)


def for_report(report, viewer) -> list[ThemeEvidence]:
    """The themes of a saved report: its period's evidence (for `viewer`) and the tutor's words."""
    return gather(report.learner, report.period_from, report.period_to, viewer, report.theme_texts())
