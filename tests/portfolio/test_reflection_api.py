"""API /api/v1/reflections/: contract fields, filters, q, create/patch/submit, scope, audit,
constant query counts."""

import datetime

import pytest
from django.utils import timezone

from portfolio import services
from portfolio.models import Reflection
from reflect.models import AuditEvent
from tests.factories import LearnerFactory, PlacementFactory, ReflectionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/reflections/"
NHS = "401 023 2137"  # valid Modulus 11
FIELDS = {
    "id",
    "learner",
    "title",
    "kind",
    "setting",
    "placement",
    "occurred_on",
    "themes",
    "body_html",
    "status",
    "submitted_at",
    "version",
    "url",
    "attachments",  # contract v1.1
}


def new(learner, **kwargs):
    data = {
        "title": kwargs.pop("title", "Refugee health drop-in"),
        "kind": kwargs.pop("kind", "third_sector"),
        "occurred_on": kwargs.pop("occurred_on", timezone.localdate() - datetime.timedelta(days=4)),
        "body_html": kwargs.pop("body_html", "<p>Interpreters matter more than I thought.</p>"),
        **kwargs,
    }
    return services.create_reflection(learner, data)


def submitted(learner, **kwargs):
    r = new(learner, **kwargs)
    services.submit(r, learner)
    r.refresh_from_db()
    return r


def test_detail_fields_exactly_as_contract(world, portfolio_page, api):
    placement = PlacementFactory()
    r = new(
        world.learner_a, themes=["advocacy", "equity_power"], placement=placement.pk, setting="third_sector"
    )
    body = api(world.learner_a).get(f"{URL}{r.pk}/").json()
    assert set(body) == FIELDS
    assert body["learner"] == {"id": world.learner_a.pk, "display_name": world.learner_a.get_full_name()}
    assert sorted(body["themes"]) == ["advocacy", "equity_power"]
    assert body["placement"] == placement.pk and body["status"] == "draft" and body["version"] == 1
    assert body["url"] == f"/portfolio/reflections/{r.pk}/"
    assert body["submitted_at"] is None


