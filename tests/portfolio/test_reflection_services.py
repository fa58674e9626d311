"""Reflection services: transitions, who may do each, what is recorded, who is told."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portfolio import services
from portfolio.models import Reflection, ReviewEvent
from portfolio.policies import reflections as reflection_policy
from reflect.errors import Conflict, NotFound, StaleVersion
from reflect.models import AuditEvent

pytestmark = pytest.mark.django_db


def draft(author, **kwargs):
    data = {
        "title": "Lived-experience workshop on mental health",
        "kind": "lived_experience",
        "occurred_on": timezone.localdate() - datetime.timedelta(days=1),
        "reflective_model": "kolb",
        "sections": {"experience": "<p>A peer worker told us about crisis care.</p>"},
        **kwargs,
    }
    return services.create_reflection(author, data)


def test_create_sets_server_fields_and_ignores_input_for_them(world):
    r = draft(
        world.learner_a,
        status="signed_off",
        submitted_at=timezone.now(),
        version=7,
        learner=world.learner_b,
        themes=["lived_experience"],
    )
    assert r.status == "draft" and r.submitted_at is None and r.version == 1 and r.learner == world.learner_a
    assert list(r.themes.values_list("code", flat=True)) == ["lived_experience"]
    assert "<h2>Concrete experience</h2>" in r.body_html
    assert AuditEvent.objects.filter(action="create", object_id=str(r.pk)).exists()


def test_create_rejects_non_learners_and_bad_input_without_saving(world):
    with pytest.raises(PermissionDenied):
        draft(world.tutor)
    with pytest.raises(ValidationError) as exc:
        draft(world.learner_a, title="", sections={"nope": "x"}, themes=["zzz"], kind="holiday")
    assert {"title", "sections", "themes", "kind"} <= set(exc.value.message_dict)
    assert not Reflection.objects.exists()


def test_update_only_owner_only_editable_states_and_version(world):
    r = draft(world.learner_a)
    with pytest.raises(PermissionDenied):
        services.update_reflection(r, world.tutor, {"title": "x"}, 1)
    with pytest.raises(StaleVersion):
        services.update_reflection(r, world.learner_a, {"title": "x"}, 5)
    with pytest.raises(StaleVersion):
        services.update_reflection(r, world.learner_a, {"title": "x"}, None)
    services.update_reflection(
        r, world.learner_a, {"title": "Better title", "submitted_at": timezone.now()}, 1
    )
    assert r.version == 2 and r.title == "Better title" and r.submitted_at is None
    services.submit(r, world.learner_a)
    with pytest.raises(Conflict):
        services.update_reflection(r, world.learner_a, {"title": "y"}, r.version)


def test_full_cycle_records_revisions_events_audit_and_mail(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    r = draft(world.learner_a)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(r, world.learner_a)
    assert r.status == "submitted" and before <= r.submitted_at <= timezone.now()
    first = ReviewEvent.objects.get(reflection=r, action="submitted")
    assert first.revision is not None and first.revision == r.latest_revision
    assert first.revision.content["sections"]["experience"].startswith("<p>A peer worker")
    assert mailoutbox[-1].to == [world.tutor.email] and r.title in mailoutbox[-1].subject

    with pytest.raises(ValidationError):
        services.request_changes(r, world.tutor, "   ")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_changes(r, world.tutor, "Link it to <b>crisis</b> services.")
    assert r.status == "changes_requested"
    request = ReviewEvent.objects.get(reflection=r, action="changes_requested")
    assert request.comment == "Link it to crisis services." and request.revision == first.revision
    assert mailoutbox[-1].to == [world.learner_a.email]

    services.update_reflection(
        r,
        world.learner_a,
        {"sections": {"observation": "<p>Crisis teams were hard to reach.</p>"}},
        r.version,
    )
    services.submit(r, world.learner_a)
    assert ReviewEvent.objects.filter(reflection=r, action="submitted").count() == 2
    changes = {c.key: c for c in services.changes_since_request(r)}
    assert changes["observation"].state == "added"
    assert ("insert", "Crisis teams were hard to reach.") in changes["observation"].pieces
    assert changes["experience"].state == "unchanged"

    with django_capture_on_commit_callbacks(execute=True):
        services.sign_off(r, world.tutor, "Thoughtful.")
    assert r.status == "signed_off" and r.signed_off_by == world.tutor and r.signed_off_at
    assert mailoutbox[-1].to == [world.learner_a.email] and "Signed off" in mailoutbox[-1].subject
    actions = list(
        AuditEvent.objects.filter(object_id=str(r.pk)).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["create", "submit", "request_changes", "update", "submit", "sign_off"]

    # Signed off: locked for everyone.
    with pytest.raises(Conflict):
        services.update_reflection(r, world.learner_a, {"title": "x"}, r.version)
    with pytest.raises(Conflict):
        services.submit(r, world.learner_a)
    with pytest.raises(Conflict):
        services.request_changes(r, world.tutor, "again")
    with pytest.raises(Conflict):
        services.sign_off(r, world.tutor)
    with pytest.raises(Conflict):
        services.comment(r, world.tutor, "late")


@pytest.mark.parametrize("who", ["former", "examiner", "admin", "learner_a", "learner_b", "dual"])
def test_only_the_allocated_tutor_reviews(world, who):
    r = draft(world.learner_a)
    services.submit(r, world.learner_a)
    for action, transition in (
        ("request_changes", lambda u: services.request_changes(r, u, "Please revise")),
        ("sign_off", lambda u: services.sign_off(r, u)),
        (
            "comment",
            lambda u: (
                services.comment(r, u, "hi")
                if u != world.learner_a
                else (_ for _ in ()).throw(PermissionDenied)
            ),
        ),
    ):
        person = getattr(world, who)
        # A role that may never do this, or someone who sees the reflection, is refused (403);
        # anyone else cannot even find it (404), as at every door.
        refused = reflection_policy.is_visible(person, r) or not reflection_policy.role_may(person, action)
        with pytest.raises(PermissionDenied if refused else NotFound):
            transition(person)
    assert Reflection.objects.get(pk=r.pk).status == "submitted"


def test_review_transitions_need_submitted_state(world):
    r = draft(world.learner_a)
    # A draft does not exist for the tutor; the learner may not comment on it yet.
    with pytest.raises(NotFound):
        services.request_changes(r, world.tutor, "x")
    with pytest.raises(NotFound):
        services.sign_off(r, world.tutor)
    with pytest.raises(Conflict):
        services.comment(r, world.learner_a, "x")
    services.submit(r, world.learner_a)
    services.sign_off(r, world.tutor)
    with pytest.raises(Conflict):
        services.request_changes(r, world.tutor, "x")
    with pytest.raises(Conflict):
        services.sign_off(r, world.tutor)
    with pytest.raises(Conflict):
        services.comment(r, world.tutor, "x")


def test_submit_only_owner_and_not_empty(world):
    r = draft(world.learner_a, sections={"experience": "<p> </p>"})
    with pytest.raises(NotFound):  # another learner's reflection does not exist for them
        services.submit(r, world.learner_b)
    with pytest.raises(PermissionDenied):  # their tutor sees it, but only its learner submits
        services.submit(services.submit(draft(world.learner_a), world.learner_a), world.tutor)
    with pytest.raises(ValidationError):
        services.submit(r, world.learner_a)
    assert Reflection.objects.get(pk=r.pk).status == "draft"


def test_submit_identifiers_block_and_warn(world):
    r = draft(world.learner_a, sections={"experience": "<p>NHS 943 476 5919, DOB 12/03/1950</p>"})
    with pytest.raises(services.IdentifierFindings) as exc:
        services.submit(r, world.learner_a, confirm_warnings=True)
    assert exc.value.blocking and {f.kind for f in exc.value.findings} == {"nhs_number", "date_of_birth"}
    assert exc.value.findings[0].where == "Concrete experience"
    r.refresh_from_db()
    assert r.status == "draft" and not ReviewEvent.objects.exists() and r.latest_revision is None

    services.update_reflection(
        r, world.learner_a, {"sections": {"experience": "<p>DOB 12/03/1950</p>"}}, r.version
    )
    with pytest.raises(services.IdentifierFindings) as exc:
        services.submit(r, world.learner_a)
    assert not exc.value.blocking
    services.submit(r, world.learner_a, confirm_warnings=True)
    assert r.status == "submitted"
    assert AuditEvent.objects.get(action="submit").detail["confirmed_warnings"] == ["date_of_birth"]


def test_title_is_checked_too(world):
    r = draft(world.learner_a, title="Visit to CF10 3AT")
    with pytest.raises(services.IdentifierFindings) as exc:
        services.submit(r, world.learner_a)
    assert exc.value.findings[0].where == "Title"


def test_learner_comment_reply_and_tutor_comment(world):
    r = draft(world.learner_a)
    services.submit(r, world.learner_a)
    services.comment(r, world.tutor, "Good start.")
    services.comment(r, world.learner_a, "Thank you <script>x</script>")
    comments = list(ReviewEvent.objects.filter(action="commented").values_list("comment", flat=True))
    assert comments == ["Good start.", "Thank you"]
    with pytest.raises(ValidationError):
        services.comment(r, world.tutor, "")


def test_switching_model_loses_no_text(world):
    r = draft(
        world.learner_a, sections={"experience": "<p>Peer workers spoke.</p>", "observation": "<p>Quiet.</p>"}
    )
    services.update_reflection(r, world.learner_a, {"reflective_model": "rolfe"}, r.version)
    assert r.reflective_model == "rolfe" and set(r.sections) == {"what"}
    assert "<h3>Concrete experience</h3><p>Peer workers spoke.</p>" in r.sections["what"]
    assert "<h3>Reflective observation</h3><p>Quiet.</p>" in r.sections["what"]
    assert "Peer workers spoke." in r.body_html
