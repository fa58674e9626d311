"""The learner's review (outcome 2) or appeal (3, 4) request within the window of working
days after an outcome is recorded."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from reflect import audit, dates, limits
from reflect.errors import Conflict
from reflect.notify import notify
from reflect.people import display_name
from reflect.sanitize import to_plain_text

from ..models import ArcpReview
from ..policies import reviews
from .reviews import own_review

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
    review = own_review(user, review_id, "appeal")
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
