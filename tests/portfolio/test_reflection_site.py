"""Site screens for reflections: learner list/new/edit/autosave/submit, tutor queue/review,
and the scope rule (out of scope = 404 on every URL)."""

import datetime

import pytest
from django.utils import timezone

from portfolio import services
from portfolio.models import Reflection, ReviewEvent
from reflect.models import AuditEvent
from tests.factories import PlacementFactory, ReflectionFactory

pytestmark = pytest.mark.django_db

NHS = "943 476 5919"  # valid Modulus 11 check digit


def gibbs_post(**overrides):
    data = {
        "title": "Following Mrs D home after her hip fracture",
        "kind": "community_placement",
        "occurred_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        "setting": "community",
        "themes": ["context", "lived_experience"],
        "reflective_model": "gibbs",
        "section_description": "<p>I joined the community rehab team on a first home visit.</p>",
        "section_feelings": "<p>I felt <strong>uneasy</strong> about the stairs.</p>",
        "action": "save",
    }
    data.update(overrides)
    return data


def make(learner, **kwargs):
    data = {
        "title": kwargs.pop("title", "Food bank evening"),
        "kind": "third_sector",
        "occurred_on": timezone.localdate() - datetime.timedelta(days=2),
        "reflective_model": "rolfe",
        "sections": {
            "what": "<p>I sorted parcels at a food bank.</p>",
            "so_what": "<p>Poverty is close.</p>",
        },
    }
    data.update(kwargs)
    return services.create_reflection(learner, data)


def test_learner_writes_gibbs_reflection_without_js(world, portfolio_page, client):
    client.force_login(world.learner_a)
    r = client.get("/portfolio/reflections/new/")
    assert r.status_code == 200 and b"Gibbs reflective cycle" in r.content
    r = client.get("/portfolio/reflections/new/?model=gibbs")
    assert b"What were you thinking and feeling at the time?" in r.content  # prompt
    assert b"Action plan" in r.content
    placement = PlacementFactory()
    r = client.post("/portfolio/reflections/new/", gibbs_post(placement=placement.pk))
    assert r.status_code == 302
    reflection = Reflection.objects.get(learner=world.learner_a)
    assert r["Location"] == f"/portfolio/reflections/{reflection.pk}/edit/"
    assert reflection.status == "draft" and reflection.reflective_model == "gibbs"
    assert reflection.placement == placement
    assert sorted(reflection.themes.values_list("code", flat=True)) == ["context", "lived_experience"]
    assert (
        "<h2>Description</h2>" in reflection.body_html and "<strong>uneasy</strong>" in reflection.body_html
    )
    r = client.get(r["Location"])
    assert r.status_code == 200 and b"uneasy" in r.content and b"data-autosave-url" in r.content


def test_new_reflection_errors_next_to_fields_and_nothing_saved(world, portfolio_page, client):
    client.force_login(world.learner_a)
    future = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    r = client.post("/portfolio/reflections/new/", gibbs_post(title="", occurred_on=future, themes=["nope"]))
    assert r.status_code == 400
    assert b"There is a problem" in r.content
    assert b"field-error" in r.content
    assert not Reflection.objects.exists()
    r = client.post("/portfolio/reflections/new/", gibbs_post(occurred_on=future))
    assert r.status_code == 400 and b"cannot be in the future" in r.content
    assert not Reflection.objects.exists()


def test_edit_save_and_stale_version_conflict(world, portfolio_page, client):
    reflection = make(world.learner_a)
    client.force_login(world.learner_a)
    post = {
        "title": "Food bank evening, revised",
        "kind": "third_sector",
        "occurred_on": reflection.occurred_on.isoformat(),
        "reflective_model": "rolfe",
        "section_what": "<p>Sorted parcels.</p>",
        "section_so_what": "",
        "section_now_what": "<p>Ask about referral routes.</p>",
        "version": reflection.version,
    }
    r = client.post(f"/portfolio/reflections/{reflection.pk}/edit/", post)
    assert r.status_code == 302
    reflection.refresh_from_db()
    assert reflection.version == 2 and reflection.title.endswith("revised")
    assert "so_what" in reflection.sections and reflection.sections["so_what"] == ""
    # The same (now stale) version again: a clear conflict, nothing changed.
    r = client.post(f"/portfolio/reflections/{reflection.pk}/edit/", {**post, "title": "Overwrite"})
    assert r.status_code == 409 and b"Someone else saved this" in r.content
    reflection.refresh_from_db()
    assert reflection.title.endswith("revised")


