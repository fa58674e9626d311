"""ARCP business rules: building and verifying packs, recording panel outcomes.

Every door (site, API, admin, task, command) calls these functions, so they all ask the same
policies (`arcp.policies`) and write the same audit records. Cohort exports: `arcp.cohort`.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from portfolio.policies import learners
from reflect import audit, limits
from reflect import roles as R
from reflect.sanitize import to_plain_text
from reflect.uploads import sha256_of

from . import evidence, pdf
from .models import ArcpExport, ArcpReview
from .policies import exports, reviews

# --- Gold Guide codes --------------------------------------------------------------------
# Simplified from the Gold Guide (9th edition) reason codes. Outcomes 2, 3, 5 and 7.2–7.4
# (unsatisfactory or incomplete) need at least one U code; the no-fault outcomes 10.1 and
# 10.2 need at least one N code. Other outcomes take no reason codes.
UNSATISFACTORY_REASONS: dict[str, str] = {
    "U1": "Record keeping and documentation of evidence",
    "U2": "Inadequate experience",
    "U3": "No engagement with supervisor",
    "U4": "Trainer absence",
    "U5": "Single exam failure",
    "U6": "Continual exam failure",
    "U7": "Requires support from the deanery or local office",
    "U8": "Other reason (explain in the comments)",
    "U9": "Inadequate progress against the curriculum",
    "U10": "Concerns about conduct, capability or health",
}
NO_FAULT_REASONS: dict[str, str] = {
    "N1": "Sickness absence",
    "N2": "Parental leave",
    "N3": "Compassionate leave",
    "N4": "Part-time training or change of working pattern",
    "N5": "Out of programme (research, experience or career break)",
    "N6": "Not in post long enough to assess",
    "N7": "Delay in placement or rotation",
    "N8": "Exams cancelled or deferred",
    "N9": "Curriculum requirements could not be met (service disruption)",
    "N10": "Disruption to training (e.g. pandemic)",
    "N11": "Statutory leave (e.g. jury service)",
    "N12": "Awaiting investigation or process outside the trainee's control",
    "N13": "Other no-fault reason (explain in the comments)",
}
REASON_CODES: dict[str, str] = {**UNSATISFACTORY_REASONS, **NO_FAULT_REASONS}
OUTCOMES_NEEDING_U = frozenset({"2", "3", "5", "7.2", "7.3", "7.4"})
OUTCOMES_NEEDING_N = frozenset({"10.1", "10.2"})
OUTCOME_CODES = tuple(code for code, _ in ArcpReview.Outcome.choices)
# Default cap on a copy uploaded to be verified (setting ARCP_VERIFY_MAX_BYTES): packs are
# tens or hundreds of kilobytes; 10 MB leaves room for the largest portfolio.
VERIFY_MAX_BYTES = 10 * 1024 * 1024


def reasons_for(outcome: str) -> dict[str, str]:
    """The reason codes an outcome takes ({} when it takes none)."""
    if outcome in OUTCOMES_NEEDING_U:
        return UNSATISFACTORY_REASONS
    if outcome in OUTCOMES_NEEDING_N:
        return NO_FAULT_REASONS
    return {}


# --- Scope helpers -----------------------------------------------------------------------
def visible_learner(user, learner_id):
    """The learner with `learner_id` if `user` may see them.

    Raises:
        NotFound: no such learner, or outside `user`'s scope (the same answer).
    """
    return learners.get(user, learner_id)


def check_period(period_from: datetime.date, period_to: datetime.date) -> None:
    errors = {}
    if not isinstance(period_from, datetime.date) or not isinstance(period_to, datetime.date):
        raise ValidationError("Both dates of the period are required.")
    if period_to < period_from:
        errors["period_to"] = "The end of the period cannot be before its start."
    elif period_to > timezone.localdate():
        errors["period_to"] = "The evidence cut-off (end of the period) cannot be in the future."
    if errors:
        raise ValidationError(errors)


# --- Packs -------------------------------------------------------------------------------
def build_pack(
    learner,
    period_from: datetime.date,
    period_to: datetime.date,
    by,
    *,
    via: str = "site",
    system: bool = False,
) -> ArcpExport:
    """Make, record and store the ARCP pack of `learner` for a period.

    Args:
        learner: the learner whose pack it is.
        period_from: first day of the review period.
        period_to: last day, also the evidence cut-off; not before `period_from`, not in the future.
        by: who asks: the learner, their allocated tutor, an examiner on their panel or an admin.
        via: the door, for the audit log ("api", "site", "admin", "task", "cli").
        system: True only for operator tools (the CLI) that act without a user; then `by` may be None.
    Returns:
        The saved `ArcpExport`, with the PDF bytes in `file` and their SHA-256.
    Raises:
        PermissionDenied: `by` holds no role that may export (e.g. a patient representative).
        NotFound: the learner is outside `by`'s scope.
        ValidationError: bad period.
    """
    if not system or by is not None:
        if not exports.role_may(by, "add"):
            signed_in = bool(R.roles_of(by))
            message = exports.denied_message(by, "add", learner) if signed_in else "Sign in first."
            raise PermissionDenied(message)
        exports.require(by, "add", learner)
    check_period(period_from, period_to)
    export_id = uuid.uuid4()
    # The snapshot (ORM objects of every reflection in the period) is needed only to write the
    # HTML: not keeping it through WeasyPrint's layout lowers the export's peak memory.
    snapshot = evidence.gather(learner, period_from, period_to, viewer=by)
    data = pdf.render_pack(snapshot, export_id)
    return _store(export_id, learner, period_from, period_to, data, by, via)


@transaction.atomic
def _store(export_id, learner, period_from, period_to, data: bytes, by, via: str) -> ArcpExport:
    export = ArcpExport(
        id=export_id,
        learner=learner,
        period_from=period_from,
        period_to=period_to,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        created_by=by if by is not None and by.is_authenticated else None,
    )
    name = (
        f"arcp-{slugify(learner.get_username())}-{period_from:%Y%m%d}-{period_to:%Y%m%d}-{export_id.hex[:8]}"
    )
    name += ".pdf"
    export.file.save(name, ContentFile(data), save=False)
    try:
        export.save(force_insert=True)
        audit.record(
            by,
            "export",
            learner=learner,
            obj=export,
            via=via,
            period_from=period_from.isoformat(),
            period_to=period_to.isoformat(),
            sha256=export.sha256,
        )
    except BaseException:
        # The row is rolled back; do not leave its PDF behind in storage.
        export.file.delete(save=False)
        raise
    return export


def read_pack(export: ArcpExport) -> bytes:
    """The stored bytes of a pack (exactly what was issued)."""
    with export.file.open("rb") as handle:
        return handle.read()


def export_for(user, export_id) -> ArcpExport:
    """A recorded pack if `user` may see its learner.

    Raises:
        NotFound: unknown, or outside `user`'s scope (the same answer).
    """
    return exports.get(user, export_id, ArcpExport.objects.select_related("learner", "created_by"))


def verify(copy: bytes | File, user, *, via: str = "site") -> ArcpExport | None:
    """Is this copy byte-for-byte a pack we issued, and which?

    Args:
        copy: the uploaded copy: a file (hashed in chunks, never read whole) or bytes. The
            doors cap its size before it is read (`ARCP_VERIFY_MAX_BYTES`).
        user: who asks; packs of learners outside their scope look invalid.
        via: the door, for the audit log.
    Returns:
        The matching `ArcpExport`, or None.
    """
    digest, size = sha256_of(copy)
    match = (
        exports.visible(user)
        .filter(sha256=digest, size=size)
        .select_related("learner")
        .first()
    )
    if match is not None:
        audit.record(user, "verify", learner=match.learner, obj=match, via=via)
    return match


# --- Reviews -----------------------------------------------------------------------------
@transaction.atomic
def record_review(
    examiner,
    learner,
    period_from: datetime.date,
    period_to: datetime.date,
    export: ArcpExport | uuid.UUID | str,
    outcome: str,
    reason_codes: Iterable[str] | None = None,
    comments: str = "",
    *,
    via: str = "site",
) -> ArcpReview:
    """Record the panel's outcome for a learner and period, against the pack it judged from.

    Args:
        examiner: an examiner on a panel (open today) of the learner's cohort.
        learner: the learner.
        period_from, period_to: the review period (`period_to` ≥ `period_from`).
        export: the pack (or its id) the panel used; it must be one of this learner's packs.
        outcome: a Gold Guide outcome code (1–6, 7.1–7.4, 8, 9, 10.1, 10.2).
        reason_codes: required for 2, 3, 5, 7.2–7.4 (U codes) and 10.1, 10.2 (N codes).
        comments: plain text (at most `limits.LONG_TEXT` characters as sent).
    Returns:
        The saved `ArcpReview`.
    Raises:
        PermissionDenied: `examiner` is not an examiner, or not on the learner's panel.
        NotFound: the learner is outside the examiner's scope.
        ValidationError: bad outcome, reason codes, period, pack or over-long comments (by field).
    """

    if not reviews.role_may(examiner, "add"):
        raise PermissionDenied(reviews.denied_message(examiner, "add", learner))
    reviews.require(examiner, "add", learner)
    errors: dict[str, str] = {}
    if limits.too_long(comments, limits.LONG_TEXT):
        errors["comments"] = limits.message("the comments", limits.LONG_TEXT, len(comments))
    outcome = str(outcome or "").strip()
    codes = [str(c).strip().upper() for c in (reason_codes or []) if str(c).strip()]
    codes = list(dict.fromkeys(codes))
    if outcome not in OUTCOME_CODES:
        errors["outcome"] = f"Choose a Gold Guide outcome: {', '.join(OUTCOME_CODES)}."
    else:
        allowed = reasons_for(outcome)
        if allowed and not codes:
            kind = "U" if outcome in OUTCOMES_NEEDING_U else "N"
            errors["reason_codes"] = f"Outcome {outcome} needs at least one reason code ({kind} codes)."
        elif not allowed and codes:
            errors["reason_codes"] = f"Outcome {outcome} takes no reason codes."
        elif unknown := [c for c in codes if c not in allowed]:
            errors["reason_codes"] = f"Not a reason code for outcome {outcome}: {', '.join(unknown)}."
    if not isinstance(period_from, datetime.date) or not isinstance(period_to, datetime.date):
        errors["period_from"] = "Both dates of the period are required."
    elif period_to < period_from:
        errors["period_to"] = "The end of the period cannot be before its start."
    if not isinstance(export, ArcpExport):
        try:
            export = ArcpExport.objects.get(pk=export)
        except (ArcpExport.DoesNotExist, ValueError, ValidationError):
            export = None
    if export is None or export.learner_id != learner.pk:
        errors["export"] = "Choose one of this learner's ARCP packs."
    if errors:
        raise ValidationError(errors)
    review = ArcpReview.objects.create(
        learner=learner,
        period_from=period_from,
        period_to=period_to,
        export=export,
        outcome=outcome,
        reason_codes=codes,
        comments=to_plain_text(comments),
        examiner=examiner,
    )
    audit.record(examiner, "arcp_review", learner=learner, obj=review, via=via, outcome=outcome)
    return review


def pack_filename(learner, export: ArcpExport) -> str:
    return f"{slugify(learner.get_username())}-arcp-{export.period_from:%Y%m%d}-{export.period_to:%Y%m%d}.pdf"
