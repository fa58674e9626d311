"""What changed since the tutor asked for changes: a section-by-section word diff between
the revision the request pointed at and the current text."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from reflect.sanitize import to_plain_text

from ..models import Reflection, ReviewEvent
from ..reflective_models import get_model


@dataclass
class SectionChange:
    key: str
    heading: str
    state: str  # "unchanged" | "changed" | "added" | "removed"
    pieces: list[tuple[str, str]] = field(default_factory=list)  # (op, text): equal|insert|delete


def last_changes_request(reflection: Reflection) -> ReviewEvent | None:
    return (
        reflection.events.filter(action=ReviewEvent.Action.CHANGES_REQUESTED)
        .select_related("revision", "actor")
        .order_by("-created_at", "-id")
        .first()
    )


def _section_texts(model_key: str, sections: dict) -> dict[str, str]:
    return {k: to_plain_text(v) for k, v in (sections or {}).items()}


def changes_since_request(reflection: Reflection) -> list[SectionChange] | None:
    """Section-by-section word diff between the revision the tutor asked changes on and the
    current text. None when changes were never requested (or that revision is gone)."""
    event = last_changes_request(reflection)
    if event is None or event.revision is None:
        return None
    before_content = event.revision.content or {}
    before = _section_texts(before_content.get("reflective_model", ""), before_content.get("sections") or {})
    after = _section_texts(reflection.reflective_model, reflection.sections)
    headings = {s.key: s.heading for s in get_model(reflection.reflective_model).sections}
    for s in get_model(before_content.get("reflective_model")).sections:
        headings.setdefault(s.key, s.heading)
    keys = list(dict.fromkeys([*headings.keys()]))
    result = []
    for key in keys:
        old, new = before.get(key, ""), after.get(key, "")
        if not old and not new:
            continue
        if old == new:
            result.append(SectionChange(key, headings[key], "unchanged", [("equal", new)]))
            continue
        state = "added" if not old else "removed" if not new else "changed"
        a, b = old.split(), new.split()
        pieces: list[tuple[str, str]] = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
            if op == "equal":
                pieces.append(("equal", " ".join(a[i1:i2])))
            if op in ("delete", "replace"):
                pieces.append(("delete", " ".join(a[i1:i2])))
            if op in ("insert", "replace"):
                pieces.append(("insert", " ".join(b[j1:j2])))
        result.append(SectionChange(key, headings[key], state, pieces))
    return result
