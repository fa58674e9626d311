"""ARCP business rules: building and verifying packs, recording panel outcomes, cohort exports.

Every door (site, API, admin, task, command) calls these functions, so they all obey the
same scope rule (`portfolio.scope`) and write the same audit records.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import uuid
import zipfile
from collections.abc import Callable, Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from portfolio import scope
from portfolio.models import Cohort, Enrolment
from reflect import audit
from reflect import roles as R

from . import evidence, pdf
from .models import ArcpExport, ArcpReview, CohortExport

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


def reasons_for(outcome: str) -> dict[str, str]:
    """The reason codes an outcome takes ({} when it takes none)."""
    if outcome in OUTCOMES_NEEDING_U:
        return UNSATISFACTORY_REASONS
    if outcome in OUTCOMES_NEEDING_N:
        return NO_FAULT_REASONS
    return {}


# --- Scope helpers -----------------------------------------------------------------------
def _check_may_export(by, learner) -> None:
    roles = set(R.roles_of(by))
    if not roles:
        raise PermissionDenied("Sign in to download an ARCP pack.")
    if not roles & {R.LEARNER, R.TUTOR, R.EXAMINER, R.ADMIN}:
        raise PermissionDenied("Your role may not download ARCP packs.")
    if not scope.learners_visible_to(by).filter(pk=learner.pk).exists():
        raise Http404("No such learner.")


def visible_learner(user, learner_id) -> object:
    """The learner with `learner_id` if `user` may see them, else Http404 (as if absent)."""
    try:
        return scope.learners_visible_to(user).get(pk=int(learner_id))
    except (get_user_model().DoesNotExist, TypeError, ValueError):
        raise Http404("No such learner.")


def _check_period(period_from: datetime.date, period_to: datetime.date) -> None:
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
        Http404: the learner is outside `by`'s scope.
        ValidationError: bad period.
    """
    if not system or by is not None:
        _check_may_export(by, learner)
    _check_period(period_from, period_to)
    export_id = uuid.uuid4()
    # The snapshot (ORM objects of every reflection in the period) is needed only to write the
    # HTML: not keeping it through WeasyPrint's layout lowers the export's peak memory.
    data = pdf.render_pack(evidence.gather(learner, period_from, period_to), export_id)
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
    """A recorded pack if `user` may see its learner; Http404 otherwise (or if it is unknown)."""
    try:
        return ArcpExport.objects.visible_to(user).select_related("learner", "created_by").get(pk=export_id)
    except (ArcpExport.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such pack.")


def verify(file_bytes: bytes, user, *, via: str = "site") -> ArcpExport | None:
    """Is this copy byte-for-byte a pack we issued, and which?

    Args:
        file_bytes: the uploaded copy.
        user: who asks; packs of learners outside their scope look invalid.
        via: the door, for the audit log.
    Returns:
        The matching `ArcpExport`, or None.
    """
    digest = hashlib.sha256(file_bytes).hexdigest()
    match = (
        ArcpExport.objects.visible_to(user)
        .filter(sha256=digest, size=len(file_bytes))
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
        comments: plain text.
    Returns:
        The saved `ArcpReview`.
    Raises:
        PermissionDenied: `examiner` is not an examiner.
        Http404: the learner is not in a cohort on the examiner's panel.
        ValidationError: bad outcome, reason codes, period or pack (by field).
    """
    from reflect.sanitize import to_plain_text

    if not R.has_role(examiner, R.EXAMINER):
        raise PermissionDenied("Only examiners on the learner's ARCP panel record outcomes.")
    if not scope.is_panel_examiner(examiner, learner):
        raise Http404("No such learner.")
    errors: dict[str, str] = {}
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


# --- Cohort exports ----------------------------------------------------------------------
def cohort_learners(cohort: Cohort):
    """Active learners enrolled in `cohort`, in a stable order."""
    User = get_user_model()
    ids = Enrolment.objects.filter(cohort=cohort).values("learner")
    return (
        User.objects.filter(pk__in=ids, is_active=True, groups__name=R.LEARNER)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def start_cohort_export(cohort: Cohort, period_from, period_to, by) -> CohortExport:
    """Record a cohort export and queue the background task that makes it.

    Args:
        cohort: the cohort.
        period_from, period_to: the review period (validated like a single pack).
        by: an admin; the packs are made in their name.
    Returns:
        The `CohortExport` (status queued, or already done with the immediate backend).
    Raises:
        PermissionDenied: `by` is not an admin.
        ValidationError: bad period.
    """
    from .tasks import export_cohort

    if not R.has_role(by, R.ADMIN):
        raise PermissionDenied("Only programme admins export a whole cohort.")
    _check_period(period_from, period_to)
    job = CohortExport.objects.create(
        cohort=cohort,
        period_from=period_from,
        period_to=period_to,
        requested_by=by,
        total=cohort_learners(cohort).count(),
    )
    audit.record(
        by, "cohort_export", obj=job, via="admin", cohort=cohort.name, period_to=period_to.isoformat()
    )
    result = export_cohort.enqueue(job.pk)
    CohortExport.objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def run_cohort_export(job_id: int, progress: Callable[[int, int], None] | None = None) -> CohortExport:
    """Build every learner's pack for a cohort export and store them as one ZIP.

    Updates `done`/`total` after each learner; on any error the job ends `failed` with the
    message in `error` (packs already made stay recorded).

    Args:
        job_id: the `CohortExport` id.
        progress: optional callback(done, total).
    Returns:
        The finished `CohortExport`.
    """
    job = CohortExport.objects.select_related("cohort", "requested_by").get(pk=job_id)
    learners = list(cohort_learners(job.cohort))
    CohortExport.objects.filter(pk=job.pk).update(
        status=CohortExport.Status.RUNNING, total=len(learners), done=0
    )
    buffer = io.BytesIO()
    try:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            for done, learner in enumerate(learners, start=1):
                export = build_pack(learner, job.period_from, job.period_to, job.requested_by, via="task")
                archive.writestr(pack_filename(learner, export), read_pack(export))
                CohortExport.objects.filter(pk=job.pk).update(done=done)
                if progress:
                    progress(done, len(learners))
        name = f"arcp-{slugify(job.cohort.name)}-{job.period_from:%Y%m%d}-{job.period_to:%Y%m%d}.zip"
        job.refresh_from_db()
        job.zip_file.save(name, ContentFile(buffer.getvalue()), save=False)
        job.status = CohortExport.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["zip_file", "status", "finished_at"])
    except Exception as exc:  # recorded for the admin, then re-raised for the task log
        CohortExport.objects.filter(pk=job.pk).update(
            status=CohortExport.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}",
            finished_at=timezone.now(),
        )
        raise
    return job


def pack_filename(learner, export: ArcpExport) -> str:
    return f"{slugify(learner.get_username())}-arcp-{export.period_from:%Y%m%d}-{export.period_to:%Y%m%d}.pdf"
