"""ARCP business rules: building and verifying packs, recording panel outcomes.

Every door (site, API, admin, task, command) calls these functions, so they all ask the same
policies (`arcp.policies`) and write the same audit records. Cohort exports: `arcp.cohort`.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from portfolio.models import Enrolment
from portfolio.policies import learners
from reflect import audit, dates, limits
from reflect import roles as R
from reflect.errors import Conflict
from reflect.notify import notify
from reflect.people import display_name
from reflect.sanitize import to_plain_text
from reflect.uploads import sha256_of

from . import codes, evidence, pdf
from .models import ArcpExport, ArcpReview
from .policies import exports, reviews

# --- Gold Guide codes --------------------------------------------------------------------
# The GMC's outcome and reason-code tables and their rule live in `arcp.codes` (with sources).
OUTCOME_CODES = codes.OUTCOME_CODES
REASON_CODES = codes.REASON_CODES
# Default cap on a copy uploaded to be verified (setting ARCP_VERIFY_MAX_BYTES): packs are
# tens or hundreds of kilobytes; 10 MB leaves room for the largest portfolio.
VERIFY_MAX_BYTES = 10 * 1024 * 1024


def programme_type_of(learner) -> str | None:
    """The programme type of the learner's cohort (None without a cohort)."""
    return Enrolment.objects.filter(learner=learner).values_list("cohort__programme_type", flat=True).first()


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
        The saved `ArcpExport`, with the PDF bytes in `file` and their SHA-256. When a stored
        pack of the same learner and period printed the same evidence (for this reader), that
        pack is returned instead (its `reused` attribute is True): same id, same bytes, an
        `export_reuse` audit record and nothing else written.
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
    digest = pdf.evidence_digest(snapshot)
    earlier = _reusable(learner, period_from, period_to, digest)
    if earlier is not None:
        # Unchanged evidence: the pack made before, its id and bytes; the access is audited,
        # no new export is recorded and no file is written (contract v1.1).
        del snapshot
        audit.record(
            by,
            "export_reuse",
            learner=learner,
            obj=earlier,
            via=via,
            period_from=period_from.isoformat(),
            period_to=period_to.isoformat(),
            sha256=earlier.sha256,
        )
        earlier.reused = True
        return earlier
    data = pdf.render_pack(snapshot, export_id)
    return _store(export_id, learner, period_from, period_to, data, by, via, digest)


def _reusable(learner, period_from, period_to, digest: str) -> ArcpExport | None:
    """The latest stored pack of this learner and period that printed the same evidence."""
    candidates = ArcpExport.objects.filter(
        learner=learner, period_from=period_from, period_to=period_to, evidence_sha256=digest
    ).exclude(file="")
    for export in candidates.order_by("-created_at")[:3]:
        if export.file.storage.exists(export.file.name):
            return export
    return None


