"""Attachments: a learner adds files to a reflection and removes them while it is editable;
whoever may see the reflection reads them. The one door for every screen, the API, the
ARCP pack, the subject-access export and the demo data.

Who may do what is `portfolio.policies.attachments`; what a file is, and the bytes kept, is
`attachment_files.check_file` (by content; images re-encoded without metadata). A file is
stored only after every check has passed, inside the transaction that records it; if
recording fails, the stored bytes are deleted again, so nothing is left on any failure.

Errors as in `portfolio.services`: `NotFound`, `PermissionDenied`, `Conflict` (the
reflection is not editable), `ValidationError` ({"file": [message]}).
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from reflect import audit

from ..models import Attachment, Reflection, attachment_name, attachment_storage
from ..policies import attachments as policy
from ._shared import _locked
from .attachment_files import CheckedFile, check_file

MAX_PER_REFLECTION = 20


def add_attachment(reflection: Reflection, by, upload, *, via: str = "") -> Attachment:
    """Check `upload` and attach it to `reflection`.

    Args:
        reflection: the reflection (the learner's own, draft or changes requested).
        by: who is adding it; only the reflection's learner may.
        upload: an uploaded file (`name`, `size`, `read`); judged by its content.
        via: the door ("site", "api", "demo"), kept in the audit log.

    Returns:
        The new attachment (its `size` and `sha256` are of the bytes stored).

    Raises:
        NotFound: `by` may not see the reflection.
        PermissionDenied: `by` is not its learner.
        Conflict: the reflection is submitted or signed off.
        ValidationError: the file was refused (nothing stored).
    """
    policy.require(by, "add", reflection)
    checked = check_file(upload)  # before anything is locked or stored
    return _store(reflection, by, checked, via=via)


@transaction.atomic
def _store(reflection: Reflection, by, checked: CheckedFile, *, via: str) -> Attachment:
    current = _locked(reflection)
    policy.require(by, "add", current, visible=True)  # it may have been submitted meanwhile
    if current.attachments.count() >= MAX_PER_REFLECTION:
        raise ValidationError(
            {"file": [f"A reflection can have at most {MAX_PER_REFLECTION} attachments. Remove one first."]}
        )
    storage = attachment_storage()
    name = storage.save(attachment_name(None, checked.filename), ContentFile(checked.data))
    try:
        attachment = Attachment.objects.create(
            reflection=current,
            filename=checked.filename,
            content_type=checked.content_type,
            size=len(checked.data),
            sha256=hashlib.sha256(checked.data).hexdigest(),
            file=name,
            uploaded_by=by,
        )
        audit.record(
            by,
            "attachment_add",
            learner=current.learner,
            obj=attachment,
            via=via,
            reflection=current.pk,
            content_type=attachment.content_type,
            size=attachment.size,
        )
    except BaseException:
        storage.delete(name)
        raise
    return attachment


@transaction.atomic
def remove_attachment(attachment: Attachment, by, *, via: str = "") -> None:
    """Remove an attachment from its reflection (the learner, while it is editable); its
    bytes are deleted once the removal is committed.

    Raises:
        NotFound, PermissionDenied, Conflict: as `add_attachment`.
    """
    policy.require(by, "delete", attachment)
    reflection = _locked(attachment.reflection)
    attachment.reflection = reflection
    policy.require(by, "delete", attachment, visible=True)
    audit.record(
        by,
        "attachment_remove",
        learner=reflection.learner,
        obj=attachment,
        via=via,
        reflection=reflection.pk,
        sha256=attachment.sha256,
    )
    attachment.delete()  # its bytes go after the commit (`portfolio.signals`)


def attachment_for(user, reflection_pk, attachment_pk) -> Attachment:
    """The attachment `attachment_pk` of reflection `reflection_pk`, if `user` may see it.

    Raises:
        NotFound: no such attachment on that reflection, or outside `user`'s scope.
    """
    queryset = Attachment.objects.select_related("reflection", "reflection__learner")
    try:
        queryset = queryset.filter(reflection_id=int(reflection_pk))
    except (TypeError, ValueError):
        queryset = queryset.none()
    return policy.get(user, attachment_pk, queryset)


def read_attachment(attachment: Attachment, by, *, via: str) -> bytes:
    """The stored bytes of an attachment `by` may see (the caller asked the policy), with
    the read audited when it is someone else's."""
    audit.record(by, "read", learner=attachment.reflection.learner, obj=attachment, via=via)
    with attachment.file.open("rb") as handle:
        return handle.read()


def visible_attachments(user, reflection: Reflection):
    """The attachments of `reflection` that `user` may see, in the order they were added."""
    return policy.visible(user).filter(reflection=reflection).order_by("created_at", "id")
