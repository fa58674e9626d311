"""Feedback API, exactly as the contract says: invitations, respond (GET/POST), list with scope."""

import pytest
from django.core import mail
from django.core.cache import cache

from feedback import instrument
from feedback.models import Feedback, FeedbackInvitation
from reflect.models import AuditEvent
from tests.factories import FeedbackFactory, LearnerFactory, feedback_invitation

pytestmark = pytest.mark.django_db

INVITE = "/api/v1/feedback-invitations/"


def respond(token):
    return f"/api/v1/feedback/respond/{token}/"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def payload(**overrides):
    body = {
        "ratings": {"listening": 5, "respect": 4, "explaining": None},
        "comments": "They listened.",
        "anonymous": False,
        "respondent_role": "carer",
        "respondent_name": "Pat Carer",
    }
    body.update(overrides)
    return body


# --- invitations --------------------------------------------------------------------------
def test_tutor_creates_invitation_for_allocated_learner(world, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = api(world.tutor).post(
            INVITE,
            {
                "learner": world.learner_a.pk,
                "context_title": "Living with psychosis",
                "occurred_on": "2026-11-20",
                "email": "rep@example.org",
            },
            format="json",
        )
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == {"id", "respond_url", "expires_at"}
    assert body["respond_url"].startswith("http://testserver/feedback/")
    token = body["respond_url"].rstrip("/").rsplit("/", 1)[1]
    invitation = FeedbackInvitation.objects.get(pk=body["id"])
    assert token not in invitation.token_hash
    assert len(mail.outbox) == 1 and body["respond_url"] in mail.outbox[0].body
    assert r["Cache-Control"] == "no-store"


def test_admin_creates_invitation_without_email(world, api):
    r = api(world.admin).post(
        INVITE, {"learner": world.learner_b.pk, "context_title": "Session", "occurred_on": "2026-11-20"}
    )
    assert r.status_code == 201 and not mail.outbox


@pytest.mark.parametrize("who", ["learner_a", "examiner", "patient_rep"])
def test_roles_that_may_not_invite_get_403(world, api, who):
    r = api(getattr(world, who)).post(
        INVITE, {"learner": world.learner_a.pk, "context_title": "S", "occurred_on": "2026-11-20"}
    )
    assert r.status_code == 403 and "detail" in r.json()


@pytest.mark.parametrize(
    "who,learner", [("tutor", "learner_b"), ("former", "learner_b"), ("dual", "learner_a")]
)
def test_tutor_for_unallocated_learner_gets_404(world, api, who, learner):
    r = api(getattr(world, who)).post(
        INVITE, {"learner": getattr(world, learner).pk, "context_title": "S", "occurred_on": "2026-11-20"}
    )
    assert r.status_code == 404 and r.json() == {"detail": "Not found."}
    unknown = api(getattr(world, who)).post(
        INVITE, {"learner": 987654, "context_title": "S", "occurred_on": "2026-11-20"}
    )
    assert unknown.status_code == 404 and unknown.json() == r.json()


def test_invitation_needs_credentials(world, api):
    assert api().post(INVITE, {}).status_code == 401


def test_invitation_bad_input_is_400_with_fields(world, api):
    r = api(world.tutor).post(INVITE, {"learner": world.learner_a.pk, "occurred_on": "soon", "email": "x"})
    assert r.status_code == 400
    assert {"context_title", "occurred_on", "email"} <= set(r.json())
    assert not FeedbackInvitation.objects.exists()


# --- respond ------------------------------------------------------------------------------
def test_respond_get_shows_first_name_and_items(world, api):
    _, raw = feedback_invitation(world.learner_a, context_title="Living with psychosis")
    r = api().get(respond(raw))
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {
        "learner_display_name",
        "context_title",
        "occurred_on",
        "items",
        # v1.1 (respondent types); "respondent_type" and "roles" are extensions
        "instrument",
        "respondent_type",
        "roles",
    }
    assert body["instrument"]["key"] == "patient" and body["instrument"]["title"]
    assert body["learner_display_name"] == world.learner_a.first_name
    assert world.learner_a.last_name not in r.content.decode()
    assert [i["key"] for i in body["items"]] == list(instrument.KEYS)
    scale = body["items"][0]["scale"]
    assert [s["value"] for s in scale] == [1, 2, 3, 4, 5, None]
    assert r["Cache-Control"] == "no-store"


def test_respond_post_then_spent(world, api):
    _, raw = feedback_invitation(world.learner_a)
    r = api().post(respond(raw), payload(), format="json")
    assert r.status_code == 201, r.content
    feedback = Feedback.objects.get()
    assert feedback.ratings == {"listening": 5, "respect": 4, "explaining": None}
    again = api().post(respond(raw), payload(), format="json")
    assert again.status_code == 410 and "detail" in again.json()
    assert api().get(respond(raw)).status_code == 410
    assert Feedback.objects.count() == 1


def test_respond_expired_is_410_unknown_is_404(world, api):
    _, raw = feedback_invitation(world.learner_a, expires_in_days=-1)
    assert api().get(respond(raw)).status_code == 410
    assert api().post(respond(raw), payload(), format="json").status_code == 410
    r = api().get(respond("A" * 43))
    assert r.status_code == 404 and r.json() == {"detail": "Not found."}
    assert api().post(respond("A" * 43), payload(), format="json").status_code == 404


@pytest.mark.parametrize(
    "ratings",
    [{"listening": 6}, {"listening": 0}, {"listening": -1}, {"nonsense": 3}, {"listening": "lots"}, "nope"],
)
def test_respond_bad_ratings_400(world, api, ratings):
    invitation, raw = feedback_invitation(world.learner_a)
    r = api().post(respond(raw), payload(ratings=ratings), format="json")
    assert r.status_code == 400
    assert "ratings" in r.json()
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_respond_bad_role_400(world, api):
    _, raw = feedback_invitation(world.learner_a)
    r = api().post(respond(raw), payload(respondent_role="surgeon"), format="json")
    assert r.status_code == 400 and "respondent_role" in r.json()


def test_respond_ignores_session_of_signed_in_user(world, api):
    """The endpoint has no authentication: a signed-in tutor's session gives no extra power
    and CSRF is not involved."""
    _, raw = feedback_invitation(world.learner_a)
    r = api(world.tutor).post(respond(raw), payload(), format="json")
    assert r.status_code == 201


def test_guessing_is_rate_limited_with_retry_after(world, api, settings):
    settings.FEEDBACK_GUESS_LIMIT = 5
    _, raw = feedback_invitation(world.learner_a)
    client = api()
    for i in range(5):
        assert client.get(respond(f"guess{i:040d}")).status_code == 404
    r = client.get(respond("guess-again"))
    assert r.status_code == 429
    assert int(r["Retry-After"]) > 0 and "detail" in r.json()
    # Even a real link is refused from that address until the window passes.
    assert client.get(respond(raw)).status_code == 429
    other = api()
    assert other.get(respond(raw), REMOTE_ADDR="10.9.8.7").status_code == 200


def test_feedback_throttle_scope_applies(world, api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "feedback": "3/minute",
        },
    }
    from rest_framework.throttling import ScopedRateThrottle

    rates = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = {**rates, "feedback": "3/minute"}
    try:
        _, raw = feedback_invitation(world.learner_a)
        codes = [api().get(respond(raw)).status_code for _ in range(4)]
        assert codes[:3] == [200, 200, 200] and codes[3] == 429
    finally:
        ScopedRateThrottle.THROTTLE_RATES = rates


