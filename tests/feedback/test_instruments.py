"""Each respondent type has its own instrument, kept as versioned data: served by the link,
answers checked against it, and frozen once in use (revising makes the next version)."""

import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from feedback import services
from feedback.instrument_texts import THEME_CODES
from feedback.models import Feedback, FeedbackInvitation, Instrument
from rubrics.models import Competency
from tests.factories import PlacementFactory

from .helpers import INVITE, TYPES, full_answer, respond, token_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def invite(api, world, kind=None, **extra):
    body = {"learner": world.learner_a.pk, "context_title": "Food bank drop-in", "occurred_on": "2026-11-20"}
    if kind is not None:
        body["respondent_type"] = kind
    body.update(extra)
    return api(world.tutor).post(INVITE, body, format="json")


def test_five_instruments_ship_with_items_mapped_to_the_eight_themes():
    assert set(Instrument.objects.values_list("key", flat=True)) == set(TYPES)
    assert set(THEME_CODES) == set(Competency.objects.themes().values_list("code", flat=True))
    keys = []
    for version in Instrument.objects.all():
        assert version.version == 1 and len(version.content_hash) == 64
        assert len(version.items) >= 7
        for item in version.items:
            assert item["prompt"].strip() and item["themes"]
            assert set(item["themes"]) <= set(THEME_CODES)
        keys += version.keys
    assert len(keys) == len(set(keys))  # unique across instruments
    supervisor = " ".join(i["prompt"] for i in Instrument.objects.current("placement_supervisor").items)
    for words in (
        "reliable",
        "respect for the people our organisation serves",
        "understood what our",
        "contribution",
    ):
        assert words in supervisor


@pytest.mark.parametrize("kind", TYPES)
def test_each_type_gets_its_own_instrument_and_answers_are_checked_against_it(world, api, kind):
    r = invite(api, world, kind)
    assert r.status_code == 201, r.content
    invitation = FeedbackInvitation.objects.get(pk=r.json()["id"])
    assert invitation.respondent_type == kind and invitation.instrument.key == kind
    raw = token_of(r.json()["respond_url"])
    anon = api()
    body = anon.get(respond(raw)).json()
    version = Instrument.objects.current(kind)
    assert body["instrument"] == {"key": kind, "title": version.title, "version": 1}
    assert [i["key"] for i in body["items"]] == version.keys
    assert [s["value"] for s in body["items"][0]["scale"]] == [1, 2, 3, 4, 5, None]
    assert body["roles"] == version.roles

    # Ratings off the scale, a key of another instrument, a role the type does not offer: 400.
    other = "col_teamwork" if kind != "colleague" else "listening"
    first = version.keys[0]
    for bad in (
        full_answer(kind, ratings={first: 6}),
        full_answer(kind, ratings={first: 0}),
        full_answer(kind, ratings={other: 3}),
        full_answer(kind, respondent_role="doctor" if kind != "colleague" else "carer"),
    ):
        r = anon.post(respond(raw), bad, format="json")
        assert r.status_code == 400, (bad, r.content)
    assert not Feedback.objects.exists()

    r = anon.post(respond(raw), full_answer(kind), format="json")
    assert r.status_code == 201, r.content
    stored = Feedback.objects.get()
    assert stored.respondent_type == kind and stored.instrument_id == version.pk
    assert anon.post(respond(raw), full_answer(kind), format="json").status_code == 410
    # The tutor reads it through the API with its type (colleague answers too: tutors only).
    listed = api(world.tutor).get("/api/v1/feedback/").json()["results"]
    assert [(f["respondent_type"], f["instrument"]["key"]) for f in listed] == [(kind, kind)]


def test_type_defaults_to_patient_and_unknown_type_or_placement_is_400(world, api):
    r = invite(api, world)
    assert r.status_code == 201
    assert FeedbackInvitation.objects.get().respondent_type == "patient"
    assert invite(api, world, "neighbour").status_code == 400
    assert invite(api, world, "carer", placement=999999).status_code == 400
    assert FeedbackInvitation.objects.count() == 1
    placement = PlacementFactory()
    assert invite(api, world, "community_partner", placement=placement.pk).status_code == 201
    assert FeedbackInvitation.objects.filter(placement=placement).count() == 1