@transaction.atomic
def _store(
    export_id, learner, period_from, period_to, data: bytes, by, via: str, digest: str = ""
) -> ArcpExport:
    export = ArcpExport(
        id=export_id,
        evidence_sha256=digest,
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
    match = exports.visible(user).filter(sha256=digest, size=size).select_related("learner").first()
    if match is not None:
        audit.record(user, "verify", learner=match.learner, obj=match, via=via)
    return match


# --- Reviews -----------------------------------------------------------------------------
def check_review(
    examiner,
    learner,
    period_from: datetime.date,
    period_to: datetime.date,
    export: ArcpExport | uuid.UUID | str,
    outcome: str,
    reason_codes: Iterable[str] | None = None,
    comments: str = "",
    *,
    actions: str = "",
    next_review_on: datetime.date | None = None,
    supersedes: ArcpReview | int | None = None,
    correction_reason: str = "",
) -> dict:
    """Every rule of an outcome, without saving: the cleaned values, or a ValidationError.

    The site's confirmation step asks this before it shows what will be recorded, and
    `record_review` asks it again when it records. Arguments: as `record_review`.
    Returns:
        {"period_from", "period_to", "export", "outcome", "reason_codes", "comments",
        "actions", "next_review_on", "supersedes", "correction_reason", "programme_type"}.
    Raises:
        PermissionDenied: `examiner` is not an examiner, or not on the learner's panel.
        NotFound: the learner is outside the examiner's scope.
        ValidationError: by field (the API's 400 `{"field": ["message"]}`), nothing saved.
    """
    if not reviews.role_may(examiner, "add"):
        raise PermissionDenied(reviews.denied_message(examiner, "add", learner))
    reviews.require(examiner, "add", learner)
    errors: dict[str, str] = {}
    for field, text, what in (
        ("comments", comments, "the comments"),
        ("actions", actions, "the actions"),
        ("correction_reason", correction_reason, "the reason for the correction"),
    ):
        if limits.too_long(text, limits.LONG_TEXT):
            errors[field] = limits.message(what, limits.LONG_TEXT, len(text))
    outcome = str(outcome or "").strip().lower()
    reasons = codes.normalise(reason_codes)
    programme_type = programme_type_of(learner)
    errors.update(codes.check(programme_type, outcome, reasons))
    if not isinstance(period_from, datetime.date) or not isinstance(period_to, datetime.date):
        errors["period_from"] = "Both dates of the period are required."
    elif period_to < period_from:
        errors["period_to"] = "The end of the period cannot be before its start."
    if next_review_on is not None and not isinstance(next_review_on, datetime.date):
        errors["next_review_on"] = "Give the next review date as YYYY-MM-DD."
    elif next_review_on is None and outcome in codes.NEXT_REVIEW_REQUIRED:
        errors["next_review_on"] = f"Outcome {outcome} needs the date of the next review."
    elif next_review_on is not None and isinstance(period_to, datetime.date) and next_review_on <= period_to:
        errors["next_review_on"] = "The next review must come after the end of this review period."
    if not isinstance(export, ArcpExport):
        try:
            export = ArcpExport.objects.get(pk=export)
        except (ArcpExport.DoesNotExist, ValueError, ValidationError):
            export = None
    if export is None or export.learner_id != learner.pk:
        errors["export"] = "Choose one of this learner's ARCP packs."
    if supersedes is not None and not isinstance(supersedes, ArcpReview):
        try:
            supersedes = ArcpReview.objects.get(pk=supersedes)
        except (ArcpReview.DoesNotExist, ValueError, TypeError):
            supersedes = None
            errors["supersedes"] = "No such outcome of this learner."
    if isinstance(supersedes, ArcpReview):
        if supersedes.learner_id != learner.pk:
            errors["supersedes"] = "No such outcome of this learner."
        elif supersedes.is_superseded:
            errors["supersedes"] = "That outcome has already been corrected; correct the latest record."
        if not (correction_reason or "").strip():
            errors["correction_reason"] = "Say why the recorded outcome is being corrected."
    elif (correction_reason or "").strip() and "supersedes" not in errors:
        errors["correction_reason"] = "A reason for a correction goes with the outcome it corrects."
    if errors:
        raise ValidationError(errors)
    return {
        "period_from": period_from,
        "period_to": period_to,
        "export": export,
        "outcome": outcome,
        "reason_codes": reasons,
        "comments": to_plain_text(comments),
        "actions": to_plain_text(actions),
        "next_review_on": next_review_on,
        "supersedes": supersedes,
        "correction_reason": to_plain_text(correction_reason or ""),
        "programme_type": programme_type,
    }


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
    actions: str = "",
    next_review_on: datetime.date | None = None,
    supersedes: ArcpReview | int | None = None,
    correction_reason: str = "",
    via: str = "site",
) -> ArcpReview:
    """Record the panel's outcome for a learner and period, against the pack it judged from.

    Args:
        examiner: an examiner on a panel (open today) of the learner's cohort.
        learner: the learner.
        period_from, period_to: the review period (`period_to` ≥ `period_from`).
        export: the pack (or its id) the panel used; it must be one of this learner's packs.
        outcome: a Gold Guide outcome code (1–6, 7.1–7.4, 8, 9, 10.1, 10.2) or "none" (no
            outcome awarded); foundation cohorts award only the outcomes foundation has.
        reason_codes: by the GMC's tables for the learner's programme type (`arcp.codes.check`):
            U codes for unsatisfactory outcomes, C codes for 10.1/10.2, N codes for "none".
        comments, actions: plain text (at most `limits.LONG_TEXT` characters as sent).
        next_review_on: required for outcomes 2–5; after `period_to`.
        supersedes: the recorded outcome (or its id) this one corrects; the old record is kept,
            never edited. Needs `correction_reason`.
    Returns:
        The saved `ArcpReview`.
    Raises:
        PermissionDenied: `examiner` is not an examiner, or not on the learner's panel.
        NotFound: the learner is outside the examiner's scope.
        Conflict: the outcome being corrected was corrected by someone else meanwhile.
        ValidationError: bad outcome, reason codes, period, pack, dates or texts (by field).
    """
    data = check_review(
        examiner,
        learner,
        period_from,
        period_to,
        export,
        outcome,
        reason_codes,
        comments,
        actions=actions,
        next_review_on=next_review_on,
        supersedes=supersedes,
        correction_reason=correction_reason,
    )
    old = data["supersedes"]
    if old is not None:
        # Lock the corrected record so that two corrections at once cannot both win.
        old = ArcpReview.objects.select_for_update().get(pk=old.pk)
        if ArcpReview.objects.filter(supersedes=old).exists():
            raise Conflict("That outcome was corrected by someone else meanwhile; reload to see it.")
    try:
        with transaction.atomic():
            review = ArcpReview.objects.create(
                learner=learner,
                period_from=data["period_from"],
                period_to=data["period_to"],
                export=data["export"],
                outcome=data["outcome"],
                reason_codes=data["reason_codes"],
                comments=data["comments"],
                actions=data["actions"],
                next_review_on=data["next_review_on"],
                supersedes=old,
                correction_reason=data["correction_reason"],
                examiner=examiner,
            )
    except IntegrityError:
        raise Conflict("That outcome was corrected by someone else meanwhile; reload to see it.") from None
    detail = {"outcome": review.outcome, "reason_codes": review.reason_codes}
    if old is not None:
        detail.update(supersedes=old.pk, superseded_outcome=old.outcome, reason=review.correction_reason)
        audit.record(examiner, "arcp_review_correct", learner=learner, obj=review, via=via, **detail)
    else:
        audit.record(examiner, "arcp_review", learner=learner, obj=review, via=via, **detail)
    return review