# --- list and scope -----------------------------------------------------------------------
@pytest.fixture
def feedback_world(world):
    a_named = FeedbackFactory(learner=world.learner_a, respondent_name="Named Person")
    a_anon = FeedbackFactory(learner=world.learner_a, anonymous=True, respondent_name="")
    b = FeedbackFactory(learner=world.learner_b)
    withdrawn = FeedbackFactory(learner=world.learner_a)
    withdrawn.withdrawn_at = withdrawn.submitted_at
    withdrawn.save()
    return {"a_named": a_named, "a_anon": a_anon, "b": b, "withdrawn": withdrawn}


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    "who,expected",
    [
        ("learner_a", {"a_named", "a_anon"}),
        ("learner_b", {"b"}),
        ("tutor", {"a_named", "a_anon"}),
        ("former", set()),
        ("examiner", {"a_named", "a_anon"}),
        ("dual", {"a_named", "a_anon", "b"}),
        ("admin", {"a_named", "a_anon", "b", "withdrawn"}),
    ],
)
def test_list_scope_per_role(world, feedback_world, api, who, expected):
    r = api(getattr(world, who)).get("/api/v1/feedback/")
    assert ids(r) == {feedback_world[name].pk for name in expected}


def test_list_patient_rep_403_anonymous_401(world, feedback_world, api):
    assert api(world.patient_rep).get("/api/v1/feedback/").status_code == 403
    assert api().get("/api/v1/feedback/").status_code == 401


