"""Reflection state changes: the one door for creating, editing, submitting and reviewing.

Every door (site, API, admin, demo data) calls these functions, so the rules live here:
who may do what, in which state, what is recorded (audit log, review events, revisions),
who is told, and that every HTML that enters is sanitised.

    draft → submitted → (changes_requested → submitted)* → signed_off

Who may do what, and in which state, is `portfolio.policies.reflections`: each function
asks it first (`require`), so every door obeys the same rule.

Errors: `NotFound` (the person may not see this reflection: it does not exist for them),
`PermissionDenied` (they see it but may never do this), `ValidationError` (bad input;
nothing changed), `Conflict` (the state forbids it), `StaleVersion` (someone saved since the
caller read it). Views and API map them to messages / status codes.
"""

from __future__ import annotations

import datetime
import difflib
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import escape

from reflect import audit, limits
from reflect import notify as notifications
from reflect.locking import bump_version
from reflect.people import display_name
from reflect.sanitize import sanitize_html, to_plain_text
from rubrics.models import Competency

from .identifiers import Finding, find_identifiers
from .models import Placement, Reflection, ReviewEvent, Setting
from .policies import learners
from .policies import reflections as policy
from .reflective_models import get_model
from .site import portfolio_url

logger = logging.getLogger(__name__)

#: The fields a learner may set. Anything else in `data` (status, submitted_at, version,
#: learner, ...) is ignored: those are set by the server only.
EDITABLE_FIELDS = (
    "title",
    "kind",
    "setting",
    "placement",
    "occurred_on",
    "themes",
    "reflective_model",
    "sections",
    "body_html",
)


class IdentifierFindings(ValidationError):
    """Submission refused because the text holds likely patient identifiers.

    `findings` lists them; `blocking` is True when at least one can never be confirmed away
    (a valid NHS number)."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        self.blocking = any(f.blocking for f in findings)
        if self.blocking:
            message = (
                "Your reflection contains an NHS number. Remove it (and anything else that could "
                "identify a patient) before submitting."
            )
        else:
            message = (
                "Your reflection may contain patient-identifiable information. Check each item; "
                "remove it, or confirm that it does not identify a patient or carer."
            )
        super().__init__(message, code="identifiers")


# --- helpers ------------------------------------------------------------------------------
def _themes_from(values) -> list:
    """Competencies of the social-accountability framework for codes (or instances)."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    codes = []
    for v in values:
        codes.append(v.code if isinstance(v, Competency) else str(v))
    themes = {c.code: c for c in Competency.objects.themes().filter(code__in=codes)}
    unknown = [c for c in codes if c not in themes]
    if unknown:
        known = ", ".join(Competency.objects.themes().values_list("code", flat=True))
        raise ValidationError(
            {"themes": f"Unknown theme code(s): {', '.join(unknown)}. Use one of: {known}."}
        )
    return [themes[c] for c in dict.fromkeys(codes)]


def clean_sections(model_key: str, sections) -> dict[str, str]:
    """Keep only the sections `model_key` has, each passed through `sanitize_html`."""
    if sections in (None, ""):
        return {}
    if not isinstance(sections, dict):
        raise ValidationError({"sections": "Sections must be an object of section key → HTML."})
    model = get_model(model_key)
    unknown = [k for k in sections if model.section(k) is None]
    if unknown:
        raise ValidationError(
            {
                "sections": f"{model.label} has no section(s) {', '.join(map(str, unknown))}; it has "
                + ", ".join(s.key for s in model.sections)
                + "."
            }
        )
    errors: dict[str, list[str]] = {}
    for s in model.sections:
        value = sections.get(s.key)
        if value is not None and not isinstance(value, str):
            errors.setdefault("sections", []).append(f"Section {s.key} must be text.")
        limits.check(errors, "sections", value, limits.REFLECTION_HTML, f"“{s.heading}”")
    if errors:  # before anything is sanitised
        raise ValidationError(errors)
    return {s.key: sanitize_html(sections[s.key]) for s in model.sections if sections.get(s.key) is not None}


def build_body_html(model_key: str, sections: dict[str, str]) -> str:
    """The reflection as one HTML document: a heading per written section, then its
    (already sanitised) HTML; sanitised again as a whole so the result is always safe."""
    model = get_model(model_key)
    parts = []
    for s in model.sections:
        html = sections.get(s.key, "")
        if not to_plain_text(html):
            continue
        if len(model.sections) > 1:
            parts.append(f"<h2>{escape(s.heading)}</h2>")
        parts.append(html)
    return sanitize_html("\n".join(parts))