def test_autosave_json_and_conflict(world, portfolio_page, client):
    reflection = make(world.learner_a)
    client.force_login(world.learner_a)
    base = {
        "title": reflection.title,
        "kind": reflection.kind,
        "occurred_on": reflection.occurred_on.isoformat(),
        "reflective_model": "rolfe",
        "section_what": "<p>Typed so far<script>alert(1)</script></p>",
        "version": 1,
    }
    r = client.post(f"/portfolio/reflections/{reflection.pk}/autosave/", base)
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == 2 and len(body["saved_at"]) == 5  # "14:02"
    reflection.refresh_from_db()
    assert reflection.sections["what"] == "<p>Typed so far</p>"
    r = client.post(f"/portfolio/reflections/{reflection.pk}/autosave/", base)  # stale version 1
    assert r.status_code == 409 and "Someone else saved" in r.json()["detail"]
    r = client.post(f"/portfolio/reflections/{reflection.pk}/autosave/", {**base, "version": 2, "title": ""})
    assert r.status_code == 400 and "errors" in r.json()


def test_submit_blocked_by_nhs_number_then_warnings_need_confirmation(
    world, portfolio_page, client, mailoutbox
):
    reflection = make(world.learner_a, sections={"what": f"<p>Her NHS number {NHS} was on the chart.</p>"})
    client.force_login(world.learner_a)
    r = client.get(f"/portfolio/reflections/{reflection.pk}/submit/")
    assert r.status_code == 200
    assert b"Must be removed" in r.content and NHS.encode() in r.content
    assert b"Submit for review</button>" not in r.content
    r = client.post(f"/portfolio/reflections/{reflection.pk}/submit/", {"confirm": "on"})
    assert r.status_code == 400
    reflection.refresh_from_db()
    assert reflection.status == "draft" and reflection.submitted_at is None

    services.update_reflection(
        reflection,
        world.learner_a,
        {"sections": {"what": "<p>Call 07700 900123 later.</p>"}},
        reflection.version,
    )
    r = client.post(f"/portfolio/reflections/{reflection.pk}/submit/", {})
    assert r.status_code == 400 and b"Tick this box to confirm" in r.content
    assert Reflection.objects.get(pk=reflection.pk).status == "draft"
    assert mailoutbox == []
    r = client.post(f"/portfolio/reflections/{reflection.pk}/submit/", {"confirm": "on"})
    assert r.status_code == 302
    reflection.refresh_from_db()
    assert reflection.status == "submitted" and reflection.submitted_at is not None


def test_tutor_queue_oldest_first_review_request_changes_and_diff(world, portfolio_page, client):
    older = make(world.learner_a, title="Older one")
    newer = make(world.learner_a, title="Newer one")
    services.submit(older, world.learner_a)
    services.submit(newer, world.learner_a)
    client.force_login(world.tutor)
    r = client.get("/portfolio/review/")
    assert r.status_code == 200
    content = r.content.decode()
    assert content.index("Older one") < content.index("Newer one")

    r = client.post(f"/portfolio/review/{older.pk}/request-changes/", {"changes-comment": ""})
    assert r.status_code == 400 and b"field-error" in r.content
    assert Reflection.objects.get(pk=older.pk).status == "submitted"
    r = client.post(
        f"/portfolio/review/{older.pk}/request-changes/",
        {"changes-comment": "Say more about referral routes."},
    )
    assert r.status_code == 302
    older.refresh_from_db()
    assert older.status == "changes_requested"

    client.force_login(world.learner_a)
    r = client.get(f"/portfolio/reflections/{older.pk}/")
    assert b"Say more about referral routes." in r.content and b"Revise" in r.content
    services.update_reflection(
        older,
        world.learner_a,
        {"sections": {"now_what": "<p>I will ask the GP about social prescribing.</p>"}},
        older.version,
    )
    services.submit(older, world.learner_a)

    client.force_login(world.tutor)
    r = client.get(f"/portfolio/review/{older.pk}/")
    assert r.status_code == 200
    assert b"What changed since you asked for changes" in r.content
    assert b"[added: </span>I will ask the GP about social prescribing." in r.content
    assert AuditEvent.objects.filter(actor=world.tutor, action="read", object_id=str(older.pk)).exists()


