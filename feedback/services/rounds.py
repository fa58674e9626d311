"""Colleague rounds (multi-source feedback): opening a round, the learner's self-assessment,
the tutor reading the answers and releasing the aggregates to the learner.

Validity rules, as competitors' MSF/TAB tools apply them: a round needs a minimum number of
answers of a required mix of roles (`ColleagueRoundRule`, per cohort or programme type, else
`DEFAULT_MIN_RESPONSES` / `DEFAULT_REQUIRED_MIX`), closes on a date, and reaches the learner
only when a tutor has read the answers and written a summary. The learner never sees an
individual answer: only means per statement, and no figure for a group of fewer than
`FLOOR` colleagues.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portfolio.models import Enrolment
from reflect import audit, limits
from reflect.errors import Conflict, NotFound

from ..models import (
    DEFAULT_MIN_RESPONSES,
    DEFAULT_REQUIRED_MIX,
    ColleagueRound,
    ColleagueRoundRule,
    Feedback,
    FeedbackInvitation,
    RespondentType,
)
from ..policies import rounds as round_policy
from .answers import clean_answers
from .instruments import current as current_instrument
from .inviting import create_invitations
from .links import plain

FLOOR = 3  # no aggregate is shown for fewer answers than this
ROLE_LABELS = dict(Feedback.RespondentRole.choices)


def rule_for(learner) -> tuple[int, dict]:
    """The minimum and mix that apply to `learner`: their cohort's rule, else their programme
    type's, else the defaults."""
    enrolment = Enrolment.objects.filter(learner=learner).select_related("cohort").first()
    rule = None
    if enrolment is not None:
        rule = ColleagueRoundRule.objects.filter(cohort=enrolment.cohort).first() or (
            ColleagueRoundRule.objects.filter(
                cohort__isnull=True, programme_type=enrolment.cohort.programme_type
            ).first()
        )
    rule = rule or ColleagueRoundRule.objects.filter(cohort__isnull=True, programme_type="").first()
    if rule is None:
        return DEFAULT_MIN_RESPONSES, dict(DEFAULT_REQUIRED_MIX)
    return rule.min_responses, dict(rule.required_mix or {})


def answers(round_: ColleagueRound):
    """The round's answers that count (withdrawn ones do not)."""
    return Feedback.objects.filter(invitation__round=round_, withdrawn_at__isnull=True)


def open_round(
    learner, by, title: str, closes_on, emails: list[str], *, base_url: str | None = None, via: str = ""
):
    """Open a colleague round for `learner` and make one link per entry of `emails` (an empty
    entry makes a link to pass on by hand).

    Returns:
        ``(round, [CreatedInvitation, ...])``; the raw tokens are shown once.

    Raises:
        PermissionDenied / NotFound: `by` may not open rounds for this learner.
        ValidationError: no title, a closing date in the past, bad e-mails; nothing stored.
    """
    round_policy.require(by, "open", learner)
    errors: dict[str, list[str]] = {}
    limits.check(errors, "title", title, limits.TITLE, "the title")
    title = plain(title)
    if not title and "title" not in errors:
        errors["title"] = ["Give the round a name, e.g. “Colleague feedback, spring 2027”."]
    if isinstance(closes_on, str):
        try:
            closes_on = datetime.date.fromisoformat(closes_on)
        except ValueError:
            closes_on = None
    if not isinstance(closes_on, datetime.date):
        errors["closes_on"] = ["Give the closing date as YYYY-MM-DD."]
    elif closes_on < timezone.localdate():
        errors["closes_on"] = ["The closing date cannot be in the past."]
    if errors:
        raise ValidationError(errors)
    minimum, mix = rule_for(learner)
    with transaction.atomic():
        round_ = ColleagueRound.objects.create(
            learner=learner,
            created_by=by,
            title=title,
            closes_on=closes_on,
            min_responses=minimum,
            required_mix=mix,
            instrument=current_instrument(RespondentType.COLLEAGUE),
        )
        audit.record(by, "colleague_round_open", learner=learner, obj=round_, via=via)
        created = create_invitations(
            learner,
            by,
            title,
            timezone.localdate(),
            emails,
            base_url=base_url,
            via=via,
            respondent_type=RespondentType.COLLEAGUE,
            round=round_,
        )
    return round_, created