def _carry_over(old_key: str, new_key: str, source: dict) -> dict[str, str]:
    """Sections for `new_key` from `source` (keys of either model): shared keys keep their
    text; text of sections the new model lacks is appended to its first section, each under
    its old heading."""
    old_model, new_model = get_model(old_key), get_model(new_key)
    result = {k: v for k, v in source.items() if new_model.section(k) and isinstance(v, str)}
    moved = []
    for k, v in source.items():
        if new_model.section(k) or not isinstance(v, str) or not to_plain_text(v):
            continue
        old = old_model.section(k)
        moved.append(f"<h3>{escape(old.heading if old else k)}</h3>{v}")
    if moved:
        first = new_model.sections[0].key
        result[first] = "\n".join(filter(None, [result.get(first, ""), *moved]))
    return result


def _validated_changes(reflection: Reflection, data: dict) -> tuple[dict, list | None]:
    """Turn learner input into field values, raising ValidationError (field → message)
    for anything wrong. Returns (changes, themes or None when themes were not given)."""
    errors: dict[str, list[str]] = {}
    changes: dict = {}
    data = {k: v for k, v in (data or {}).items() if k in EDITABLE_FIELDS}

    if "title" in data and not limits.check(errors, "title", data["title"], limits.TITLE, "the title"):
        title = to_plain_text(data["title"] or "")[: limits.TITLE].strip()
        if not title:
            errors.setdefault("title", []).append("Give your reflection a title.")
        changes["title"] = title
    if "kind" in data:
        if data["kind"] not in Reflection.Kind.values:
            errors.setdefault("kind", []).append(
                "Choose what kind of experience this was: " + ", ".join(Reflection.Kind.values) + "."
            )
        changes["kind"] = data["kind"]
    if "setting" in data:
        setting = data["setting"] or ""
        if setting and setting not in Setting.values:
            errors.setdefault("setting", []).append("Choose a setting from the list.")
        changes["setting"] = setting
    if "placement" in data:
        placement = data["placement"]
        if placement in (None, ""):
            changes["placement"] = None
        elif isinstance(placement, Placement):
            changes["placement"] = placement
        else:
            try:
                changes["placement"] = Placement.objects.get(pk=int(placement))
            except (Placement.DoesNotExist, TypeError, ValueError):
                errors.setdefault("placement", []).append("Choose a placement from the list.")
    if "occurred_on" in data:
        occurred = data["occurred_on"]
        if isinstance(occurred, str):
            try:
                occurred = parse_date(occurred)
            except ValueError:
                occurred = None
        if not isinstance(occurred, datetime.date):
            errors.setdefault("occurred_on", []).append("Enter the date it happened, as YYYY-MM-DD.")
        elif occurred > timezone.localdate():
            errors.setdefault("occurred_on", []).append("The date it happened cannot be in the future.")
        changes["occurred_on"] = occurred
    model_key = data.get("reflective_model", reflection.reflective_model)
    if "reflective_model" in data:
        if model_key not in Reflection.Model.values:
            errors.setdefault("reflective_model", []).append("Choose a reflective model from the list.")
            model_key = reflection.reflective_model
        changes["reflective_model"] = model_key
    try:
        switching = model_key != reflection.reflective_model and reflection.pk is not None
        if switching and "body_html" not in data:
            # Switching model: nothing written is lost. Sections the new model lacks move,
            # under their old heading, into the new model's first section.
            given = data.get("sections")
            source = {**(reflection.sections or {}), **(given if isinstance(given, dict) else {})}
            sections = clean_sections(model_key, _carry_over(reflection.reflective_model, model_key, source))
            changes["sections"] = sections
        elif "sections" in data:
            given = data["sections"]
            if isinstance(given, dict):
                # Sections not sent are kept (PATCH semantics); send "" to empty one.
                kept = {
                    k: v for k, v in (reflection.sections or {}).items() if get_model(model_key).section(k)
                }
                given = {**kept, **given}
            sections = clean_sections(model_key, given)
            changes["sections"] = sections
        elif "body_html" in data:
            # A whole body (API clients) is stored as free writing.
            model_key = Reflection.Model.FREE
            changes["reflective_model"] = model_key
            limits.require("body_html", data["body_html"], limits.REFLECTION_HTML, "the reflection")
            sections = {"free": sanitize_html(data["body_html"] or "")}
            changes["sections"] = sections
        else:
            sections = None
        if sections is not None:
            changes["body_html"] = build_body_html(model_key, sections)
    except ValidationError as exc:
        for k, v in exc.message_dict.items():
            errors.setdefault(k, []).extend(v)
    themes = None
    if "themes" in data:
        try:
            themes = _themes_from(data["themes"])
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
    if errors:
        raise ValidationError(errors)
    return changes, themes


