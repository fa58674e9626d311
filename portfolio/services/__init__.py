"""Reflection state changes: the one door for creating, editing, submitting and reviewing.

Every door (site, API, admin, demo data) calls these functions, so the rules live here:
who may do what, in which state, what is recorded (audit log, review events, revisions),
who is told, and that every HTML that enters is sanitised.

    draft → submitted → (changes_requested → submitted)* → signed_off

Who may do what, and in which state, is `portfolio.policies.reflections`: each function
asks it first (`require`), so every door obeys the same rule.

Errors: `NotFound` (the person may not see this reflection: it does not exist for them),
`PermissionDenied` (they see it but may never do this), `ValidationError` (bad input;
nothing changed), `Conflict` (the state forbids it), `StaleVersion` (someone saved since the
caller read it). Views and API map them to messages / status codes.

By concern:

- `editing`: a learner's input made into field values (themes, sections, the body), and
  the create / update of drafts;
- `transitions`: submit (with the patient-identifier check, also run on each autosave),
  request changes, sign off, and the review conversation's comments;
- `attachments`: files added to a reflection (checked by content in `attachment_files`),
  removed, and read;
- `changes`: what changed since the tutor asked for changes (word diff against the
  revision the request pointed at).
"""

from .attachments import (
    add_attachment,
    attachment_for,
    read_attachment,
    remove_attachment,
    visible_attachments,
)
from .changes import SectionChange, changes_since_request, last_changes_request
from .editing import EDITABLE_FIELDS, build_body_html, clean_sections, create_reflection, update_reflection
from .transitions import (
    IdentifierFindings,
    check_identifiers,
    comment,
    identifiers_while_typing,
    request_changes,
    sign_off,
    submit,
)

__all__ = [
    "add_attachment",
    "attachment_for",
    "read_attachment",
    "remove_attachment",
    "visible_attachments",
    "EDITABLE_FIELDS",
    "IdentifierFindings",
    "SectionChange",
    "build_body_html",
    "changes_since_request",
    "check_identifiers",
    "clean_sections",
    "comment",
    "create_reflection",
    "identifiers_while_typing",
    "last_changes_request",
    "request_changes",
    "sign_off",
    "submit",
    "update_reflection",
]
