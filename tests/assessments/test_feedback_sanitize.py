"""Feedback comments are plain text: run the public XSS corpora through every door (service,
API, site page) and check properties of what is stored and shown, not upstream outputs."""

import json
import pathlib
import re

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedback import services as fb
from feedback.models import Feedback
from tests.factories import FeedbackFactory, feedback_invitation

pytestmark = pytest.mark.django_db

CORPORA = pathlib.Path(__file__).resolve().parents[3] / "shared" / "corpora"
if not CORPORA.is_dir():
    CORPORA = pathlib.Path("/work/shared/corpora")

# A tag opens where "<" is directly followed by a letter, "/", "!" or "?" (HTML tokenizer rules).
TAG = re.compile(r"<[A-Za-z/!?]")


def corpus() -> list[str]:
    if not CORPORA.is_dir():
        return []
    payloads = []
    for name in ("dompurify-payloads.json", "html5sec-vectors.json"):
        path = CORPORA / name
        if path.exists():
            payloads += [item["payload"] for item in json.loads(path.read_text())["items"]]
    return payloads


PAYLOADS = corpus()
needs_corpus = pytest.mark.skipif(not PAYLOADS, reason="XSS corpora folder ../shared/corpora is absent")


def assert_plain(text: str):
    assert not TAG.search(text), text
    assert "<script" not in text.lower()


@needs_corpus
def test_corpora_through_the_service_leave_no_tag(world):
    invitations = [feedback_invitation(world.learner_a)[1] for _ in range(len(PAYLOADS))]
    for raw, payload in zip(invitations, PAYLOADS, strict=True):
        feedback = fb.submit_feedback(raw, {"listening": 3}, payload, False, "carer", payload[:150])
        assert_plain(feedback.comments)
        assert_plain(feedback.respondent_name)
        # Plain text is a fixed point: cleaning again changes nothing.
        again = fb.clean_answers({"listening": 3}, feedback.comments, True, "carer")["comments"]
        assert again == feedback.comments


@needs_corpus
def test_corpora_through_the_api(world, api):
    cache.clear()
    client = api()
    for payload in PAYLOADS[:80]:
        _, raw = feedback_invitation(world.learner_a)
        r = client.post(
            f"/api/v1/feedback/respond/{raw}/",
            {"ratings": {"respect": 5}, "comments": payload, "respondent_role": "community_member"},
            format="json",
        )
        assert r.status_code in (201, 400), r.content
    for feedback in Feedback.objects.all():
        assert_plain(feedback.comments)


@needs_corpus
def test_corpora_shown_escaped_on_the_site(world, portfolio_page, client):
    for payload in PAYLOADS[:60]:
        FeedbackFactory(learner=world.learner_a, comments=payload)  # even if stored raw
    client.force_login(world.tutor)
    html = client.get("/portfolio/feedback/").content.decode()
    tags = parsed_tags(html)
    # Nothing of the payloads becomes markup: no script-capable element, no handler attribute,
    # no script URL, no style; every element is one the templates themselves write.
    for tag, attrs in tags:
        assert tag not in {"script", "iframe", "object", "embed", "svg", "math", "style", "img", "form"} or (
            tag == "form" and ("action", "/accounts/logout/") in attrs
        ), (tag, attrs)
        for name, value in attrs:
            assert not name.startswith("on") and name != "style", (tag, name)
            assert not (value or "").strip().lower().startswith(("javascript:", "vbscript:", "data:")), value


def parsed_tags(html: str) -> list:
    from html.parser import HTMLParser

    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


@given(st.text(max_size=300))
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_any_text_comes_out_without_tags(text):
    data = fb.clean_answers({"listening": 3}, text, True, "carer")
    assert_plain(data["comments"])
    assert data["respondent_name"] == ""


@given(
    st.lists(
        st.sampled_from(["<", ">", "b", "script", "/", "img ", "onerror=", "&lt;", "&gt;", "x", " "]),
        max_size=40,
    )
)
@settings(max_examples=200, deadline=None)
def test_entity_tricks_do_not_survive(parts):
    data = fb.clean_answers({"listening": 3}, "".join(parts) + " ok", True, "carer")
    assert_plain(data["comments"])
