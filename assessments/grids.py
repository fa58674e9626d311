"""An assessment drawn as a rubric grid (criteria rows × level columns), and the marks of a
reflection a person may read: shared by the marking screens and the reflection page."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from portfolio.models import Reflection
from rubrics import scoring
from rubrics.models import Criterion

from .models import Assessment, Score
from .policies import assessments as policy
from .services import rubric_criteria


@dataclass
class GridCell:
    level: object
    chosen: bool


@dataclass
class GridRow:
    criterion: Criterion
    cells: list[GridCell]
    score: Score | None
    points: int | None = None


@dataclass
class Grid:
    assessment: Assessment
    rows: list[GridRow]
    columns: int
    percentage: Decimal | None = None
    extra: dict = field(default_factory=dict)


def assessment_grid(assessment: Assessment) -> Grid:
    """Criteria rows × level columns of `assessment`'s pinned rubric, the chosen level and
    comment per criterion, and the percentage (from `rubrics.scoring`)."""
    scores = {s.criterion_id: s for s in assessment.scores.all()}
    rows = []
    columns = 0
    for criterion in rubric_criteria(assessment.rubric):
        score = scores.get(criterion.pk)
        chosen = score.level_id if score else None
        cells = [GridCell(level, level.pk == chosen) for level in criterion.levels.all()]
        columns = max(columns, len(cells))
        points = next((c.level.points for c in cells if c.chosen), None)
        rows.append(GridRow(criterion, cells, score, points))
    percentage = None
    if assessment.total is not None and assessment.max_score:
        percentage = scoring.percentage(assessment.total, assessment.max_score)
    return Grid(assessment, rows, columns, percentage)


def visible_assessments_of(user, reflection: Reflection):
    """Finalised assessments of `reflection` that `user` may see, newest first, with scores."""
    return (
        policy.visible(user)
        .filter(reflection=reflection, status=Assessment.Status.FINALISED)
        .select_related("rubric", "assessor", "supersedes", "superseded_by")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("level")))
        .order_by("-finalised_at", "-id")
    )