def test_sign_off_needs_confirmation_and_locks(world, portfolio_page, client):
    reflection = make(world.learner_a)
    services.submit(reflection, world.learner_a)
    client.force_login(world.tutor)
    r = client.get(f"/portfolio/review/{reflection.pk}/sign-off/")
    assert r.status_code == 200 and b"locked" in r.content
    r = client.post(f"/portfolio/review/{reflection.pk}/sign-off/", {"comment": "Great"})
    assert r.status_code == 400
    assert Reflection.objects.get(pk=reflection.pk).status == "submitted"
    r = client.post(f"/portfolio/review/{reflection.pk}/sign-off/", {"comment": "Great", "confirm": "on"})
    assert r.status_code == 302
    reflection.refresh_from_db()
    assert reflection.status == "signed_off" and reflection.signed_off_by == world.tutor
    assert ReviewEvent.objects.filter(reflection=reflection, action="signed_off").exists()
    # Locked for the learner too.
    client.force_login(world.learner_a)
    r = client.get(f"/portfolio/reflections/{reflection.pk}/edit/")
    assert r.status_code == 302
    r = client.post(
        f"/portfolio/reflections/{reflection.pk}/autosave/", {"title": "x", "version": reflection.version}
    )
    assert r.status_code in (400, 409)
    assert Reflection.objects.get(pk=reflection.pk).title == reflection.title


def test_list_filters_search_and_pagination(world, portfolio_page, client):
    make(
        world.learner_a,
        title="Refugee health charity drop-in",
        kind="third_sector",
        themes=["third_sector_lmic"],
    )
    make(world.learner_a, title="Mental health lived-experience workshop", kind="lived_experience")
    for i in range(21):
        ReflectionFactory(learner=world.learner_a, title=f"Filler {i}", kind="other")
    make(world.learner_b, title="Refugee housing (someone else's)")
    client.force_login(world.learner_a)
    r = client.get("/portfolio/reflections/?kind=lived_experience")
    assert b"Mental health lived-experience workshop" in r.content and b"Refugee" not in r.content
    r = client.get("/portfolio/reflections/?theme=third_sector_lmic")
    assert b"Refugee health charity" in r.content and b"Mental health" not in r.content
    r = client.get("/portfolio/reflections/?q=refugee")
    assert b"Refugee health charity drop-in" in r.content
    assert b"someone else" not in r.content
    r = client.get("/portfolio/reflections/?kind=other")
    assert b"Page 1 of 2" in r.content
    r = client.get("/portfolio/reflections/?kind=other&page=2")
    assert r.status_code == 200 and b"Page 2 of 2" in r.content


# --- scope: out of scope is 404 on every URL ----------------------------------------------
LEARNER_URLS = [
    ("get", "/portfolio/reflections/{pk}/"),
    ("get", "/portfolio/reflections/{pk}/edit/"),
    ("post", "/portfolio/reflections/{pk}/edit/"),
    ("post", "/portfolio/reflections/{pk}/autosave/"),
    ("get", "/portfolio/reflections/{pk}/submit/"),
    ("post", "/portfolio/reflections/{pk}/submit/"),
    ("post", "/portfolio/reflections/{pk}/comment/"),
]
TUTOR_URLS = [
    ("get", "/portfolio/review/{pk}/"),
    ("post", "/portfolio/review/{pk}/request-changes/"),
    ("get", "/portfolio/review/{pk}/sign-off/"),
    ("post", "/portfolio/review/{pk}/sign-off/"),
]


@pytest.mark.parametrize("who", ["learner_a", "tutor", "former", "examiner", "patient_rep", "dual"])
def test_other_learners_reflections_are_404_everywhere(world, portfolio_page, client, who):
    """learner_b's draft and submitted reflections: learner_a, tutor (allocated to A),
    former tutor (allocation ended), examiner (panel on A), patient rep see nothing;
    dual (tutor of B) sees nothing of B's draft."""
    draft = make(world.learner_b, title="B draft")
    submitted = make(world.learner_b, title="B submitted")
    services.submit(submitted, world.learner_b)
    client.force_login(getattr(world, who))
    targets = [draft] if who == "dual" else [draft, submitted]
    payload = {"changes-comment": "x", "confirm": "on", "comment": "x", "title": "Hijack", "version": 2}
    for method, url in LEARNER_URLS + TUTOR_URLS:
        for target in targets:
            r = getattr(client, method)(url.format(pk=target.pk), payload)
            assert r.status_code == 404, (who, url, target.title)
    assert Reflection.objects.get(pk=submitted.pk).status == "submitted"
    assert Reflection.objects.get(pk=draft.pk).title == "B draft"
    r = client.get("/portfolio/reflections/?q=B")
    assert b"B draft" not in r.content
    # The list shows what the policy shows: dual tutors B, so sees B's submitted reflection.
    assert (b"B submitted" in r.content) == (who == "dual")


