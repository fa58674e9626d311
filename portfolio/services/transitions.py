"""Reflection transitions and review: submit, request changes, sign off, comment.

    draft → submitted → (changes_requested → submitted)* → signed_off

Submission runs the patient-identifier check first. Each transition locks the row, asks
`portfolio.policies.reflections`, records a review event and the audit log, and tells the
other side (after commit). Errors as in `portfolio.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reflect import audit, limits
from reflect import notify as notifications
from reflect.locking import bump_version
from reflect.people import display_name
from reflect.sanitize import sanitize_html, to_plain_text

from ..identifiers import Finding, find_identifiers
from ..models import Reflection, ReviewEvent
from ..policies import learners
from ..policies import reflections as policy
from ..reflective_models import get_model
from ..site import portfolio_url
from ._shared import _locked, _reindex


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


def _site_link(name: str, *args) -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    return base + portfolio_url(name, *args)


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


def identifiers_while_typing(
    model_key: str, title: str, sections: dict[str, str]
) -> dict[str, list[Finding]]:
    """The submission check (`check_identifiers`) on what the learner is typing, for the
    autosave: title and each section of `model_key`, read as they would be stored (sanitised,
    then plain text), so a finding here is exactly what submission would find.

    Args:
        model_key: the reflective model whose sections count (others are ignored).
        title: the title as typed.
        sections: section key → HTML as posted by the editor (or typed without it).

    Returns:
        Form field name (`title`, `section_<key>`) → its findings, only fields with some.
    """
    model = get_model(model_key)
    found = {"title": find_identifiers(to_plain_text(title or ""), where="Title")}
    for s in model.sections:
        text = to_plain_text(sanitize_html(sections.get(s.key) or ""))
        found[f"section_{s.key}"] = find_identifiers(text, where=s.heading)
    return {field: findings for field, findings in found.items() if findings}


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


def _record_decision(
    current: Reflection, tutor, audit_action: str, event_action: str, text: str, *, via: str, **fields
) -> None:
    """A tutor's review decision on a locked reflection: `fields` (its new status ...) saved at
    the next version, a review event on the revision the tutor read, the audit log, the index."""
    bump_version(current, current.version, **fields)
    ReviewEvent.objects.create(
        reflection=current,
        actor=tutor,
        action=event_action,
        comment=text,
        revision_id=current.latest_revision_id,
    )
    audit.record(tutor, audit_action, learner=current.learner, obj=current, via=via)
    _reindex(current)


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
    _record_decision(
        current,
        tutor,
        "request_changes",
        ReviewEvent.Action.CHANGES_REQUESTED,
        text,
        via=via,
        status=Reflection.Status.CHANGES_REQUESTED,
        updated_at=timezone.now(),
    )
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
    _record_decision(
        current,
        tutor,
        "sign_off",
        ReviewEvent.Action.SIGNED_OFF,
        text,
        via=via,
        status=Reflection.Status.SIGNED_OFF,
        signed_off_at=now,
        signed_off_by=tutor,
        updated_at=now,
    )
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