def test_list_fields_and_anonymity(world, feedback_world, api):
    r = api(world.tutor).get("/api/v1/feedback/")
    rows = {row["id"]: row for row in r.json()["results"]}
    named, anon = rows[feedback_world["a_named"].pk], rows[feedback_world["a_anon"].pk]
    assert {
        "id",
        "learner",
        "context_title",
        "occurred_on",
        "ratings",
        "comments",
        "respondent_role",
        "respondent_name",
        "submitted_at",
    } <= set(named)
    assert named["learner"] == {"id": world.learner_a.pk, "display_name": world.learner_a.get_full_name()}
    assert named["respondent_name"] == "Named Person"
    assert anon["respondent_name"] is None
    assert set(r.json()) == {"count", "next", "previous", "results"}


def test_anonymous_name_never_leaks_even_if_stored(world, api):
    """Belt and braces: an anonymous row with a name (e.g. from an old import) still shows null."""
    FeedbackFactory(learner=world.learner_a, anonymous=True, respondent_name="Should Not Show")
    r = api(world.learner_a).get("/api/v1/feedback/")
    assert "Should Not Show" not in r.content.decode()


def test_detail_out_of_scope_is_404(world, feedback_world, api):
    assert api(world.tutor).get(f"/api/v1/feedback/{feedback_world['b'].pk}/").status_code == 404
    assert api(world.tutor).get(f"/api/v1/feedback/{feedback_world['withdrawn'].pk}/").status_code == 404
    assert api(world.tutor).get(f"/api/v1/feedback/{feedback_world['a_named'].pk}/").status_code == 200


def test_reads_by_others_are_audited(world, feedback_world, api):
    before = AuditEvent.objects.filter(action="read").count()
    api(world.learner_a).get("/api/v1/feedback/")
    assert AuditEvent.objects.filter(action="read").count() == before  # own reads not recorded
    api(world.examiner).get("/api/v1/feedback/")
    # A list read: one row per learner, the ids read in `detail`.
    [event] = AuditEvent.objects.filter(action="read", actor=world.examiner, via="api")
    assert (event.learner, event.object_type, event.object_id) == (world.learner_a, "Feedback", "")
    assert set(event.detail["ids"]) == {feedback_world["a_named"].pk, feedback_world["a_anon"].pk}


def test_list_query_count_is_constant(world, api, django_assert_max_num_queries):
    for _ in range(3):
        FeedbackFactory(learner=world.learner_a)
    client = api(world.admin)
    with django_assert_max_num_queries(8) as small:
        client.get("/api/v1/feedback/")
    for _ in range(15):
        FeedbackFactory(learner=LearnerFactory())
    with django_assert_max_num_queries(len(small.captured_queries)):
        r = client.get("/api/v1/feedback/")
    assert r.json()["count"] == 18


def test_schema_describes_feedback_endpoints(world, api):
    r = api(world.admin).get("/api/v1/schema/?format=json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/feedback-invitations/" in paths
    assert "/api/v1/feedback/respond/{token}/" in paths
    assert {"get", "post"} <= set(paths["/api/v1/feedback/respond/{token}/"])
    assert "/api/v1/feedback/" in paths
    schemas = r.json()["components"]["schemas"]
    assert "RespondContext" in schemas and "InvitationCreated" in schemas