def _own_review(user, review_id, action: str) -> ArcpReview:
    """The outcome `review_id` if `user` is its learner (policy `arcp.reviews`, `action`).

    Raises:
        PermissionDenied: `user`'s role never does `action`, or they see the outcome but it is
            not theirs.
        NotFound: unknown, or outside `user`'s scope.
    """
    if not reviews.role_may(user, action):
        raise PermissionDenied(reviews.denied_message(user, action, None))
    review = reviews.get(
        user, review_id, ArcpReview.objects.select_related("learner", "examiner", "superseded_by")
    )
    reviews.require(user, action, review, visible=True)
    return review


def acknowledge_review(user, review_id, *, via: str = "site") -> ArcpReview:
    """The learner acknowledges that they have seen an outcome (once; again is a no-op).

    Raises:
        PermissionDenied: `user` is not this outcome's learner but may see it.
        NotFound: unknown, or outside `user`'s scope.
    """
    review = _own_review(user, review_id, "acknowledge")
    if review.acknowledged_at is None:
        with transaction.atomic():
            updated = ArcpReview.objects.filter(pk=review.pk, acknowledged_at__isnull=True).update(
                acknowledged_at=timezone.now()
            )
            if updated:
                audit.record(user, "arcp_review_acknowledge", learner=review.learner, obj=review, via=via)
        review.refresh_from_db()
    return review