def test_create_201_draft_and_validation(world, portfolio_page, api):
    client = api(world.learner_a)
    payload = {
        "title": "LMIC attachment: the district hospital pharmacy",
        "kind": "lmic_attachment",
        "occurred_on": "2026-01-10",
        "themes": ["third_sector_lmic"],
        "body_html": '<p onclick="x()">Stock-outs <script>alert(1)</script>'
        '<a href="javascript:alert(1)">x</a></p>',
        "status": "signed_off",
        "submitted_at": "2020-01-01T00:00:00Z",
        "learner": world.learner_b.pk,
    }
    r = client.post(URL, payload, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (
        body["status"] == "draft"
        and body["submitted_at"] is None
        and body["learner"]["id"] == world.learner_a.pk
    )
    assert "script" not in body["body_html"] and "onclick" not in body["body_html"]
    assert "javascript" not in body["body_html"] and "Stock-outs" in body["body_html"]

    r = client.post(URL, {**payload, "themes": ["not_a_theme"]}, format="json")
    assert r.status_code == 400 and "themes" in r.json()
    r = client.post(URL, {**payload, "kind": "holiday"}, format="json")
    assert r.status_code == 400 and "kind" in r.json()
    r = client.post(URL, {"title": "x"}, format="json")
    assert r.status_code == 400
    assert Reflection.objects.count() == 1


@pytest.mark.parametrize(
    "who,code", [("tutor", 403), ("examiner", 403), ("admin", 403), ("patient_rep", 403)]
)
def test_create_is_for_learners_only(world, portfolio_page, api, who, code):
    r = api(getattr(world, who)).post(
        URL, {"title": "x", "kind": "other", "occurred_on": "2026-01-01", "body_html": "y"}, format="json"
    )
    assert r.status_code == code
    assert not Reflection.objects.exists()


def test_anonymous_401(world, api):
    assert api().get(URL).status_code == 401


def test_patch_version_stale_not_editable_and_others(world, portfolio_page, api):
    r = new(world.learner_a)
    client = api(world.learner_a)
    resp = client.patch(f"{URL}{r.pk}/", {"title": "Renamed", "version": 1}, format="json")
    assert resp.status_code == 200 and resp.json()["version"] == 2 and resp.json()["title"] == "Renamed"
    resp = client.patch(f"{URL}{r.pk}/", {"title": "Stale", "version": 1}, format="json")
    assert resp.status_code == 409 and "detail" in resp.json()
    resp = client.patch(f"{URL}{r.pk}/", {"title": "No version"}, format="json")
    assert resp.status_code == 400
    resp = client.patch(
        f"{URL}{r.pk}/", {"submitted_at": "2020-01-01T00:00:00Z", "version": 2}, format="json"
    )
    assert resp.status_code == 200 and resp.json()["submitted_at"] is None
    assert client.put(f"{URL}{r.pk}/", {"title": "x"}, format="json").status_code == 405
    services.submit(r, world.learner_a)
    r.refresh_from_db()
    resp = client.patch(f"{URL}{r.pk}/", {"title": "Late", "version": r.version}, format="json")
    assert resp.status_code == 409
    # Someone else's: 404, even for the allocated tutor who can read it.
    for other in (world.learner_b, world.tutor, world.admin):
        resp = api(other).patch(f"{URL}{r.pk}/", {"title": "Hijack", "version": r.version}, format="json")
        assert resp.status_code in (404, 403), other
    assert api(world.tutor).patch(f"{URL}{r.pk}/", {"version": r.version}, format="json").status_code == 404
    assert Reflection.objects.get(pk=r.pk).title == "Renamed"


def test_submit_findings_and_confirm(
    world, portfolio_page, api, django_capture_on_commit_callbacks, mailoutbox
):
    client = api(world.learner_a)
    r = new(world.learner_a, body_html=f"<p>NHS no {NHS}; DOB 12/03/1950.</p>")
    resp = client.post(f"{URL}{r.pk}/submit/", {"confirm": True}, format="json")
    assert resp.status_code == 400
    body = resp.json()
    assert "detail" in body and {f["kind"] for f in body["findings"]} == {"nhs_number", "date_of_birth"}
    assert all(set(f) >= {"kind", "excerpt"} for f in body["findings"])
    assert Reflection.objects.get(pk=r.pk).status == "draft"

    r = Reflection.objects.get(pk=r.pk)
    client.patch(f"{URL}{r.pk}/", {"body_html": "<p>Seen at home; DOB 12/03/1950.</p>", "version": r.version})
    resp = client.post(f"{URL}{r.pk}/submit/", {}, format="json")
    assert resp.status_code == 400 and resp.json()["findings"][0]["kind"] == "date_of_birth"
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(f"{URL}{r.pk}/submit/", {"confirm": True}, format="json")
    assert resp.status_code == 200 and resp.json()["status"] == "submitted"
    assert resp.json()["submitted_at"]
    assert [m.to for m in mailoutbox] == [[world.tutor.email]]
    resp = client.post(f"{URL}{r.pk}/submit/", {"confirm": True}, format="json")
    assert resp.status_code == 409
    # Someone else's: 404.
    other = new(world.learner_b)
    assert client.post(f"{URL}{other.pk}/submit/", {}, format="json").status_code == 404


def test_scope_per_role_lists_and_details(world, portfolio_page, api):
    a_draft = new(world.learner_a, title="A draft")
    a_sub = submitted(world.learner_a, title="A submitted")
    b_draft = new(world.learner_b, title="B draft")
    b_sub = submitted(world.learner_b, title="B submitted")
    expect = {
        "learner_a": {a_draft, a_sub},
        "learner_b": {b_draft, b_sub},
        "tutor": {a_sub},
        "former": set(),
        "examiner": {a_sub},
        "dual": {a_sub, b_sub},
        "admin": {a_sub, b_sub},
    }
    everything = {a_draft, a_sub, b_draft, b_sub}
    for who, visible in expect.items():
        client = api(getattr(world, who))
        ids = {row["id"] for row in client.get(URL).json()["results"]}
        assert ids == {r.pk for r in visible}, who
        for r in everything:
            code = client.get(f"{URL}{r.pk}/").status_code
            assert code == (200 if r in visible else 404), (who, r.title)
        # q never reaches beyond scope.
        ids = {row["id"] for row in client.get(URL, {"q": "draft submitted"}).json()["results"]}
        assert ids <= {r.pk for r in visible}, who
    assert api(world.patient_rep).get(URL).status_code == 403
    assert api(world.patient_rep).get(f"{URL}{a_sub.pk}/").status_code == 403


def test_filters(world, portfolio_page, api):
    food = submitted(world.learner_a, title="Food bank session", kind="third_sector", themes=["advocacy"])
    hip = submitted(
        world.learner_a,
        title="Hip fracture follow-up at home",
        kind="community_placement",
        themes=["context"],
        occurred_on=timezone.localdate() - datetime.timedelta(days=40),
    )
    new(world.learner_a, title="Draft on food poverty", kind="third_sector")
    b = submitted(world.learner_b, title="Food and faith groups", kind="third_sector")
    client = api(world.admin)

    def ids(**params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(kind="third_sector") == {food.pk, b.pk}
    assert ids(theme="advocacy") == {food.pk}
    assert ids(status="submitted") == {food.pk, hip.pk, b.pk}
    assert ids(learner=world.learner_b.pk) == {b.pk}
    assert ids(cohort=world.cohort_a.pk) == {food.pk, hip.pk}
    assert ids(occurred_before=(timezone.localdate() - datetime.timedelta(days=30)).isoformat()) == {hip.pk}
    assert ids(occurred_after=(timezone.localdate() - datetime.timedelta(days=30)).isoformat()) == {
        food.pk,
        b.pk,
    }
    assert ids(q="food") == {food.pk, b.pk}
    assert ids(q="food", cohort=world.cohort_a.pk) == {food.pk}
    assert ids(q="fracture") == {hip.pk}
    assert client.get(URL, {"status": "nonsense"}).status_code == 400
    assert client.get(URL, {"occurred_after": "yesterday"}).status_code == 400


def test_reads_by_others_are_audited(world, portfolio_page, api):
    r = submitted(world.learner_a)
    before = AuditEvent.objects.filter(action="read").count()
    api(world.learner_a).get(URL)
    api(world.learner_a).get(f"{URL}{r.pk}/")
    assert AuditEvent.objects.filter(action="read").count() == before  # own reads are not recorded
    api(world.tutor).get(URL)
    api(world.examiner).get(f"{URL}{r.pk}/")
    # A list read is one row per learner with the ids in `detail`; a detail read names the object.
    reads = AuditEvent.objects.filter(action="read", via="api", learner=world.learner_a)
    readers = {e.actor.username for e in reads if e.object_id == str(r.pk) or r.pk in e.detail.get("ids", [])}
    assert readers == {"tutor", "examiner"}


@pytest.mark.parametrize("size", [10, 200])
def test_list_queries_constant(world, portfolio_page, api, django_assert_max_num_queries, size):
    from rubrics.models import Competency

    themes = list(Competency.objects.themes()[:3])
    learners = [world.learner_a, LearnerFactory(cohort=world.cohort_a)]
    for i in range(size):
        r = ReflectionFactory(learner=learners[i % 2], status="submitted", submitted_at=timezone.now())
        r.themes.set(themes)
    client = api(world.admin)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"page_size": size})
    assert response.status_code == 200 and len(response.json()["results"]) == size


def test_schema_describes_reflections(world, api):
    response = api(world.admin).get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/reflections/"])
    assert {"get", "patch"} <= set(paths["/api/v1/reflections/{id}/"])
    submit = paths["/api/v1/reflections/{id}/submit/"]["post"]
    components = schema["components"]["schemas"]
    assert "ReflectionSubmitRequest" in str(submit["requestBody"]) and "400" in submit["responses"]
    assert "confirm" in components["ReflectionSubmitRequest"]["properties"]
    assert "IdentifierFindingsError" in str(submit["responses"]["400"])
    assert set(components["Reflection"]["properties"]) == FIELDS
    assert set(components["IdentifierFindingsError"]["properties"]) == {"detail", "findings"}
    assert "version" in components["PatchedReflectionPatchRequest"]["properties"]
