"""Subject access: everything held about a learner, in one ZIP (UK GDPR, Article 15).

The archive holds:

- ``README.txt``: what each file is.
- ``profile.json``: the account (names, e-mail, dates), roles, cohort, tutor allocations
  (past and current) and the ARCP panels that cover the learner's cohort.
- ``reflections.json``: every reflection, drafts included, with its sections, themes, each
  stored revision's section texts and the review history (submissions, comments, requests
  for changes, sign-off).
- ``assessments.json``: the finalised assessments of the learner's reflections (corrected
  ones too, marked as superseded), with every criterion's level and comment. Drafts are
  a marker's unfinished work, which the learner is not entitled to see until it is
  finalised, so they are left out: this is exactly what the learner sees on the site and
  in the API.
- ``feedback.json``: patient-representative feedback about the learner. Withdrawn feedback
  (given in error) is left out; anonymous answers carry no name (none is ever stored).
- ``goals.json``: the learner's goals (personal development plan), with reviews and comments.
- ``arcp.json``: ARCP packs made about the learner and the panels' outcomes.
- ``attachments/``: every file attached to the learner's reflections, as stored (images
  re-encoded without their metadata), listed in ``reflections.json`` with their SHA-256.
- ``pdfs/``: the stored bytes of every ARCP pack about the learner (byte-for-byte what was
  issued, so each still verifies).
- ``audit.json``: who read the learner's portfolio or changed something in it, when and
  through which door.

Nothing about any other learner is included: every query filters on this learner.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from wagtail.models import Revision

from assessments.models import Assessment
from assessments.policies import assessments as assessment_policy
from feedback.policies import feedback as feedback_policy
from feedback.policies import rounds as round_policy
from feedback.services import rounds as colleague_rounds
from portfolio.models import Allocation, Goal, Panel, Reflection
from portfolio.policies import attachments as attachment_policy
from portfolio.policies import goals as goal_policy
from portfolio.policies import reflections as reflection_policy
from reflect import audit
from reflect import roles as R
from reflect.audit import audit_events
from reflect.people import display_name

from .models import ArcpExport
from .policies import exports as export_policy
from .policies import reviews as review_policy
from .policies import supervisor_reports as report_policy

FILES = (
    "README.txt",
    "profile.json",
    "reflections.json",
    "assessments.json",
    "feedback.json",
    "goals.json",
    "colleague_rounds.json",
    "arcp.json",
    "audit.json",
)


def _person(user) -> dict | None:
    return None if user is None else {"id": user.pk, "display_name": display_name(user)}


def profile(learner) -> dict[str, Any]:
    """Account, roles, cohort, allocations and the panels covering the learner."""
    enrolment = getattr(learner, "enrolment", None)
    cohort = enrolment.cohort if enrolment else None
    allocations = Allocation.objects.filter(learner=learner).select_related("tutor").order_by("starts_on")
    panels = (
        Panel.objects.filter(cohort=cohort).select_related("examiner").order_by("opens_on")
        if cohort
        else Panel.objects.none()
    )
    return {
        "id": learner.pk,
        "username": learner.get_username(),
        "first_name": learner.first_name,
        "last_name": learner.last_name,
        "email": learner.email,
        "date_joined": learner.date_joined,
        "last_login": learner.last_login,
        "is_active": learner.is_active,
        "roles": R.roles_of(learner),
        "cohort": (
            {"id": cohort.pk, "name": cohort.name, "programme": cohort.programme, "year": cohort.year}
            if cohort
            else None
        ),
        "joined_cohort_on": enrolment.joined_on if enrolment else None,
        "allocations": [
            {"tutor": _person(a.tutor), "starts_on": a.starts_on, "ends_on": a.ends_on} for a in allocations
        ],
        "panels": [
            {
                "examiner": _person(p.examiner),
                "cohort": cohort.name,
                "opens_on": p.opens_on,
                "closes_on": p.closes_on,
            }
            for p in panels
        ],
    }


def reflections(learner) -> list[dict[str, Any]]:
    """Every reflection of the learner, with revisions' section texts and review events."""
    rows = (
        reflection_policy.visible(learner)
        .filter(learner=learner)
        .select_related("placement", "signed_off_by")
        .prefetch_related("themes", "events__actor", "attachments")
        .order_by("occurred_on", "pk")
    )
    items = list(rows)
    revisions: dict[str, list[Revision]] = {}
    if items:
        ct = ContentType.objects.get_for_model(Reflection)
        for revision in Revision.objects.filter(
            base_content_type=ct, object_id__in=[str(r.pk) for r in items]
        ).order_by("created_at", "pk"):
            revisions.setdefault(revision.object_id, []).append(revision)
    out = []
    for r in items:
        out.append(
            {
                "id": r.pk,
                "title": r.title,
                "kind": r.kind,
                "setting": r.setting,
                "placement": str(r.placement) if r.placement else None,
                "occurred_on": r.occurred_on,
                "themes": [t.code for t in r.themes.all()],
                "reflective_model": r.reflective_model,
                "sections": r.sections,
                "body_html": r.body_html,
                "status": r.status,
                "submitted_at": r.submitted_at,
                "signed_off_at": r.signed_off_at,
                "signed_off_by": _person(r.signed_off_by),
                "version": r.version,
                "created_at": r.created_at,
                "updated_at": r.updated_at,
                "revisions": [
                    {
                        "id": rev.pk,
                        "created_at": rev.created_at,
                        "title": rev.content.get("title", ""),
                        "sections": rev.content.get("sections", {}),
                    }
                    for rev in revisions.get(str(r.pk), [])
                ],
                "attachments": [
                    {
                        "id": a.pk,
                        "filename": a.filename,
                        "content_type": a.content_type,
                        "size": a.size,
                        "sha256": a.sha256,
                        "added_at": a.created_at,
                        "file": attachment_path(a),
                    }
                    for a in r.attachments.all()
                ],
                "review_events": [
                    {
                        "action": e.action,
                        "actor": _person(e.actor),
                        "comment": e.comment,
                        "revision": e.revision_id,
                        "created_at": e.created_at,
                    }
                    for e in r.events.all()
                ],
            }
        )
    return out


