"""Compare two versions of a rubric: rubric fields, then criteria and their levels (added,
removed, changed), pairing by title/label and then by position. Read only; the admin's
"Compare versions" screen shows it."""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Rubric
from .services import content_dict


@dataclass
class Change:
    kind: str  # "added" | "removed" | "changed" | "same"
    title: str
    details: list[str] = field(default_factory=list)


def _pair(old: list, new: list, key) -> list[tuple]:
    """Pair items of two versions: same key (title/label) first, then the rest by position."""
    pairs: list[tuple] = []
    unmatched_new = list(new)
    leftovers_old = []
    for item in old:
        match = next((n for n in unmatched_new if key(n).casefold() == key(item).casefold()), None)
        if match is not None:
            unmatched_new.remove(match)
            pairs.append((item, match))
        else:
            leftovers_old.append(item)
    for item in leftovers_old:
        if unmatched_new:
            pairs.append((item, unmatched_new.pop(0)))
        else:
            pairs.append((item, None))
    pairs.extend((None, n) for n in unmatched_new)
    return pairs


def _diff_field(details: list[str], name: str, old, new) -> None:
    if old != new:
        details.append(f"{name}: “{old}” → “{new}”")


def compare_rubrics(old: Rubric, new: Rubric) -> dict:
    """Differences between two versions: rubric fields, then criteria and their levels
    (added, removed, changed), pairing by title/label and then by position.

    Args:
        old: the version to compare from.
        new: the version to compare to.

    Returns:
        ``{"rubric": [details], "criteria": [Change with nested level details]}``.
    """
    a, b = content_dict(old), content_dict(new)
    rubric_details: list[str] = []
    for name in ("title", "description"):
        _diff_field(rubric_details, name.capitalize(), a[name], b[name])
    changes: list[Change] = []
    positions_a = {id(c): i for i, c in enumerate(a["criteria"])}
    positions_b = {id(c): i for i, c in enumerate(b["criteria"])}
    for ca, cb in _pair(a["criteria"], b["criteria"], key=lambda c: c["title"]):
        if ca is None:
            levels = ", ".join(f"{lv['label']} ({lv['points']})" for lv in cb["levels"])
            changes.append(Change("added", cb["title"], [f"Levels: {levels}"]))
            continue
        if cb is None:
            changes.append(Change("removed", ca["title"]))
            continue
        details: list[str] = []
        _diff_field(details, "Title", ca["title"], cb["title"])
        _diff_field(details, "Description", ca["description"], cb["description"])
        _diff_field(details, "Weight", ca["weight"], cb["weight"])
        comps_a = sorted(f"{c['framework']}:{c['code']}" for c in ca["competencies"])
        comps_b = sorted(f"{c['framework']}:{c['code']}" for c in cb["competencies"])
        _diff_field(details, "Competencies", ", ".join(comps_a) or "none", ", ".join(comps_b) or "none")
        if positions_a[id(ca)] != positions_b[id(cb)]:
            details.append(f"Moved from position {positions_a[id(ca)] + 1} to {positions_b[id(cb)] + 1}")
        for la, lb in _pair(ca["levels"], cb["levels"], key=lambda lv: lv["label"]):
            if la is None:
                details.append(f"Level added: {lb['label']} ({lb['points']} points)")
            elif lb is None:
                details.append(f"Level removed: {la['label']} ({la['points']} points)")
            else:
                level_details: list[str] = []
                _diff_field(level_details, "label", la["label"], lb["label"])
                _diff_field(level_details, "points", la["points"], lb["points"])
                _diff_field(level_details, "descriptor", la["descriptor"], lb["descriptor"])
                if level_details:
                    details.append(f"Level “{lb['label']}” changed: " + "; ".join(level_details))
        changes.append(Change("changed" if details else "same", cb["title"], details))
    return {"rubric": rubric_details, "criteria": changes}
