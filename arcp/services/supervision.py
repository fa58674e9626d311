"""The educational supervisor's report (ESR): written by the learner's tutor, shared with the
learner (who may comment), then signed and frozen. `draft → shared → signed`.

Who may do what is `arcp.policies.supervisor_reports`; the states are here. A transition from
the wrong state (sharing a shared report, signing a draft, changing a signed one) is a
`ValidationError` (400) and nothing is saved. Every change is audited.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from reflect import audit, limits
from reflect.notify import notify
from reflect.people import display_name
from reflect.sanitize import to_plain_text
from rubrics.models import Competency

from ..models import SupervisorReport, SupervisorReportTheme
from ..policies import supervisor_reports

S = SupervisorReport.Status
TEXT_FIELDS = tuple(name for name, _ in SupervisorReport.SECTIONS)
RECOMMENDATIONS = tuple(SupervisorReport.Recommendation.values)
# The Gold Guide's panel judges each year's evidence: a report spans at most about a year
# and a half (a review period with its margins), never more.
LONGEST_PERIOD = datetime.timedelta(days=550)


class PeriodTaken(ValidationError):
    """Another report of the learner already covers (part of) the period: `existing` is it."""

    def __init__(self, existing: SupervisorReport):
        self.existing = existing
        message = (
            f"{display_name(existing.author)}'s report for {existing.period_from:%-d %b %Y} – "
            f"{existing.period_to:%-d %b %Y} already covers this period."
        )
        super().__init__({"period_from": [message]})
        self.message_text = message


def _clean_themes(data: dict, errors: dict) -> dict:
    """{theme (Competency): plain text} for each of the eight themes, from `data["themes"]`
    ({theme code: text}; missing themes are empty). Unknown codes are a field error."""
    given = data.get("themes") or {}
    if not isinstance(given, dict):
        errors["themes"] = ["Give the themes as {theme code: text}."]
        return {}
    themes = {t.code: t for t in Competency.objects.themes().order_by("sort_order", "code")}
    unknown = sorted(str(code) for code in given if code not in themes)
    if unknown:
        errors["themes"] = [f"No such theme: {', '.join(unknown)}."]
    texts = {}
    for code, theme in themes.items():
        raw = given.get(code) or ""
        raw = raw if isinstance(raw, str) else str(raw)
        limits.check(errors, f"theme_{code}", raw, limits.LONG_TEXT, f"“{theme.title}”")
        texts[theme] = to_plain_text(raw).strip()
    return texts


def _clean(data: dict) -> tuple[dict, dict]:
    """The report's fields from `data` (period, recommendation, sections), checked, and its
    theme texts ({Competency: text}, `_clean_themes`).

    Raises:
        ValidationError: by field; nothing is saved.
    """
    errors: dict[str, list[str]] = {}
    period_from, period_to = data.get("period_from"), data.get("period_to")
    if not isinstance(period_from, datetime.date):
        errors["period_from"] = ["Give the first day of the period the report covers."]
    if not isinstance(period_to, datetime.date):
        errors["period_to"] = ["Give the last day of the period the report covers."]
    if not errors:
        if period_to < period_from:
            errors["period_to"] = ["The end of the period cannot be before its start."]
        elif period_to - period_from > LONGEST_PERIOD:
            errors["period_to"] = ["A report covers one review period: 18 months at most."]
    recommendation = str(data.get("recommendation") or "").strip().lower()
    if recommendation not in RECOMMENDATIONS:
        errors["recommendation"] = [
            "Choose a recommendation: satisfactory, unsatisfactory or insufficient evidence."
        ]
    texts = {}
    for name, heading in SupervisorReport.SECTIONS:
        raw = data.get(name) or ""
        if not isinstance(raw, str):
            raw = str(raw)
        limits.check(errors, name, raw, limits.LONG_TEXT, f"“{heading}”")
        texts[name] = to_plain_text(raw).strip()
    if not texts["progress"] and "progress" not in errors:
        errors["progress"] = ["Say how the learner progressed overall in the period."]
    themes = _clean_themes(data, errors)
    if errors:
        raise ValidationError(errors)
    return {
        "period_from": period_from,
        "period_to": period_to,
        "recommendation": recommendation,
        **texts,
    }, themes


def _refuse_overlap(learner, period_from, period_to, exclude=None) -> None:
    """One report per learner per review period: PeriodTaken if another report of `learner`
    (any status) overlaps the period. Locks the learner's row first, so two tutors saving at
    once take turns and the second sees the first's report (PostgreSQL: FOR UPDATE; SQLite
    takes its write lock when the transaction starts: IMMEDIATE, config/settings/base.py)."""
    get_user_model().objects.select_for_update().filter(pk=learner.pk).values_list("pk").first()
    clash = (
        SupervisorReport.objects.filter(
            learner=learner, period_from__lte=period_to, period_to__gte=period_from
        )
        .exclude(pk=exclude)
        .select_related("author")
        .order_by("period_from", "pk")
        .first()
    )
    if clash is not None:
        raise PeriodTaken(clash)


def _save_themes(report: SupervisorReport, themes: dict) -> None:
    """Store the tutor's text per theme (an emptied theme loses its row)."""
    for theme, text in themes.items():
        if text:
            SupervisorReportTheme.objects.update_or_create(
                report=report, theme=theme, defaults={"progress": text}
            )
        else:
            SupervisorReportTheme.objects.filter(report=report, theme=theme).delete()