def assessments(learner) -> list[dict[str, Any]]:
    """Finalised assessments of the learner's reflections (what the learner may see)."""
    rows = (
        assessment_policy.visible(learner)
        .filter(reflection__learner=learner, status=Assessment.Status.FINALISED)
        .select_related("rubric", "assessor", "superseded_by", "reflection")
        .prefetch_related("scores__criterion", "scores__level")
        .order_by("finalised_at", "pk")
    )
    return [
        {
            "id": a.pk,
            "reflection": {"id": a.reflection_id, "title": a.reflection.title},
            "rubric": {"id": a.rubric_id, "title": a.rubric.title, "version": a.rubric.version},
            "assessor": _person(a.assessor),
            "scores": [
                {
                    "criterion": s.criterion.title,
                    "level": s.level.label if s.level else None,
                    "points": s.level.points if s.level else None,
                    "comment": s.comment,
                }
                for s in sorted(a.scores.all(), key=lambda s: (s.criterion.sort_order, s.criterion_id))
            ],
            "total": a.total,
            "max_score": a.max_score,
            "overall_comment": a.overall_comment,
            "finalised_at": a.finalised_at,
            "superseded_by": a.superseded_by.pk if getattr(a, "superseded_by", None) else None,
        }
        for a in rows
    ]


def feedback(learner) -> list[dict[str, Any]]:
    """Feedback about the learner, withdrawn feedback excluded."""
    rows = (
        feedback_policy.visible(learner)
        .filter(learner=learner, withdrawn_at__isnull=True)
        .select_related("instrument")
        .order_by("submitted_at", "pk")
    )
    return [
        {
            "id": f.pk,
            "context_title": f.context_title,
            "occurred_on": f.occurred_on,
            "ratings": f.ratings,
            "comments": f.comments,
            "respondent_type": f.respondent_type,
            "instrument": {
                "key": f.instrument.key,
                "title": f.instrument.title,
                "version": f.instrument.version,
            },
            "respondent_role": f.respondent_role,
            "respondent_name": None if f.anonymous else (f.respondent_name or None),
            "submitted_at": f.submitted_at,
        }
        for f in rows
    ]


