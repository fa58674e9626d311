"""Blind second marking: an admin asks a second tutor to mark a reflection against the same
rubric version as its current first marking (`assessments.policies.moderation_requests`)."""

from __future__ import annotations

from django.db import transaction

from portfolio.models import Reflection
from reflect import audit, limits
from reflect import roles as R
from reflect.errors import ValidationError
from reflect.sanitize import to_plain_text
from rubrics.models import Rubric

from ..models import Assessment, ModerationRequest
from ..policies import moderation_requests


@transaction.atomic
def request_moderation(
    reflection: Reflection, rubric: Rubric, second_marker, by_admin, note: str = "", *, via: str = "admin"
) -> ModerationRequest:
    """Ask `second_marker` to mark `reflection` blind against the same `rubric` version as the
    current first marking. The request is the second marker's permission to mark it, even if
    not allocated; neither marker sees the other's scores until both are finalised.

    Args:
        reflection: a reflection with a current (not superseded) first marking on `rubric`.
        rubric: the rubric version of that first marking.
        second_marker: a tutor other than the first assessor.
        by_admin: a programme admin.
        note: optional plain-text note to the marker.
        via: the door, for the audit log.
    Returns:
        The `ModerationRequest` (the existing one if it was already requested).
    Raises:
        NotFound: the reflection is not one `by_admin` may see.
        PermissionDenied: `by_admin` is not an admin.
        ValidationError: no first marking to moderate, the second marker is not a tutor or
            is the first marker, or the note is longer than `limits.COMMENT`.
    """
    moderation_requests.require(by_admin, "add", reflection)
    limits.require("note", note, limits.COMMENT, "the note")
    if not R.has_role(second_marker, R.TUTOR):
        raise ValidationError({"second_marker": "The second marker must be a tutor."})
    first = (
        Assessment.objects.filter(
            reflection=reflection, rubric=rubric, moderation_of__isnull=True, superseded_by__isnull=True
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if first is None:
        raise ValidationError(
            {"reflection": "This reflection has no marking with this rubric yet: nothing to moderate."}
        )
    if first.assessor_id == second_marker.pk:
        raise ValidationError({"second_marker": "Choose a tutor other than the first marker."})
    request, created = ModerationRequest.objects.get_or_create(
        first_assessment=first,
        second_marker=second_marker,
        defaults={"requested_by": by_admin, "note": to_plain_text(note)},
    )
    if created:
        audit.record(
            by_admin,
            "moderation_request",
            learner=reflection.learner,
            obj=request,
            via=via,
            first_assessment=first.pk,
            second_marker=second_marker.pk,
        )
    return request