def _reindex(reflection: Reflection) -> None:
    """Keep Wagtail's search index current now (the post-save signal only queues a task,
    and `bump_version` saves with a queryset update that sends no signal)."""
    from wagtail.search.index import insert_or_update_object

    insert_or_update_object(reflection)


def _site_link(name: str, *args) -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    return base + portfolio_url(name, *args)


def _locked(reflection: Reflection) -> Reflection:
    """The reflection re-read with a row lock, so two transitions cannot interleave."""
    return Reflection.objects.select_for_update().get(pk=reflection.pk)


@transaction.atomic
def create_reflection(learner, data: dict, *, via: str = "") -> Reflection:
    """Create a draft reflection in `learner`'s own portfolio.

    Args:
        learner: the author; must hold the learner role.
        data: any of `EDITABLE_FIELDS`; `title`, `kind` and `occurred_on` are required.
            `themes` are theme codes; `sections` (key → HTML) or `body_html` (free writing).
            Status, dates of submission and versions in `data` are ignored.
        via: the door ("site", "api", ...), kept in the audit log.

    Returns:
        The new reflection (status draft, version 1).

    Raises:
        PermissionDenied: `learner` is not a learner.
        ValidationError: missing or invalid fields (field → messages), text longer than
            `reflect.limits` allows (checked before anything is sanitised); nothing is saved.
    """
    if not policy.role_may(learner, "add"):
        raise PermissionDenied("Only learners write reflections.")
    reflection = Reflection(learner=learner, reflective_model=Reflection.Model.FREE)
    data = dict(data or {})
    missing = {
        f: [message]
        for f, message in (
            ("title", "Give your reflection a title."),
            ("kind", "Choose what kind of experience this was."),
            ("occurred_on", "Enter the date it happened."),
        )
        if data.get(f) in (None, "")
    }
    try:
        changes, themes = _validated_changes(reflection, data)
    except ValidationError as exc:
        raise ValidationError({**exc.message_dict, **missing}) from None
    if missing:
        raise ValidationError(missing)
    for k, v in changes.items():
        setattr(reflection, k, v)
    if "sections" not in changes:
        reflection.sections = {}
        reflection.body_html = ""
    reflection.save()
    if themes:
        reflection.themes.set(themes)
    audit.record(learner, "create", learner=learner, obj=reflection, via=via)
    _reindex(reflection)
    return reflection


@transaction.atomic
def update_reflection(
    reflection: Reflection, by, data: dict, expected_version: int | None, *, via: str = ""
) -> Reflection:
    """Change a draft (or a reflection sent back for changes); used by edit and autosave.

    Args:
        reflection: the reflection to change.
        by: who is changing it; only its learner may.
        data: fields to change (see `create_reflection`); absent fields are kept.
        expected_version: the `version` the caller read (optimistic lock).
        via: the door, kept in the audit log.

    Returns:
        The reflection, refreshed (its `version` went up by one).

    Raises:
        NotFound: `by` may not see the reflection (it does not exist for them).
        PermissionDenied: `by` is not its learner.
        Conflict: it is submitted or signed off, so not editable.
        ValidationError: invalid fields; nothing changed.
        StaleVersion: someone saved it since `expected_version` was read.
    """
    policy.require(by, "change", reflection)
    current = _locked(reflection)
    policy.require(by, "change", current, visible=True)
    changes, themes = _validated_changes(current, data)
    bump_version(current, expected_version, updated_at=timezone.now(), **changes)
    if themes is not None:
        current.themes.set(themes)
    audit.record(by, "update", learner=current.learner, obj=current, via=via, version=current.version)
    _reindex(current)
    reflection.refresh_from_db()
    return reflection