def goals(learner) -> list[dict[str, Any]]:
    """Every goal of the learner (open and reviewed), with its themes and comments."""
    rows = (
        goal_policy.visible(learner)
        .filter(learner=learner)
        .prefetch_related("themes", "comments__author")
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": g.pk,
            "reflection": g.reflection_id,
            "what": g.what,
            "due_on": g.due_on,
            "success_measure": g.success_measure,
            "themes": [t.code for t in g.themes.all()],
            "status": g.status,
            "status_label": Goal.Status(g.status).label,
            "review": g.review,
            "reviewed_at": g.reviewed_at,
            "created_at": g.created_at,
            "comments": [
                {"author": _person(c.author), "body": c.body, "created_at": c.created_at}
                for c in g.comments.all()
            ],
        }
        for g in rows
    ]


def rounds(learner) -> list[dict[str, Any]]:
    """The learner's colleague rounds: their own self-assessment, and once released the
    combined results and the tutor's summary (never a colleague's own answers)."""
    out = []
    for round_ in round_policy.visible(learner).filter(learner=learner).order_by("created_at", "pk"):
        entry = {
            "id": round_.pk,
            "title": round_.title,
            "closes_on": round_.closes_on,
            "released_at": round_.released_at,
            "self_ratings": round_.self_ratings,
            "self_comments": round_.self_comments,
        }
        if round_.is_released:
            entry["results"] = colleague_rounds.report(round_, learner)
        out.append(entry)
    return out


def attachment_path(attachment) -> str:
    """Where an attachment sits in the archive (its cleaned name has no separators)."""
    return f"attachments/{attachment.reflection_id}/{attachment.pk}-{attachment.filename}"


def pdf_name(export: ArcpExport) -> str:
    return f"pdfs/arcp-{export.period_from:%Y%m%d}-{export.period_to:%Y%m%d}-{export.pk.hex[:8]}.pdf"


def arcp(learner) -> dict[str, Any]:
    """ARCP packs about the learner and the outcomes recorded against them."""
    exports = (
        export_policy.visible(learner)
        .filter(learner=learner)
        .select_related("created_by")
        .order_by("created_at")
    )
    reviews = (
        review_policy.visible(learner)
        .filter(learner=learner)
        .select_related("examiner")
        .order_by("created_at")
    )
    return {
        "exports": [
            {
                "id": str(e.pk),
                "period_from": e.period_from,
                "period_to": e.period_to,
                "sha256": e.sha256,
                "created_at": e.created_at,
                "created_by": _person(e.created_by),
                "file": pdf_name(e) if e.file else None,
            }
            for e in exports
        ],
        "reviews": [
            {
                "id": rv.pk,
                "period_from": rv.period_from,
                "period_to": rv.period_to,
                "export": str(rv.export_id),
                "outcome": rv.outcome,
                "outcome_label": rv.get_outcome_display(),
                "reason_codes": rv.reason_codes,
                "comments": rv.comments,
                "actions": rv.actions,
                "next_review_on": rv.next_review_on,
                "acknowledged_at": rv.acknowledged_at,
                "learner_response": rv.learner_response,
                "responded_at": rv.responded_at,
                "appeal_requested_at": rv.appeal_requested_at,
                "appeal_reason": rv.appeal_reason,
                "examiner": _person(rv.examiner),
                "created_at": rv.created_at,
            }
            for rv in reviews
        ],
        # The supervisor's reports the learner may read (shared and signed; drafts are not yet
        # theirs to see), with their own comment.
        "supervisor_reports": [
            {
                "id": r.pk,
                "period_from": r.period_from,
                "period_to": r.period_to,
                "author": _person(r.author),
                "recommendation": r.recommendation,
                "status": r.status,
                **{name: getattr(r, name) for name, _ in r.SECTIONS},
                "themes": [{"code": t.theme.code, "progress": t.progress} for t in r.theme_sections.all()],
                "learner_comment": r.learner_comment,
                "shared_at": r.shared_at,
                "signed_at": r.signed_at,
            }
            for r in report_policy.visible(learner).filter(learner=learner).for_reading()
        ],
    }


