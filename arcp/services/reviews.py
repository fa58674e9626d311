"""Panel outcomes: the programme type's code rules, checking and recording an outcome (and a
correction that supersedes one), the learner's acknowledgement and response."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from portfolio.models import Enrolment
from reflect import audit, limits
from reflect.errors import Conflict
from reflect.notify import notify
from reflect.people import display_name
from reflect.sanitize import to_plain_text

from .. import codes
from ..evidence import cutoff_end
from ..models import ArcpExport, ArcpReview
from ..policies import reviews
from .supervision import covering_reports

# --- Gold Guide codes --------------------------------------------------------------------
# The GMC's outcome and reason-code tables and their rule live in `arcp.codes` (with sources).
OUTCOME_CODES = codes.OUTCOME_CODES
REASON_CODES = codes.REASON_CODES

# Satisfactory outcomes need a signed educational supervisor's report in the pack. The Gold
# Guide's ARCP panel first considers "the adequacy of the evidence and documentation provided
# by the trainee, which at a minimum must consist of a review of the trainee's e-portfolio
# through a structured report from the Educational Supervisor"
# (https://gpst.walesdeanery.org/gp-trainees/arcp-panels, quoting the Gold Guide).
ESR_SOURCE = "https://gpst.walesdeanery.org/gp-trainees/arcp-panels"
NEEDS_SIGNED_ESR = frozenset({"1", "6"})


def esr_missing_message(outcome: str) -> str:
    return (
        f"Outcome {outcome} needs a signed educational supervisor's report for this period in the "
        "pack: under the Gold Guide the panel's evidence must at a minimum include a structured "
        "report from the educational supervisor. Ask the learner's tutor to sign the report, then "
        "make a new pack."
    )


def programme_type_of(learner) -> str | None:
    """The programme type of the learner's cohort (None without a cohort)."""
    enrolment = Enrolment.of(learner)
    return enrolment.cohort.programme_type if enrolment else None


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
    elif outcome in NEEDS_SIGNED_ESR and "period_from" not in errors and "period_to" not in errors:
        # The report must be in the pack the panel judged from: signed by its cut-off and
        # before the pack was made.
        held_by = min(cutoff_end(period_to), export.created_at)
        if not covering_reports(learner, period_from, period_to, held_by).exists():
            errors.setdefault("outcome", esr_missing_message(outcome))
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


def own_review(user, review_id, action: str) -> ArcpReview:
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
    review = own_review(user, review_id, "acknowledge")
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
    review = own_review(user, review_id, "respond")
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