def check_identifiers(reflection: Reflection) -> list[Finding]:
    """Likely patient identifiers in a reflection's title and sections, each labelled
    with the section it is in."""
    model = get_model(reflection.reflective_model)
    findings = find_identifiers(to_plain_text(reflection.title), where="Title")
    for s in model.sections:
        findings += find_identifiers(to_plain_text(reflection.sections.get(s.key, "")), where=s.heading)
    known = set(reflection.sections)
    extra = [k for k in known if model.section(k) is None]
    for k in extra:
        findings += find_identifiers(to_plain_text(reflection.sections[k]), where=k)
    if not reflection.sections and reflection.body_html:
        findings += find_identifiers(to_plain_text(reflection.body_html), where="Body")
    return findings


@transaction.atomic
def submit(
    reflection: Reflection, by, confirm_warnings: bool = False, *, via: str = "", notify: bool = True
) -> Reflection:
    """Send a draft (or a revised reflection) to the learner's tutors for review.

    Runs the patient-identifier check first: a valid NHS number always refuses; other
    likely identifiers refuse unless `confirm_warnings` is True (the learner confirmed
    they identify nobody). `submitted_at` is the server's clock. Stores a Wagtail revision
    and a SUBMITTED review event pointing at it, records the audit event and e-mails the
    learner's current tutors.

    Args:
        reflection: the reflection to submit.
        by: who submits; only its learner may.
        confirm_warnings: the learner confirmed the (non-blocking) findings.
        via: the door, kept in the audit log.
        notify: e-mail the tutors (False for demo data).

    Returns:
        The reflection, refreshed (status submitted).

    Raises:
        NotFound: `by` may not see the reflection (it does not exist for them).
        PermissionDenied: `by` is not its learner.
        Conflict: it is already submitted or signed off.
        IdentifierFindings (a ValidationError): likely identifiers found; nothing changed.
        ValidationError: the reflection has no text yet.
    """
    policy.require(by, "submit", reflection)
    current = _locked(reflection)
    policy.require(by, "submit", current, visible=True)
    if not to_plain_text(current.body_html):
        raise ValidationError("Write your reflection before submitting it: every section is empty.")
    findings = check_identifiers(current)
    if findings and (any(f.blocking for f in findings) or not confirm_warnings):
        raise IdentifierFindings(findings)
    resubmission = current.status == Reflection.Status.CHANGES_REQUESTED
    now = timezone.now()
    bump_version(
        current, current.version, status=Reflection.Status.SUBMITTED, submitted_at=now, updated_at=now
    )
    revision = current.save_revision(user=by, clean=False)
    ReviewEvent.objects.create(
        reflection=current, actor=by, action=ReviewEvent.Action.SUBMITTED, revision=revision
    )
    audit.record(
        by,
        "submit",
        learner=current.learner,
        obj=current,
        via=via,
        revision=revision.pk,
        confirmed_warnings=[f.kind for f in findings],
    )
    _reindex(current)
    tutors = learners.current_tutors(current.learner)
    verb = "revised and resubmitted" if resubmission else "submitted"
    notifications.notify(
        tutors if notify else [],
        f"Reflection to review: {current.title}",
        f"{display_name(current.learner)} has {verb} a reflection, “{current.title}”.\n\n"
        f"Read and review it: {_site_link('reflection_review', current.pk)}\n",
    )
    reflection.refresh_from_db()
    return reflection