def audit_trail(learner) -> list[dict[str, Any]]:
    """Every audit event about the learner: reads by others and state changes."""
    rows = audit_events.visible(learner).filter(learner=learner).select_related("actor")
    rows = rows.order_by("created_at", "pk")
    return [
        {
            "when": e.created_at,
            "actor": _person(e.actor),
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "via": e.via,
            "detail": e.detail,
        }
        for e in rows
    ]


README = """Everything held about you in Reflect, made {when} for {name}.

profile.json      your account, roles, cohort, tutor allocations and ARCP panels
reflections.json  every reflection (drafts too), each stored revision and the review history
assessments.json  finalised assessments of your reflections (drafts are your marker's unfinished
                  work and appear here once finalised)
feedback.json     feedback about you from patients, carers, community partners and placement
                  supervisors (withdrawn feedback is not kept for you; anonymous answers carry
                  no name)
colleague_rounds.json  your colleague feedback rounds: your self-assessment and, once
                  released, the combined results and your tutor's summary (colleagues' own
                  answers are not given, to protect them)
goals.json        your goals (personal development plan), their reviews and comments
arcp.json         ARCP packs made about you and your panels' outcomes
attachments/      the files attached to your reflections, as stored (photos without their metadata)
pdfs/             the ARCP packs themselves, byte-for-byte as issued
audit.json        who read your portfolio or changed something in it, when, and how
"""


def _dump(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


@transaction.atomic
def build_zip(learner, by, *, via: str = "site") -> bytes:
    """Everything held about `learner`, as ZIP bytes, and record that it was downloaded.

    Args:
        learner: whose data; must be `by` themself.
        by: who asks.
        via: the door, kept in the audit log ("site" or "api").
    Returns:
        The ZIP archive's bytes (files listed in `FILES`, plus ``pdfs/*.pdf``).
    Raises:
        PermissionDenied: `by` is not `learner`, or holds no learner role.
    """
    if by is None or learner is None or by.pk != learner.pk or not reflection_policy.role_may(by, "add"):
        raise PermissionDenied("Only a learner can download everything held about themselves.")
    learner = get_user_model().objects.select_related("enrolment__cohort").get(pk=learner.pk)
    audit.record(by, "subject_access", learner=learner, via=via)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(when=f"{timezone.localtime():%d %B %Y %H:%M}", name=display_name(learner)),
        )
        archive.writestr("profile.json", _dump(profile(learner)))
        archive.writestr("reflections.json", _dump(reflections(learner)))
        archive.writestr("assessments.json", _dump(assessments(learner)))
        archive.writestr("feedback.json", _dump(feedback(learner)))
        archive.writestr("goals.json", _dump(goals(learner)))
        archive.writestr("colleague_rounds.json", _dump(rounds(learner)))
        archive.writestr("arcp.json", _dump(arcp(learner)))
        for export in export_policy.visible(learner).filter(learner=learner).exclude(file=""):
            try:
                with export.file.open("rb") as handle:
                    archive.writestr(pdf_name(export), handle.read())
            except FileNotFoundError:
                continue  # listed in arcp.json; the stored file is gone
        for attachment in (
            attachment_policy.visible(learner).filter(reflection__learner=learner).order_by("pk")
        ):
            try:
                with attachment.file.open("rb") as handle:
                    archive.writestr(attachment_path(attachment), handle.read())
            except FileNotFoundError:
                continue  # listed in reflections.json; the stored file is gone
        archive.writestr("audit.json", _dump(audit_trail(learner)))
    return buffer.getvalue()


def filename(learner) -> str:
    return f"reflect-subject-access-{learner.get_username()}-{timezone.localdate():%Y%m%d}.zip"
