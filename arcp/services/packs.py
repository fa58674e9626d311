"""ARCP packs: the period's rules, building (or reusing) and storing a pack, reading and
verifying one, its file name."""

from __future__ import annotations

import datetime
import hashlib
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from portfolio.policies import learners
from reflect import audit
from reflect import roles as R
from reflect.uploads import sha256_of

from .. import evidence, pdf
from ..models import ArcpExport
from ..policies import exports

# Default cap on a copy uploaded to be verified (setting ARCP_VERIFY_MAX_BYTES): packs are
# tens or hundreds of kilobytes; 10 MB leaves room for the largest portfolio.
VERIFY_MAX_BYTES = 10 * 1024 * 1024


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
    # The print HTML is written once; its digest (with a fixed id and time) says whether a
    # stored pack printed the same evidence. The snapshot (ORM objects of every reflection in
    # the period) is let go once the HTML is written, so it is not held through the layout.
    pack_html = pdf.PackHTML(evidence.gather(learner, period_from, period_to, viewer=by))
    digest = pack_html.digest
    earlier = _reusable(learner, period_from, period_to, digest)
    if earlier is not None:
        # Unchanged evidence: the pack made before, its id and bytes; the access is audited,
        # no new export is recorded and no file is written (contract v1.1).
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
    data = pdf.render_pack(pack_html, export_id)
    return _store(export_id, learner, period_from, period_to, data, by, via, digest)


def _reusable(learner, period_from, period_to, digest: str) -> ArcpExport | None:
    """The latest stored pack of this learner and period that printed the same evidence."""
    candidates = ArcpExport.objects.filter(
        learner=learner, period_from=period_from, period_to=period_to, evidence_sha256=digest
    ).exclude(file="")
    return next((export for export in candidates.order_by("-created_at")[:3] if export.file_held), None)


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


def pack_filename(learner, export: ArcpExport) -> str:
    return f"{slugify(learner.get_username())}-arcp-{export.period_from:%Y%m%d}-{export.period_to:%Y%m%d}.pdf"
