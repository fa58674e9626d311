"""Feedback on the site: the public page (no login, no JavaScript), kind 404/410/429 pages,
the invite screen (links shown once), the dashboard section and the feedback list."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from feedback import instrument
from feedback.models import Feedback, FeedbackInvitation
from tests.factories import FeedbackFactory, feedback_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def page(raw):
    return f"/feedback/{raw}/"


def answers(**overrides):
    data = {f"rating_{key}": "4" for key in instrument.KEYS}
    data["rating_trust"] = "na"
    data.update(
        {
            "comments": "They asked about my bus fare.",
            "respondent_role": "carer",
            "respondent_name": "Jo Bloggs",
        }
    )
    data.update(overrides)
    return data


# --- public page --------------------------------------------------------------------------
def test_public_page_needs_no_login_and_shows_first_name_only(world, portfolio_page, client):
    _, raw = feedback_invitation(world.learner_a, context_title="Living with psychosis")
    r = client.get(page(raw))
    assert r.status_code == 200
    html = r.content.decode()
    assert world.learner_a.first_name in html and world.learner_a.last_name not in html
    assert "Living with psychosis" in html
    # One fieldset + legend per statement, radio buttons with labels, no inline script/style.
    assert html.count("<fieldset") == len(instrument.ITEMS) + 1
    assert html.count("<legend>") == len(instrument.ITEMS) + 1
    for key in instrument.KEYS:
        for value in ("1", "5", "na"):
            assert f'value="{value}"' in html
        assert f'for="id_rating_{key}_0"' in html and f'id="id_rating_{key}_0"' in html
    assert "Give my feedback anonymously" in html and "Patient representative" in html
    assert "<script" not in html and "style=" not in html
    assert r["Referrer-Policy"] == "same-origin" and "no-store" in r["Cache-Control"]


def test_submit_shows_thanks_and_spends_link(world, portfolio_page, client):
    invitation, raw = feedback_invitation(world.learner_a)
    r = client.post(page(raw), answers())
    assert r.status_code == 302 and r["Location"] == "/feedback/thanks/"
    assert "Thank you" in client.get(r["Location"]).content.decode()
    feedback = Feedback.objects.get()
    assert feedback.ratings["listening"] == 4 and feedback.ratings["trust"] is None
    assert feedback.respondent_name == "Jo Bloggs" and feedback.respondent_role == "carer"
    spent = client.get(page(raw))
    assert spent.status_code == 410
    assert "already been used" in spent.content.decode()
    assert client.post(page(raw), answers()).status_code == 410
    assert Feedback.objects.count() == 1


def test_skipped_statements_are_not_stored(world, portfolio_page, client):
    _, raw = feedback_invitation(world.learner_a)
    data = answers()
    del data["rating_respect"]
    client.post(page(raw), data)
    assert "respect" not in Feedback.objects.get().ratings


def test_anonymous_on_the_site_drops_name(world, portfolio_page, client):
    _, raw = feedback_invitation(world.learner_a)
    client.post(page(raw), answers(anonymous="on", respondent_name="Secret Name"))
    feedback = Feedback.objects.get()
    assert feedback.anonymous and feedback.respondent_name == ""


def test_bad_input_keeps_everything_typed_and_shows_errors(world, portfolio_page, client):
    invitation, raw = feedback_invitation(world.learner_a)
    data = answers(
        respondent_role="", rating_listening="9", comments="Keep <this> text", respondent_name="Al"
    )
    r = client.post(page(raw), data)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'class="error-summary"' in html and "There is a problem" in html
    assert 'href="#id_respondent_role_0"' in html and 'href="#id_rating_listening_0"' in html
    assert 'id="id_respondent_role-error"' in html and "Choose how you took part." in html
    assert "Keep &lt;this&gt; text" in html and 'value="Al"' in html
    assert re.search(r'name="rating_respect" value="4"[^>]*checked', html)
    assert re.search(r'name="rating_trust" value="na"[^>]*checked', html)
    invitation.refresh_from_db()
    assert invitation.used_at is None and not Feedback.objects.exists()


def test_empty_answer_is_refused_with_summary(world, portfolio_page, client):
    _, raw = feedback_invitation(world.learner_a)
    r = client.post(page(raw), {"respondent_role": "carer"})
    assert r.status_code == 200 and "Answer at least one statement" in r.content.decode()
    assert not Feedback.objects.exists()


def test_expired_and_unknown_links_get_kind_pages(world, portfolio_page, client):
    _, raw = feedback_invitation(world.learner_a, expires_in_days=-1)
    r = client.get(page(raw))
    assert r.status_code == 410
    html = r.content.decode()
    assert "This link has expired" in html and "ask the person who sent you the link" in html
    r = client.get(page("Z" * 43))
    assert r.status_code == 404
    assert "We could not find this link" in r.content.decode()


def test_site_guessing_is_rate_limited(world, portfolio_page, client, settings):
    settings.FEEDBACK_GUESS_LIMIT = 4
    _, raw = feedback_invitation(world.learner_a)
    for i in range(4):
        assert client.get(page(f"nope{i}")).status_code == 404
    r = client.get(page(raw))
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert "Please wait a few minutes" in r.content.decode()


def test_limit_is_shared_between_site_and_api(world, portfolio_page, client, settings):
    settings.FEEDBACK_GUESS_LIMIT = 3
    for i in range(3):
        client.get(f"/api/v1/feedback/respond/nope{i}/")
    assert client.get(page("anything")).status_code == 429


# --- invite screen ------------------------------------------------------------------------
def test_tutor_invites_several_and_sees_links_once(
    world, portfolio_page, client, django_capture_on_commit_callbacks
):
    # Names the page cannot show by chance (the factories' random surnames may coincide).
    world.learner_a.last_name, world.learner_b.last_name = "Allocatedsurname", "Outofscopesurname"
    world.learner_a.save()
    world.learner_b.save()
    client.force_login(world.tutor)
    r = client.get("/portfolio/feedback/invite/")
    assert r.status_code == 200
    html = r.content.decode()
    assert world.learner_a.last_name in html and world.learner_b.last_name not in html
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/portfolio/feedback/invite/",
            {
                "learner": world.learner_a.pk,
                "context_title": "Living with psychosis",
                "occurred_on": "2026-11-20",
                "emails": "one@example.org\ntwo@example.org",
                "extra_links": "1",
            },
        )
    assert r.status_code == 200
    html = r.content.decode()
    assert "will not be shown again" in html
    links = re.findall(r'value="(http://testserver/feedback/[A-Za-z0-9_-]+/)"', html)
    assert len(links) == 3 and len(set(links)) == 3
    assert FeedbackInvitation.objects.filter(learner=world.learner_a).count() == 3
    assert len(mail.outbox) == 2
    assert r["Cache-Control"] == "no-store"
    # Never again: the invite page afterwards lists statuses, not links.
    later = client.get("/portfolio/feedback/invite/").content.decode()
    assert not any(link in later for link in links) and "Open" in later


def test_invite_errors_next_to_fields(world, portfolio_page, client):
    client.force_login(world.tutor)
    r = client.post(
        "/portfolio/feedback/invite/",
        {"learner": world.learner_b.pk, "context_title": "", "occurred_on": "x", "emails": "bad"},
    )
    html = r.content.decode()
    assert r.status_code == 200 and "There is a problem" in html
    assert 'id="id_learner_error"' in html and 'id="id_context_title_error"' in html
    assert not FeedbackInvitation.objects.exists()


@pytest.mark.parametrize("who", ["learner_a", "examiner", "patient_rep"])
def test_invite_screen_refuses_other_roles(world, portfolio_page, client, who):
    client.force_login(getattr(world, who))
    assert client.get("/portfolio/feedback/invite/").status_code == 403


# --- dashboard and list -------------------------------------------------------------------
def test_learner_dashboard_shows_feedback_escaped_and_anonymous(world, portfolio_page, client):
    FeedbackFactory(
        learner=world.learner_a, comments="<script>alert(1)</script> & thanks", respondent_name="Named Rep"
    )
    FeedbackFactory(learner=world.learner_a, anonymous=True, respondent_name="")
    withdrawn = FeedbackFactory(learner=world.learner_a, comments="withdrawn words")
    withdrawn.withdrawn_at = withdrawn.submitted_at
    withdrawn.save()
    client.force_login(world.learner_a)
    html = client.get("/portfolio/").content.decode()
    assert "Feedback from patients, carers and the community" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; thanks" in html and "<script>alert" not in html
    assert "Named Rep" in html and "From an anonymous patient representative" in html
    assert "Excellent" in html and "Very good" in html and "Does not apply" in html
    assert "withdrawn words" not in html


@pytest.mark.parametrize(
    "who,sees_a,sees_b",
    [
        ("learner_a", True, False),
        ("tutor", True, False),
        ("examiner", True, False),
        ("dual", True, True),
        ("former", False, False),
        ("admin", True, True),
    ],
)
def test_feedback_list_scope(world, portfolio_page, client, who, sees_a, sees_b):
    FeedbackFactory(learner=world.learner_a, comments="about learner a")
    FeedbackFactory(learner=world.learner_b, comments="about learner b")
    client.force_login(getattr(world, who))
    r = client.get("/portfolio/feedback/")
    assert r.status_code == 200
    html = r.content.decode()
    assert ("about learner a" in html) == sees_a
    assert ("about learner b" in html) == sees_b


def test_feedback_list_learner_filter_out_of_scope_is_404(world, portfolio_page, client):
    client.force_login(world.tutor)
    assert client.get(f"/portfolio/feedback/?learner={world.learner_b.pk}").status_code == 404
    assert client.get(f"/portfolio/feedback/?learner={world.learner_a.pk}").status_code == 200


def test_patient_rep_has_no_feedback_list(world, portfolio_page, client):
    client.force_login(world.patient_rep)
    assert client.get("/portfolio/feedback/").status_code == 404