def respond_to_review(user, review_id, response: str, *, via: str = "site") -> ArcpReview:
    """The learner's written response to an outcome, shown to the panel beside it: one per
    outcome, never edited (a second → Conflict). Plain text, at most `limits.COMMENT`
    characters as sent. A superseded outcome takes none (respond to the correction).

    Raises:
        PermissionDenied / NotFound: as `acknowledge_review`.
        ValidationError: `{"response": [...]}` empty or too long; `{"detail"}` superseded.
        Conflict: already responded.
    """
    review = _own_review(user, review_id, "respond")
    raw = response if isinstance(response, str) else ""
    limits.require("response", raw, limits.COMMENT, "your response")
    text = to_plain_text(raw).strip()
    if not text:
        raise ValidationError({"response": ["Write your response before sending it."]})
    if review.is_superseded:
        raise ValidationError(
            "This outcome was corrected by a later record: respond to the correction instead."
        )
    with transaction.atomic():
        updated = ArcpReview.objects.filter(pk=review.pk, responded_at__isnull=True).update(
            learner_response=text, responded_at=timezone.now()
        )
        if not updated:
            raise Conflict("You have already responded to this outcome; a response is not changed.")
        audit.record(user, "arcp_review_respond", learner=review.learner, obj=review, via=via)
        review.refresh_from_db()
        notify(
            reviews.panel_examiners(review),
            f"ARCP: {display_name(review.learner)} responded to outcome {review.outcome}",
            f"{display_name(review.learner)} added a written response to their ARCP outcome "
            f"{review.get_outcome_display()} "
            f"({review.period_from:%d %b %Y} to {review.period_to:%d %b %Y}).\n\n"
            "Read it on the learner's panel page.",
        )
    return review


# --- Review and appeal requests -----------------------------------------------------------
# The Gold Guide (10th edition, "Reviews and appeals of ARCP outcomes"): a trainee may ask
# for a review of outcome 2 and appeal outcomes 3 and 4, in writing, within 10 working days
# of being told the outcome. Here the window runs from the day the outcome was recorded (the
# learner sees it that day); a correction is a new record, so its window runs from the
# correction, and the superseded record cannot be appealed.
APPEAL_KINDS = {"2": "review", "3": "appeal", "4": "appeal"}
APPEAL_WORDS = {"review": "a review of the outcome", "appeal": "an appeal"}


@dataclass(frozen=True)
class AppealWindow:
    """What the learner may ask about an outcome, and until when.

    `kind`: "review" (outcome 2), "appeal" (3, 4) or None (no other outcome). `closes_on`: the
    last day to ask (the `ARCP_APPEAL_WORKING_DAYS`-th working day after the outcome was
    recorded, inclusive), None without a `kind`. `refusal`: why asking is not possible now,
    or None when it is."""

    kind: str | None
    recorded_on: datetime.date
    closes_on: datetime.date | None
    refusal: str | None

    @property
    def open(self) -> bool:
        return self.refusal is None

    @property
    def closed(self) -> bool:
        """The window has passed (rather than: the outcome takes none, or it was used)."""
        return self.closes_on is not None and dates.today() > self.closes_on

    @property
    def words(self) -> str:
        return APPEAL_WORDS.get(self.kind or "", "")


def bank_holidays() -> frozenset[datetime.date]:
    """The closed days besides weekends: setting `ARCP_BANK_HOLIDAYS` (ISO dates)."""
    return dates.parse_iso_dates(getattr(settings, "ARCP_BANK_HOLIDAYS", ()) or ())