def add_links(round_: ColleagueRound, by, emails: list[str], *, base_url: str | None = None, via: str = ""):
    """More colleague links for an open round (see `open_round`).

    Raises:
        Conflict: the round is closed or released.
    """
    round_policy.require(by, "open", round_.learner)
    round_ = ColleagueRound.objects.get(pk=round_.pk)  # its state now, not as the caller read it
    if round_.is_closed:
        raise Conflict("This round has closed; open a new round to ask more colleagues.")
    return create_invitations(
        round_.learner,
        by,
        round_.title,
        timezone.localdate(),
        emails,
        base_url=base_url,
        via=via,
        respondent_type=RespondentType.COLLEAGUE,
        round=round_,
    )


def self_assess(round_: ColleagueRound, learner, ratings: dict, comments: str = "", *, via: str = ""):
    """The learner rates themselves on the round's instrument (before release; may be redone).

    Raises:
        PermissionDenied / NotFound: not the round's learner.
        Conflict: the round was released.
        ValidationError: ratings off the scale or unknown keys.
    """
    round_policy.require(learner, "self_assess", round_)
    data = clean_answers(
        ratings, comments, False, round_.instrument.roles[0], "", instrument=round_.instrument
    )
    with transaction.atomic():
        locked = ColleagueRound.objects.select_for_update().get(pk=round_.pk)
        round_policy.require(learner, "self_assess", locked, visible=True)
        locked.self_ratings = data["ratings"]
        locked.self_comments = data["comments"]
        locked.self_assessed_at = timezone.now()
        locked.save(update_fields=["self_ratings", "self_comments", "self_assessed_at"])
        audit.record(learner, "colleague_round_self_assess", learner=learner, obj=locked, via=via)
    return locked


def record_read(round_: ColleagueRound, by, *, via: str = "") -> None:
    """Note that a tutor (or admin) read the individual answers (the first time counts).

    Raises:
        PermissionDenied / NotFound: `by` may not read them.
    """
    round_policy.require(by, "read", round_)
    audit.record(by, "read", learner=round_.learner, obj=round_, via=via)
    if round_.read_at is None:
        ColleagueRound.objects.filter(pk=round_.pk, read_at__isnull=True).update(
            read_at=timezone.now(), read_by=by
        )
        round_.refresh_from_db(fields=["read_at", "read_by"])


def progress(round_: ColleagueRound) -> dict:
    """Where the round stands against its rules.

    Returns:
        ``{"count", "minimum", "by_role": {role: n}, "missing": [{"role", "label", "needed",
        "have"}], "valid": bool}``.
    """
    by_role = Counter(answers(round_).values_list("respondent_role", flat=True))
    count = sum(by_role.values())
    missing = [
        {"role": role, "label": ROLE_LABELS.get(role, role), "needed": needed, "have": by_role.get(role, 0)}
        for role, needed in (round_.required_mix or {}).items()
        if by_role.get(role, 0) < needed
    ]
    return {
        "count": count,
        "minimum": round_.min_responses,
        "by_role": dict(by_role),
        "missing": missing,
        "valid": count >= round_.min_responses and not missing,
    }