def test_tutor_cannot_see_allocated_learners_draft_and_learner_list_is_own(world, portfolio_page, client):
    draft = make(world.learner_a, title="A draft")
    client.force_login(world.tutor)
    for url in ("/portfolio/reflections/{pk}/", "/portfolio/review/{pk}/"):
        assert client.get(url.format(pk=draft.pk)).status_code == 404
    assert b"A draft" not in client.get("/portfolio/review/").content
    assert b"A draft" not in client.get("/portfolio/reflections/?q=draft").content


def test_non_tutor_review_queue_and_non_learner_new_are_404(world, portfolio_page, client):
    client.force_login(world.learner_a)
    assert client.get("/portfolio/review/").status_code == 404
    client.force_login(world.tutor)
    assert client.get("/portfolio/reflections/new/").status_code == 404


def test_submitted_at_cannot_be_set_from_the_form(world, portfolio_page, client):
    client.force_login(world.learner_a)
    client.post(
        "/portfolio/reflections/new/",
        gibbs_post(submitted_at="2001-01-01T00:00:00Z", status="signed_off", version=99),
    )
    reflection = Reflection.objects.get(learner=world.learner_a)
    assert reflection.submitted_at is None and reflection.status == "draft" and reflection.version == 1


def test_switching_model_on_the_edit_form_keeps_text(world, portfolio_page, client):
    reflection = make(world.learner_a)
    client.force_login(world.learner_a)
    r = client.post(
        f"/portfolio/reflections/{reflection.pk}/edit/",
        {
            "title": reflection.title,
            "kind": reflection.kind,
            "occurred_on": reflection.occurred_on.isoformat(),
            "reflective_model": "gibbs",
            "section_what": "<p>Edited just before switching.</p>",
            "section_so_what": "<p>Poverty is close.</p>",
            "version": reflection.version,
        },
    )
    assert r.status_code == 302
    reflection.refresh_from_db()
    assert reflection.reflective_model == "gibbs"
    assert "Edited just before switching." in reflection.sections["description"]
    assert "Poverty is close." in reflection.sections["description"]
    page = client.get(f"/portfolio/reflections/{reflection.pk}/edit/")
    assert b"Action plan" in page.content and b"Edited just before switching." in page.content


def test_first_autosave_of_a_new_reflection_creates_the_draft(world, portfolio_page, client):
    client.force_login(world.learner_a)
    url = "/portfolio/reflections/new/autosave/"
    page = client.get("/portfolio/reflections/new/?model=gibbs").content.decode()
    assert f'data-autosave-url="{url}"' in page
    incomplete = {"reflective_model": "gibbs", "title": "", "section_description": "<p>So far</p>"}
    r = client.post(url, incomplete)
    assert r.status_code == 400 and "Not saved yet" in r.json()["detail"] and "title" in r.json()["errors"]
    assert not Reflection.objects.exists()
    r = client.post(url, {**gibbs_post(), "section_description": "<p>So far<script>x()</script></p>"})
    assert r.status_code == 201
    reflection = Reflection.objects.get(learner=world.learner_a)
    body = r.json()
    assert body["autosave_url"] == f"/portfolio/reflections/{reflection.pk}/autosave/"
    assert body["edit_url"] == f"/portfolio/reflections/{reflection.pk}/edit/"
    assert body["version"] == reflection.version and reflection.status == "draft"
    assert "<script>" not in reflection.body_html and "So far" in reflection.body_html
    assert client.post(url, {**gibbs_post(), "reflective_model": "nope"}).status_code == 400


def test_only_learners_autosave_new_reflections(world, portfolio_page, client):
    client.force_login(world.tutor)
    r = client.post("/portfolio/reflections/new/autosave/", gibbs_post())
    assert r.status_code == 404 and not Reflection.objects.exists()
    client.logout()
    r = client.post("/portfolio/reflections/new/autosave/", gibbs_post())
    assert r.status_code in (302, 401, 403) and not Reflection.objects.exists()
