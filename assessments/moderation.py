"""Agreement between markers of double-marked reflections (blind second marking).

For each rubric version and each pair of markers, over every criterion both scored on the
reflections they both marked (both markings finalised, neither superseded):

- exact agreement: the share of criteria where both chose the same level;
- weighted Cohen's kappa with linear weights over level order;
- the reflections where the markers differ by two or more levels on any criterion.

Levels are compared by their position within their criterion (0 = lowest), so rubrics whose
criteria share a level scale (the usual case) compare like with like.

Weighted kappa (Cohen 1968), with k levels, n paired ratings, ``o_ij`` the share of ratings
where marker A chose level i and marker B level j, ``a_i`` and ``b_j`` the marginal shares,
and the linear disagreement weight ``w_ij = |i - j| / (k - 1)``::

    kappa_w = 1 - (Σ w_ij o_ij) / (Σ w_ij a_i b_j)

Undefined (None) when the expected disagreement is 0 (e.g. both markers always used one and
the same level).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Prefetch

from rubrics.models import Level

from .models import Assessment, Score


def weighted_kappa(pairs: list[tuple[int, int]], k: int) -> Fraction | None:
    """Linear-weighted Cohen's kappa of `pairs` of level positions (0..k-1), exactly.

    Args:
        pairs: (marker A's level position, marker B's level position) per rated item.
        k: number of levels on the scale (≥ 2).
    Returns:
        kappa as a Fraction, or None when undefined (no pairs, or no expected disagreement).
    """
    n = len(pairs)
    if n == 0 or k < 2:
        return None
    a_counts = [0] * k
    b_counts = [0] * k
    observed = Fraction(0)
    for i, j in pairs:
        a_counts[i] += 1
        b_counts[j] += 1
        observed += Fraction(abs(i - j), k - 1)
    observed /= n
    expected = Fraction(0)
    for i in range(k):
        for j in range(k):
            expected += Fraction(abs(i - j), k - 1) * Fraction(a_counts[i], n) * Fraction(b_counts[j], n)
    if expected == 0:
        return None
    return 1 - observed / expected


def exact_agreement(pairs: list[tuple[int, int]]) -> Fraction | None:
    """Share of `pairs` where both chose the same level (None without pairs)."""
    if not pairs:
        return None
    return Fraction(sum(1 for i, j in pairs if i == j), len(pairs))


@dataclass
class Discrepancy:
    reflection: object
    criterion: object
    level_a: Level
    level_b: Level
    assessment_a: Assessment
    assessment_b: Assessment

    @property
    def gap(self) -> int:
        return abs(self.level_a.position - self.level_b.position)


@dataclass
class PairReport:
    rubric: object
    marker_a: object
    marker_b: object
    reflections: int = 0
    pairs: list[tuple[int, int]] = field(default_factory=list)
    levels: int = 0
    discrepancies: list[Discrepancy] = field(default_factory=list)

    @property
    def exact_agreement(self) -> Fraction | None:
        return exact_agreement(self.pairs)

    @property
    def kappa(self) -> Fraction | None:
        return weighted_kappa(self.pairs, self.levels)

    @property
    def discrepant_reflections(self) -> list:
        seen: dict[int, object] = {}
        for d in self.discrepancies:
            seen.setdefault(d.reflection.pk, d.reflection)
        return list(seen.values())


def double_marked(rubric=None):
    """Pairs (first, second) of finalised, current markings of the same reflection with the
    same rubric version: a blind second marking and the marking it moderates."""
    levels = Prefetch("scores", queryset=Score.objects.select_related("level", "criterion"))
    seconds = (
        Assessment.objects.filter(
            moderation_of__isnull=False,
            status=Assessment.Status.FINALISED,
            moderation_of__status=Assessment.Status.FINALISED,
            superseded_by__isnull=True,
            moderation_of__superseded_by__isnull=True,
        )
        .select_related("moderation_of__assessor", "moderation_of__reflection", "assessor", "rubric")
        .prefetch_related(levels)
    )
    if rubric is not None:
        seconds = seconds.filter(rubric=rubric)
    firsts = Assessment.objects.filter(pk__in=seconds.values("moderation_of")).prefetch_related(levels)
    by_pk = {a.pk: a for a in firsts}
    return [(by_pk[s.moderation_of_id], s) for s in seconds if s.moderation_of_id in by_pk]


def _positions(rubric_ids) -> tuple[dict[int, int], dict[int, int]]:
    """Level id → position within its criterion; rubric id → number of levels on its scale."""
    position: dict[int, int] = {}
    scale: dict[int, int] = defaultdict(int)
    by_criterion: dict[int, list[Level]] = defaultdict(list)
    levels = Level.objects.filter(criterion__rubric_id__in=rubric_ids).select_related("criterion")
    for level in levels.order_by("criterion_id", "sort_order", "points", "pk"):
        by_criterion[level.criterion_id].append(level)
    for criterion_levels in by_criterion.values():
        for n, level in enumerate(criterion_levels):
            position[level.pk] = n
        rubric_id = criterion_levels[0].criterion.rubric_id
        scale[rubric_id] = max(scale[rubric_id], len(criterion_levels))
    return position, scale


def report(rubric=None) -> list[PairReport]:
    """Agreement per rubric version and marker pair (see the module docstring).

    Args:
        rubric: limit to one rubric version (default: all).
    Returns:
        One `PairReport` per (rubric, unordered marker pair), ordered by rubric then markers.
    """
    couples = double_marked(rubric)
    position, scale = _positions({first.rubric_id for first, _ in couples})
    reports: dict[tuple, PairReport] = {}
    for first, second in couples:
        a, b = sorted((first, second), key=lambda x: x.assessor_id)
        key = (first.rubric_id, a.assessor_id, b.assessor_id)
        pair = reports.get(key)
        if pair is None:
            pair = reports[key] = PairReport(
                second.rubric, a.assessor, b.assessor, levels=scale[first.rubric_id]
            )
        pair.reflections += 1
        b_levels = {s.criterion_id: s.level for s in b.scores.all() if s.level_id}
        for score in a.scores.all():
            other = b_levels.get(score.criterion_id)
            if score.level_id is None or other is None:
                continue
            i, j = position[score.level_id], position[other.pk]
            pair.pairs.append((i, j))
            if abs(i - j) >= 2:
                score.level.position, other.position = i, j
                pair.discrepancies.append(
                    Discrepancy(second.moderation_of.reflection, score.criterion, score.level, other, a, b)
                )
    return sorted(
        reports.values(),
        key=lambda r: (r.rubric.slug, r.rubric.version, r.marker_a.username, r.marker_b.username),
    )