def release(round_: ColleagueRound, by, summary: str, *, via: str = "") -> ColleagueRound:
    """Release the round's aggregates to the learner, with the tutor's summary. Closes it:
    links not yet used stop working.

    Raises:
        PermissionDenied / NotFound: `by` is not a current tutor of the learner or an admin.
        Conflict: already released.
        ValidationError: no summary; the answers were not read yet; fewer answers than the
            minimum, or the required mix not met (the message says what is missing).
    """
    round_policy.require(by, "release", round_)
    limits.require("summary", summary, limits.COMMENT, "the summary")
    text = plain(summary)
    with transaction.atomic():
        locked = ColleagueRound.objects.select_for_update().get(pk=round_.pk)
        round_policy.require(by, "release", locked, visible=True)
        errors: dict[str, list[str]] = {}
        if not text:
            errors["summary"] = ["Write a summary for the learner before releasing."]
        if locked.read_at is None:
            errors.setdefault("__all__", []).append("Read the colleagues' answers before releasing them.")
        state = progress(locked)
        if state["count"] < locked.min_responses:
            errors.setdefault("__all__", []).append(
                f"This round has {state['count']} answer{'s' if state['count'] != 1 else ''}; "
                f"it needs at least {locked.min_responses} before it can be released."
            )
        for gap in state["missing"]:
            errors.setdefault("__all__", []).append(
                f"It needs at least {gap['needed']} from: {gap['label'].lower()} (it has {gap['have']})."
            )
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        locked.summary = text
        locked.released_at = now
        locked.released_by = by
        locked.save(update_fields=["summary", "released_at", "released_by"])
        FeedbackInvitation.objects.filter(round=locked, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        audit.record(by, "colleague_round_release", learner=locked.learner, obj=locked, via=via)
    return locked


def _mean(values: list) -> float | None:
    numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return round(sum(numbers) / len(numbers), 2) if len(numbers) >= FLOOR else None


def report(round_: ColleagueRound, viewer) -> dict:
    """The round as the learner (once released), their tutors and the panel see it:
    aggregates only. A statement answered by fewer than `FLOOR` colleagues, or a role group
    of fewer than `FLOOR`, shows no figure (``None`` and ``"suppressed": True``).

    Raises:
        NotFound: `viewer` may not see this round's report (e.g. the learner before release).
    """
    if not round_policy.is_visible(viewer, round_) or not round_policy.may_see_report(viewer, round_):
        raise NotFound(round_policy.not_found_message)
    return aggregates(round_)


def aggregates(round_: ColleagueRound) -> dict:
    """The combined results of a round (the shape `report` returns), without asking who
    reads them: for callers that have already applied the policy (the ARCP pack gathers
    released rounds only)."""
    rows = list(answers(round_).values_list("respondent_role", "ratings"))
    by_role: dict[str, list[dict]] = defaultdict(list)
    for role, ratings in rows:
        by_role[role].append(ratings or {})
    everyone = [ratings or {} for _, ratings in rows]
    enough = len(everyone) >= FLOOR
    items = []
    for item in round_.instrument.items:
        key = item["key"]
        values = [r.get(key) for r in everyone if r.get(key) is not None]
        mean = _mean(values) if enough else None
        items.append(
            {
                "key": key,
                "prompt": item["prompt"],
                "themes": item.get("themes", []),
                "self": (round_.self_ratings or {}).get(key),
                "n": len(values) if enough else None,
                "mean": mean,
                "suppressed": mean is None,
                "groups": [
                    {
                        "role": role,
                        "label": ROLE_LABELS.get(role, role),
                        "mean": _mean([r.get(key) for r in group]),
                    }
                    for role, group in sorted(by_role.items())
                    if len(group) >= FLOOR
                ],
            }
        )
    groups = [
        {"role": role, "label": ROLE_LABELS.get(role, role), "n": len(group) if len(group) >= FLOOR else None}
        for role, group in sorted(by_role.items())
    ]
    return {
        "id": round_.pk,
        "title": round_.title,
        "closes_on": round_.closes_on,
        "released_at": round_.released_at,
        "responses": len(everyone) if enough else None,
        "enough_for_aggregates": enough,
        "floor": FLOOR,
        "groups": groups,
        "items": items,
        "self_comments": round_.self_comments,
        "summary": round_.summary if round_.is_released else "",
    }
