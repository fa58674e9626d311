"""The audit log in words: "Dr Helen Morgan downloaded Amara Adeyemi's ARCP pack" instead of
`read ArcpExport 3f2…` (issue 15). Presentation only: what is recorded, and who may read the
log, stay in `reflect.audit`.

Each entry is (action, object type) → a phrase with `{whose}` for the learner's name in the
possessive ("Amara Adeyemi's", or "their" when the learner is the actor) and `{whom}` for the
learner's name. An unknown pair falls back to the action in plain words.
"""

from __future__ import annotations

from .people import display_name

PHRASES: dict[tuple[str, str], str] = {
    ("read", "Reflection"): "read {whose} reflection",
    ("read", "Assessment"): "read a marking of {whose} reflection",
    ("read", "Feedback"): "read feedback about {whom}",
    ("read", "ArcpExport"): "downloaded {whose} ARCP pack",
    ("read", "ArcpReview"): "read {whose} ARCP outcome",
    ("read", "User"): "opened {whose} portfolio",
    ("create", "Reflection"): "started {whose} reflection",
    ("update", "Reflection"): "edited {whose} reflection",
    ("submit", "Reflection"): "submitted {whose} reflection for review",
    ("request_changes", "Reflection"): "asked for changes to {whose} reflection",
    ("sign_off", "Reflection"): "signed off {whose} reflection",
    ("comment", "Reflection"): "commented on {whose} reflection",
    ("read", "Goal"): "read {whose} goal",
    ("goal_create", "Goal"): "set a goal in {whose} plan",
    ("goal_update", "Goal"): "changed a goal in {whose} plan",
    ("goal_review", "Goal"): "reviewed a goal in {whose} plan",
    ("goal_comment", "Goal"): "commented on a goal in {whose} plan",
    ("read", "Attachment"): "opened a file attached to {whose} reflection",
    ("attachment_add", "Attachment"): "attached a file to {whose} reflection",
    ("attachment_remove", "Attachment"): "removed a file from {whose} reflection",
    ("assessment_create", "Assessment"): "started marking {whose} reflection",
    ("assessment_update", "Assessment"): "changed a draft marking of {whose} reflection",
    ("assessment_finalise", "Assessment"): "finalised a marking of {whose} reflection",
    ("assessment_supersede", "Assessment"): "corrected a marking of {whose} reflection",
    ("moderation_request", "ModerationRequest"): "asked for a second marking of {whose} reflection",
    ("feedback_invite", "FeedbackInvitation"): "made a feedback link about {whom}",
    ("feedback_submit", "Feedback"): "gave feedback about {whom} through a one-time link",
    ("feedback_withdraw", "Feedback"): "withdrew feedback about {whom}",
    ("export", "ArcpExport"): "made {whose} ARCP pack",
    ("export_reuse", "ArcpExport"): "was given {whose} existing ARCP pack (evidence unchanged)",
    ("verify", "ArcpExport"): "verified a copy of {whose} ARCP pack",
    ("arcp_review", "ArcpReview"): "recorded an ARCP outcome for {whom}",
    ("arcp_review_correct", "ArcpReview"): "corrected an ARCP outcome for {whom}",
    ("arcp_review_acknowledge", "ArcpReview"): "acknowledged {whose} ARCP outcome",
    ("arcp_review_respond", "ArcpReview"): "responded to {whose} ARCP outcome",
    ("arcp_review_appeal", "ArcpReview"): "asked for a review or appeal of {whose} ARCP outcome",
    ("subject_access", ""): "downloaded everything held about {whom}",
    ("rubric_publish", "Rubric"): "published a rubric",
    ("rubric_retire", "Rubric"): "retired a rubric",
    ("password_reset", ""): "reset their password",
    ("password_change", ""): "changed their password",
    ("sign_out_everywhere", ""): "signed out everywhere",
    ("revoke-api-token", ""): "revoked an API token",
    ("revoke-api-tokens", ""): "had API tokens revoked",
    ("sso_linked", ""): "signed in with single sign-on for the first time",
    ("sso_refused", ""): "was refused single sign-on",
    ("accept_invitation", ""): "accepted their invitation and chose a password",
}
VIA = {
    "site": "on the site",
    "api": "through the API",
    "admin": "in the admin",
    "export": "in an export",
    "task": "by a background task",
    "demo": "by the demo set-up",
    "command": "from the command line",
}


def describe(event) -> str:
    """One sentence for an `AuditEvent` (its actor and learner loaded)."""
    actor = display_name(event.actor) if event.actor_id else ""
    learner = display_name(event.learner) if event.learner_id else ""
    phrase = PHRASES.get((event.action, event.object_type)) or PHRASES.get((event.action, ""))
    if phrase is None:
        phrase = event.action.replace("_", " ").replace("-", " ")
        if learner:
            phrase += " ({whom})"
    own = event.actor_id is not None and event.actor_id == event.learner_id
    whose = "their" if own else (f"{learner}'s" if learner else "a")
    sentence = phrase.format(whose=whose, whom=("themselves" if own else learner) or "someone")
    who = actor or ("Someone with a one-time link" if event.action == "feedback_submit" else "The system")
    return f"{who} {sentence}"


def via_in_words(via: str) -> str:
    return VIA.get(via, via)