def test_an_instrument_in_use_is_frozen_and_revising_makes_a_new_version(world, api):
    v1 = Instrument.objects.current("community_partner")
    # Not used yet: revising changes it in place.
    same = services.instruments.revise(v1, title="Feedback from a community partner organisation")
    assert same.pk == v1.pk and same.version == 1
    old_raw = token_of(invite(api, world, "community_partner").json()["respond_url"])
    api().post(respond(old_raw), full_answer("community_partner"), format="json")
    answered = Feedback.objects.get()
    open_raw = token_of(invite(api, world, "community_partner").json()["respond_url"])

    v1.refresh_from_db()
    v1.title = "Edited in place"
    with pytest.raises(ValidationError):
        v1.save()
    items = [
        *v1.items[:-1],
        {"key": "cp_safe_space", "prompt": "They helped make a safe space.", "themes": ["equity_power"]},
    ]
    v2 = services.instruments.revise(Instrument.objects.get(pk=v1.pk), items=items)
    assert (v2.key, v2.version) == ("community_partner", 2) and v2.pk != v1.pk
    v1.refresh_from_db()
    assert v1.title == "Feedback from a community partner organisation" and "cp_welcome_back" in v1.keys
    answered.refresh_from_db()
    assert answered.instrument_id == v1.pk  # old answers keep their version
    # A link made before the revision still asks version 1; a new one asks version 2.
    assert api().get(respond(open_raw)).json()["instrument"]["version"] == 1
    new_raw = token_of(invite(api, world, "community_partner").json()["respond_url"])
    served = api().get(respond(new_raw)).json()
    assert served["instrument"]["version"] == 2 and served["items"][-1]["key"] == "cp_safe_space"
    assert (
        api()
        .post(
            respond(new_raw), full_answer("community_partner", ratings={"cp_welcome_back": 4}), format="json"
        )
        .status_code
        == 400
    )


def test_revise_refuses_bad_content():
    v1 = Instrument.objects.current("carer")
    for bad in (
        {
            "items": [
                {"key": "listening", "prompt": "Taken by the patient instrument", "themes": ["advocacy"]}
            ]
        },
        {"items": [{"key": "carer_x", "prompt": "No theme", "themes": []}]},
        {"items": [{"key": "carer_x", "prompt": "Unknown theme", "themes": ["kindness"]}]},
        {"roles": ["wizard"]},
        {"scale": [["one", "Poor"]]},
        {"colour": "blue"},
    ):
        with pytest.raises(ValidationError):
            services.instruments.revise(v1, **bad)
    assert Instrument.objects.filter(key="carer").count() == 1


@pytest.mark.parametrize("kind", TYPES)
def test_site_invite_by_type_and_the_public_page_shows_that_instrument(world, client, portfolio_page, kind):
    client.force_login(world.tutor)
    r = client.post(
        "/portfolio/feedback/invite/",
        {
            "learner": world.learner_a.pk,
            "context_title": "Night shelter",
            "occurred_on": "2026-11-20",
            "respondent_type": kind,
            "extra_links": "2",
            "show_qr": "on",
        },
    )
    assert r.status_code == 200
    html = r.content.decode()
    links = re.findall(r'value="(http://testserver/feedback/[A-Za-z0-9_-]+/)"', html)
    assert len(links) == 2
    assert html.count('<svg role="img" aria-label="QR code of feedback link') == 2
    assert set(FeedbackInvitation.objects.values_list("respondent_type", flat=True)) == {kind}
    client.logout()
    page = client.get(links[0].replace("http://testserver", "")).content.decode()
    version = Instrument.objects.current(kind)
    assert version.title in page
    for item in version.items:
        assert item["prompt"].replace("'", "&#x27;") in page
    assert page.count("<fieldset") == len(version.items) + 1
    # Answer it by the form (no JavaScript): every statement "4", the first role.
    data = {f"rating_{key}": "4" for key in version.keys} | {"respondent_role": version.roles[0]}
    r = client.post(links[0].replace("http://testserver", ""), data)
    assert r.status_code == 302
    assert Feedback.objects.get().ratings == dict.fromkeys(version.keys, 4)