def _own(user, report_id, action: str) -> SupervisorReport:
    """The report `report_id` if `user` may do `action` to it (who, not when).

    Raises:
        PermissionDenied: their role never does `action`, or they see it but may not.
        NotFound: unknown, or outside `user`'s scope.
    """
    if not supervisor_reports.role_may(user, action):
        raise PermissionDenied(supervisor_reports.denied_message(user, action, None))
    report = supervisor_reports.get(
        user, report_id, SupervisorReport.objects.select_related("learner", "author")
    )
    supervisor_reports.require(user, action, report, visible=True)
    return report


def _locked(report: SupervisorReport, allowed: tuple[str, ...], message: str) -> SupervisorReport:
    """Lock the row and check its state now (two tabs, two clicks): ValidationError if not in
    `allowed`."""
    fresh = SupervisorReport.objects.select_for_update().get(pk=report.pk)
    if fresh.status not in allowed:
        raise ValidationError(message.format(status=fresh.get_status_display().lower()))
    return fresh


def create_report(author, learner, data: dict, *, via: str = "site") -> SupervisorReport:
    """A new draft report for `learner` by `author` (a tutor allocated to them).

    Args:
        data: `period_from`, `period_to` (dates), `recommendation` (satisfactory |
            unsatisfactory | insufficient_evidence), the sections `progress` (overall,
            required), `engagement`, `concerns`, `development_needs` (plain text), and
            `themes` {theme code: text} for the eight themes (optional each).
    Raises:
        PermissionDenied: `author` is not a tutor allocated to the learner (but sees them).
        NotFound: the learner is outside `author`'s scope.
        PeriodTaken: another report of the learner overlaps the period (a ValidationError).
        ValidationError: by field.
    """
    if not supervisor_reports.role_may(author, "add"):
        raise PermissionDenied(supervisor_reports.denied_message(author, "add", learner))
    supervisor_reports.require(author, "add", learner)
    clean, themes = _clean(data)
    try:
        with transaction.atomic():
            _refuse_overlap(learner, clean["period_from"], clean["period_to"])
            report = SupervisorReport.objects.create(learner=learner, author=author, **clean)
            _save_themes(report, themes)
            audit.record(author, "esr_create", learner=learner, obj=report, via=via)
    except IntegrityError:  # the same period saved at the same instant (the constraint's backstop)
        with transaction.atomic():
            _refuse_overlap(learner, clean["period_from"], clean["period_to"])  # PeriodTaken
        raise
    return report