@transaction.atomic
def request_changes(
    reflection: Reflection, tutor, comment: str, *, via: str = "", notify: bool = True
) -> Reflection:
    """Send a submitted reflection back to its learner with a comment saying what to change.

    Args:
        reflection: a submitted reflection.
        tutor: a tutor currently allocated to its learner.
        comment: what to change (required; stored as plain text).
        via: the door, kept in the audit log.
        notify: e-mail the learner (False for demo data).

    Returns:
        The reflection, refreshed (status changes_requested; editable by its learner again).

    Raises:
        NotFound: `tutor` may not see the reflection (it does not exist for them).
        PermissionDenied: `tutor` is not currently allocated to the learner.
        ValidationError: the comment is empty or longer than `limits.COMMENT`.
        Conflict: the reflection is not waiting for review.
    """
    policy.require(tutor, "request_changes", reflection)
    limits.require("comment", comment, limits.COMMENT, "the comment")
    text = to_plain_text(comment or "")
    if not text:
        raise ValidationError({"comment": "Say what the learner should change."})
    current = _locked(reflection)
    policy.require(tutor, "request_changes", current, visible=True)
    bump_version(
        current, current.version, status=Reflection.Status.CHANGES_REQUESTED, updated_at=timezone.now()
    )
    ReviewEvent.objects.create(
        reflection=current,
        actor=tutor,
        action=ReviewEvent.Action.CHANGES_REQUESTED,
        comment=text,
        revision_id=current.latest_revision_id,
    )
    audit.record(tutor, "request_changes", learner=current.learner, obj=current, via=via)
    _reindex(current)
    notifications.notify(
        [current.learner] if notify else [],
        f"Changes requested: {current.title}",
        f"{display_name(tutor)} asked for changes to your reflection “{current.title}”:\n\n{text}\n\n"
        f"Revise it: {_site_link('reflection_detail', current.pk)}\n",
    )
    reflection.refresh_from_db()
    return reflection


@transaction.atomic
def sign_off(
    reflection: Reflection, tutor, comment: str = "", *, via: str = "", notify: bool = True
) -> Reflection:
    """Sign off a submitted reflection. A signed-off reflection is locked for everyone.

    Args:
        reflection: a submitted reflection.
        tutor: a tutor currently allocated to its learner.
        comment: optional closing comment (plain text).
        via: the door, kept in the audit log.
        notify: e-mail the learner (False for demo data).

    Returns:
        The reflection, refreshed (status signed_off).

    Raises:
        NotFound: `tutor` may not see the reflection (it does not exist for them).
        PermissionDenied: `tutor` is not currently allocated to the learner.
        ValidationError: the comment is longer than `limits.COMMENT`.
        Conflict: the reflection is not waiting for review.
    """
    policy.require(tutor, "sign_off", reflection)
    limits.require("comment", comment, limits.COMMENT, "the comment")
    text = to_plain_text(comment or "")
    current = _locked(reflection)
    policy.require(tutor, "sign_off", current, visible=True)
    now = timezone.now()
    bump_version(
        current,
        current.version,
        status=Reflection.Status.SIGNED_OFF,
        signed_off_at=now,
        signed_off_by=tutor,
        updated_at=now,
    )
    ReviewEvent.objects.create(
        reflection=current,
        actor=tutor,
        action=ReviewEvent.Action.SIGNED_OFF,
        comment=text,
        revision_id=current.latest_revision_id,
    )
    audit.record(tutor, "sign_off", learner=current.learner, obj=current, via=via)
    _reindex(current)
    notifications.notify(
        [current.learner] if notify else [],
        f"Signed off: {current.title}",
        f"{display_name(tutor)} signed off your reflection “{current.title}”."
        + (f"\n\n{text}" if text else "")
        + f"\n\nRead it: {_site_link('reflection_detail', current.pk)}\n",
    )
    reflection.refresh_from_db()
    return reflection


@transaction.atomic
def comment(reflection: Reflection, by, text: str, *, via: str = "") -> ReviewEvent:
    """Add a comment to a reflection's review conversation.

    Args:
        reflection: a reflection that is not a draft and not signed off.
        by: a tutor currently allocated to its learner, or the learner (replying).
        text: the comment (required; stored as plain text).
        via: the door, kept in the audit log.

    Returns:
        The COMMENTED review event.

    Raises:
        NotFound: `by` may not see the reflection (it does not exist for them).
        PermissionDenied: `by` is neither the learner nor an allocated tutor.
        ValidationError: the comment is empty or longer than `limits.COMMENT`.
        Conflict: the reflection is a draft or signed off.
    """
    policy.require(by, "comment", reflection)
    limits.require("comment", text, limits.COMMENT, "the comment")
    body = to_plain_text(text or "")
    if not body:
        raise ValidationError({"comment": "Write a comment."})
    current = _locked(reflection)
    policy.require(by, "comment", current, visible=True)
    event = ReviewEvent.objects.create(
        reflection=current, actor=by, action=ReviewEvent.Action.COMMENTED, comment=body
    )
    audit.record(by, "comment", learner=current.learner, obj=current, via=via)
    return event


# --- what changed since the tutor asked for changes ---------------------------------------
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