def appeal_closes_on(recorded_on: datetime.date) -> datetime.date:
    """The last day (inclusive) to ask about an outcome recorded on `recorded_on`."""
    days = int(getattr(settings, "ARCP_APPEAL_WORKING_DAYS", 10))
    return dates.add_working_days(recorded_on, days, bank_holidays())


def appeal_window(review: ArcpReview) -> AppealWindow:
    """May the learner ask for a review (outcome 2) or appeal (3, 4) of `review` today?"""
    recorded_on = timezone.localdate(review.created_at)
    kind = APPEAL_KINDS.get(review.outcome)
    if kind is None:
        refusal = (
            f"Outcome {review.outcome} cannot be appealed: a review may be asked for outcome 2, "
            "and an appeal made against outcomes 3 and 4."
        )
        return AppealWindow(None, recorded_on, None, refusal)
    closes_on = appeal_closes_on(recorded_on)
    refusal = None
    if review.appeal_requested_at is not None:
        asked = timezone.localtime(review.appeal_requested_at)
        refusal = f"You asked for {APPEAL_WORDS[kind]} on {asked:%-d %B %Y}."
    elif review.is_superseded:
        refusal = "This outcome was corrected by a later record; a request goes against the correction."
    elif dates.today() > closes_on:
        refusal = (
            f"The window for {APPEAL_WORDS[kind]} closed on {closes_on:%-d %B %Y} "
            f"(10 working days after the outcome was recorded on {recorded_on:%-d %B %Y})."
        )
    return AppealWindow(kind, recorded_on, closes_on, refusal)


def request_appeal(user, review_id, reason: str, *, via: str = "site") -> ArcpReview:
    """The learner asks for a review of outcome 2, or appeals outcome 3 or 4, with their
    reasons, within the window (`appeal_window`). Recorded once, audited, and the panel's
    examiners are told after the transaction commits.

    Raises:
        PermissionDenied / NotFound: as `acknowledge_review`.
        ValidationError: `{"reason": [...]}` empty or too long; `{"detail"}` when the outcome
            takes no request, was superseded or the window has closed. Nothing is saved.
        Conflict: a request was already made.
    """
    review = _own_review(user, review_id, "appeal")
    raw = reason if isinstance(reason, str) else ""
    limits.require("reason", raw, limits.COMMENT, "your reasons")
    text = to_plain_text(raw).strip()
    window = appeal_window(review)
    if review.appeal_requested_at is not None:
        raise Conflict(window.refusal)
    if not window.open:
        raise ValidationError(window.refusal)
    if not text:
        raise ValidationError({"reason": [f"Say why you ask for {window.words}."]})
    with transaction.atomic():
        updated = ArcpReview.objects.filter(pk=review.pk, appeal_requested_at__isnull=True).update(
            appeal_reason=text, appeal_requested_at=timezone.now()
        )
        if not updated:
            raise Conflict("A request was already made for this outcome.")
        audit.record(
            user,
            "arcp_review_appeal",
            learner=review.learner,
            obj=review,
            via=via,
            kind=window.kind,
            outcome=review.outcome,
            closes_on=window.closes_on.isoformat(),
        )
        review.refresh_from_db()
        who = display_name(review.learner)
        what = "asked for a review of" if window.kind == "review" else "appealed"
        notify(
            reviews.panel_examiners(review),
            f"ARCP: {who} {what} outcome {review.outcome}",
            f"{who} {what} their ARCP outcome {review.get_outcome_display()} "
            f"({review.period_from:%d %b %Y} to {review.period_to:%d %b %Y}), recorded on "
            f"{window.recorded_on:%d %b %Y}.\n\nTheir reasons:\n{text}\n\n"
            "Read it on the learner's panel page.",
        )
    return review


def pack_filename(learner, export: ArcpExport) -> str:
    return f"{slugify(learner.get_username())}-arcp-{export.period_from:%Y%m%d}-{export.period_to:%Y%m%d}.pdf"