def update_report(user, report_id, data: dict, *, via: str = "site") -> SupervisorReport:
    """The author changes a draft or shared report (a signed one is frozen: 400), its theme
    texts with it (`data` as for `create_report`).

    Raises: as `create_report`; ValidationError `{"detail"}` when signed."""
    report = _own(user, report_id, "edit")
    clean, themes = _clean(data)
    with transaction.atomic():
        report = _locked(
            report, (S.DRAFT, S.SHARED), "This report is {status}: a signed report is not changed."
        )
        _refuse_overlap(report.learner, clean["period_from"], clean["period_to"], exclude=report.pk)
        for name, value in clean.items():
            setattr(report, name, value)
        report.save()
        _save_themes(report, themes)
        audit.record(user, "esr_update", learner=report.learner, obj=report, via=via, status=report.status)
    return report


def share_report(user, report_id, *, via: str = "site") -> SupervisorReport:
    """The author shares a draft with the learner, who may then read it and comment.

    Raises: PermissionDenied / NotFound (as `_own`); ValidationError unless a draft."""
    report = _own(user, report_id, "share")
    with transaction.atomic():
        report = _locked(report, (S.DRAFT,), "Only a draft is shared: this report is already {status}.")
        report.status, report.shared_at = S.SHARED, timezone.now()
        report.save(update_fields=["status", "shared_at", "updated_at"])
        audit.record(user, "esr_share", learner=report.learner, obj=report, via=via)
        notify(
            [report.learner] if report.learner.is_active else [],
            "Your educational supervisor's report is ready to read",
            f"{display_name(report.author)} shared your educational supervisor's report for "
            f"{report.period_from:%d %b %Y} to {report.period_to:%d %b %Y}.\n\n"
            "Read it under “My ARCP”; you may add a comment before it is signed.",
        )
    return report


def sign_report(user, report_id, *, via: str = "site") -> SupervisorReport:
    """The author signs a shared report: it is frozen, and the panel may read it.

    Raises: PermissionDenied / NotFound; ValidationError unless shared (a draft is shared
    with the learner first; a signed one cannot be signed again)."""
    report = _own(user, report_id, "sign")
    with transaction.atomic():
        report = _locked(
            report,
            (S.SHARED,),
            "Only a report shared with the learner is signed: this report is {status}.",
        )
        report.status, report.signed_at = S.SIGNED, timezone.now()
        report.save(update_fields=["status", "signed_at", "updated_at"])
        audit.record(
            user,
            "esr_sign",
            learner=report.learner,
            obj=report,
            via=via,
            recommendation=report.recommendation,
        )
    return report


def comment_on_report(user, report_id, comment: str, *, via: str = "site") -> SupervisorReport:
    """The learner's comment on a shared report (optional; may be changed until it is signed,
    then it is frozen with the report). Plain text, at most `limits.COMMENT` characters.

    Raises: PermissionDenied / NotFound; ValidationError `{"comment"}` empty or too long,
    `{"detail"}` when signed."""
    report = _own(user, report_id, "comment")
    raw = comment if isinstance(comment, str) else ""
    limits.require("comment", raw, limits.COMMENT, "your comment")
    text = to_plain_text(raw).strip()
    if not text:
        raise ValidationError({"comment": ["Write your comment before sending it."]})
    with transaction.atomic():
        report = _locked(
            report, (S.SHARED,), "This report is {status}: comments are added before it is signed."
        )
        report.learner_comment, report.learner_commented_at = text, timezone.now()
        report.save(update_fields=["learner_comment", "learner_commented_at", "updated_at"])
        audit.record(user, "esr_comment", learner=report.learner, obj=report, via=via)
    return report


def covering_reports(learner, period_from: datetime.date, period_to: datetime.date, signed_by=None):
    """The signed reports of `learner` whose period overlaps the review period, signed by
    `signed_by` (a datetime: the pack's cut-off or when it was made), oldest first."""
    return (
        SupervisorReport.objects.filter(learner=learner)
        .covering(period_from, period_to, signed_by)
        .select_related("author")
        .order_by("period_from", "signed_at", "pk")
    )
