"""The scope matrix: every role × every door × every relationship, generated from the
tables below. Zero leaks: an object outside the caller's scope is 404 at every door (lists
and searches simply omit it); 403 only where the ROLE may never use the door at all
(contract: patient representatives and the API; non-examiners and the panel screen; only
programme admins enter the Wagtail admin, whose refusal is a redirect).

Roles (a column each) and their relationship to learner A / learner B:

| role        | learner A    | learner B        |
|-------------|--------------|------------------|
| learner     | own          | other cohort     |
| tutor       | allocated    | not allocated    |
| former      | unrelated    | ended allocation |
| examiner    | panel        | other cohort     |
| examiner_b  | other cohort | panel            |
| admin       | all          | all              |
| patient_rep | none         | none             |
| dual        | panel        | allocated        |  (tutor of B and examiner of A)
| anonymous   | none         | none             |
| lay         | lay-panel    | other cohort     |  (lay representative on A's panel)
| ext         | other cohort | external-panel   |  (external assessor on B's panel)

A lay representative or external assessor reads the ARCP packs of their panel's learners
(view, download, verify) and nothing else: every other door is 404, as for a stranger.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from portfolio.site import portfolio_url

from .conftest import SEARCH_WORD

ROLES = (
    "learner",
    "tutor",
    "former",
    "examiner",
    "examiner_b",
    "admin",
    "patient_rep",
    "dual",
    "anonymous",
    "lay",
    "ext",
)
RELATION = {
    "learner": ("own", "other-cohort"),
    "tutor": ("allocated", "not-allocated"),
    "former": ("unrelated", "ended-allocation"),
    "examiner": ("panel", "other-cohort"),
    "examiner_b": ("other-cohort", "panel"),
    "admin": ("admin", "admin"),
    "patient_rep": ("none", "none"),
    "dual": ("panel", "allocated"),
    "anonymous": ("none", "none"),
    "lay": ("lay-panel", "other-cohort"),
    "ext": ("other-cohort", "external-panel"),
}

# Expected status per door (rows: the object of learner A, then of learner B; columns: ROLES).
# 302 for `anonymous` is the sign-in redirect; 302 in the admin rows is Wagtail refusing a
# role that may not enter the admin at all.
EXPECTED_TABLE = """
door                              side learner tutor former examiner examiner_b admin rep dual anon  lay  ext
site.reflection_detail:refl         a    200    200   404     200      404      200  404  200  302  404  404
site.reflection_detail:refl         b    404    404   404     404      200      200  404  200  302  404  404
site.reflection_detail:draft        a    200    404   404     404      404      404  404  404  302  404  404
site.reflection_detail:draft        b    404    404   404     404      404      404  404  404  302  404  404
site.reflection_edit:draft          a    200    404   404     404      404      404  404  404  302  404  404
site.reflection_edit:draft          b    404    404   404     404      404      404  404  404  302  404  404
site.reflection_review:refl         a    404    200   404     404      404      404  404  404  302  404  404
site.reflection_review:refl         b    404    404   404     404      404      404  404  200  302  404  404
site.reflection_sign_off:refl       a    404    200   404     404      404      404  404  404  302  404  404
site.reflection_sign_off:refl       b    404    404   404     404      404      404  404  200  302  404  404
site.marking_start:refl             a    404    200   404     404      404      404  404  404  302  404  404
site.marking_start:refl             b    404    404   404     404      404      404  404  200  302  404  404
site.marking_edit:draftassess       a    404    200   404     404      404      404  404  404  302  404  404
site.marking_edit:draftassess       b    404    404   404     404      404      404  404  200  302  404  404
site.marking_finalise:draftassess   a    404    200   404     404      404      404  404  404  302  404  404
site.marking_finalise:draftassess   b    404    404   404     404      404      404  404  200  302  404  404
site.marking_detail:assess          a    200    200   404     200      404      200  404  200  302  404  404
site.marking_detail:assess          b    404    404   404     404      200      200  404  200  302  404  404
site.marking_detail:draftassess     a    404    200   404     404      404      200  404  404  302  404  404
site.marking_detail:draftassess     b    404    404   404     404      404      200  404  200  302  404  404
site.marking_results:refl           a    200    200   404     200      404      200  404  200  302  404  404
site.marking_results:refl           b    404    404   404     404      200      200  404  200  302  404  404
site.feedback_list:learner          a    200    200   404     200      404      200  404  200  302  404  404
site.feedback_list:learner          b    404    404   404     404      200      200  404  200  302  404  404
site.arcp_panel_learner:learner     a    403    403   403     200      404      403  403  200  302  404  404
site.arcp_panel_learner:learner     b    403    403   403     404      200      403  403  404  302  404  404
site.arcp_export_download:export    a    200    200   404     200      404      200  404  200  302  200  404
site.arcp_export_download:export    b    404    404   404     404      200      200  404  200  302  404  200
site.attachment_file:attach         a    200    200   404     200      404      200  404  200  302  404  404
site.attachment_file:attach         b    404    404   404     404      200      200  404  200  302  404  404
site.attachment_file:draftattach    a    200    404   404     404      404      404  404  404  302  404  404
site.attachment_file:draftattach    b    404    404   404     404      404      404  404  404  302  404  404
site.attachment_remove:draftattach  a    200    404   404     404      404      404  404  404  302  404  404
site.attachment_remove:draftattach  b    404    404   404     404      404      404  404  404  302  404  404
site.attachment_remove:attach       a    302    404   404     404      404      404  404  404  302  404  404
site.attachment_remove:attach       b    404    404   404     404      404      404  404  404  302  404  404
admin.reflection_inspect:refl       a    302    302   302     302      302      200  302  302  302  302  302
admin.reflection_inspect:refl       b    302    302   302     302      302      200  302  302  302  302  302
admin.reflection_inspect:draft      a    302    302   302     302      302      404  302  302  302  302  302
admin.reflection_inspect:draft      b    302    302   302     302      302      404  302  302  302  302  302
admin.assessment_inspect:assess     a    302    302   302     302      302      200  302  302  302  302  302
admin.assessment_inspect:assess     b    302    302   302     302      302      200  302  302  302  302  302
admin.feedback_inspect:feedback     a    302    302   302     302      302      200  302  302  302  302  302
admin.feedback_inspect:feedback     b    302    302   302     302      302      200  302  302  302  302  302
api.learner:learner                 a    200    200   404     200      404      200  403  200  401  404  404
api.learner:learner                 b    404    404   404     404      200      200  403  200  401  404  404
api.reflection:refl                 a    200    200   404     200      404      200  403  200  401  404  404
api.reflection:refl                 b    404    404   404     404      200      200  403  200  401  404  404
api.reflection:draft                a    200    404   404     404      404      404  403  404  401  404  404
api.reflection:draft                b    404    404   404     404      404      404  403  404  401  404  404
api.attachment_file:attach          a    200    200   404     200      404      200  403  200  401  404  404
api.attachment_file:attach          b    404    404   404     404      200      200  403  200  401  404  404
api.attachment_file:draftattach     a    200    404   404     404      404      404  403  404  401  404  404
api.attachment_file:draftattach     b    404    404   404     404      404      404  403  404  401  404  404
api.assessment:assess               a    200    200   404     200      404      200  403  200  401  404  404
api.assessment:assess               b    404    404   404     404      200      200  403  200  401  404  404
api.assessment:draftassess          a    404    200   404     404      404      200  403  404  401  404  404
api.assessment:draftassess          b    404    404   404     404      404      200  403  200  401  404  404
api.feedback:feedback               a    200    200   404     200      404      200  403  200  401  404  404
api.feedback:feedback               b    404    404   404     404      200      200  403  200  401  404  404
api.export:export                   a    200    200   404     200      404      200  403  200  401  200  404
api.export:export                   b    404    404   404     404      200      200  403  200  401  404  200
api.review:review                   a    200    200   404     200      404      200  403  200  401  404  404
api.review:review                   b    404    404   404     404      200      200  403  200  401  404  404
site.esr_detail:esrdraft            a    404    200   404     404      404      200  404  404  302  404  404
site.esr_detail:esrdraft            b    404    404   404     404      404      200  404  200  302  404  404
site.esr_detail:esrshared           a    200    200   404     404      404      200  404  404  302  404  404
site.esr_detail:esrshared           b    404    404   404     404      404      200  404  200  302  404  404
site.esr_detail:esrsigned           a    200    200   404     200      404      200  404  200  302  404  404
site.esr_detail:esrsigned           b    404    404   404     404      200      200  404  200  302  404  404
api.esr:esrdraft                    a    404    200   404     404      404      200  403  404  401  404  404
api.esr:esrdraft                    b    404    404   404     404      404      200  403  200  401  404  404
api.esr:esrshared                   a    200    200   404     404      404      200  403  404  401  404  404
api.esr:esrshared                   b    404    404   404     404      404      200  403  200  401  404  404
api.esr:esrsigned                   a    200    200   404     200      404      200  403  200  401  404  404
api.esr:esrsigned                   b    404    404   404     404      200      200  403  200  401  404  404
api.arcp_pdf:learner                a    200    200   404     200      404      200  403  200  401  404  404
api.arcp_pdf:learner                b    404    404   404     404      200      200  403  200  401  404  404
"""


def parse_table(text: str) -> dict[tuple[str, str, str], int]:
    lines = [line.split() for line in text.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert header[2:] == [
        "learner",
        "tutor",
        "former",
        "examiner",
        "examiner_b",
        "admin",
        "rep",
        "dual",
        "anon",
        "lay",
        "ext",
    ]
    expected = {}
    for row in rows:
        door, side, codes = row[0], row[1], row[2:]
        assert len(codes) == len(ROLES), row
        for role, code in zip(ROLES, codes, strict=True):
            expected[(door, side, role)] = int(code)
    return expected


EXPECTED = parse_table(EXPECTED_TABLE)

SITE_URLS = {
    "site.reflection_detail": "reflection_detail",
    "site.reflection_edit": "reflection_edit",
    "site.reflection_review": "reflection_review",
    "site.reflection_sign_off": "reflection_sign_off",
    "site.marking_start": "marking_start",
    "site.marking_edit": "marking_edit",
    "site.marking_finalise": "marking_finalise",
    "site.marking_detail": "marking_detail",
    "site.marking_results": "marking_results",
    "site.arcp_panel_learner": "arcp_panel_learner",
    "site.arcp_export_download": "arcp_export_download",
    "site.esr_detail": "arcp_esr_detail",
}
# Doors that name a reflection and one of its attachments (reflection id, attachment id).
ATTACHMENT_URLS = {
    "site.attachment_file": "attachment_file",
    "site.attachment_remove": "attachment_remove",
    "api.attachment_file": "/api/v1/reflections/{reflection}/attachments/{pk}/file/",
}
ADMIN_URLS = {
    "admin.reflection_inspect": "portfolio_reflections:inspect",
    "admin.assessment_inspect": "assessments_marking:inspect",
    "admin.feedback_inspect": "feedback_responses:inspect",
}
API_URLS = {
    "api.learner": "/api/v1/learners/{pk}/",
    "api.reflection": "/api/v1/reflections/{pk}/",
    "api.assessment": "/api/v1/assessments/{pk}/",
    "api.feedback": "/api/v1/feedback/{pk}/",
    "api.export": "/api/v1/exports/{pk}/",
    "api.review": "/api/v1/arcp-reviews/{pk}/",
    "api.esr": "/api/v1/supervisor-reports/{pk}/",
    "api.arcp_pdf": "/api/v1/learners/{pk}/arcp.pdf?from=2020-01-01&to={today}",
}


def site_client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def door_url(door: str, obj) -> str:
    from django.utils import timezone

    if door in SITE_URLS:
        return portfolio_url(SITE_URLS[door], obj.pk)
    if door in ATTACHMENT_URLS:
        if door.startswith("api."):
            return ATTACHMENT_URLS[door].format(reflection=obj.reflection_id, pk=obj.pk)
        return portfolio_url(ATTACHMENT_URLS[door], obj.reflection_id, obj.pk)
    if door == "site.feedback_list":
        return portfolio_url("feedback_list") + f"?learner={obj.pk}"
    if door in ADMIN_URLS:
        return reverse(ADMIN_URLS[door], args=[obj.pk])
    return API_URLS[door].format(pk=obj.pk, today=timezone.localdate().isoformat())


def get(door: str, user, url: str):
    if door.startswith("api."):
        return api_client(user).get(url)
    return site_client(user).get(url)


CASES = sorted(EXPECTED)


@pytest.mark.parametrize(
    ("door_obj", "side", "role"),
    CASES,
    ids=[f"{d}-{s}-{role}-{RELATION[role][0 if s == 'a' else 1]}" for d, s, role in CASES],
)
def test_door(scene, db, door_obj, side, role):
    door, kind = door_obj.split(":")
    obj = scene.obj(kind, side)
    url = door_url(door, obj)
    expected = EXPECTED[(door_obj, side, role)]
    response = get(door, scene.users[role], url)
    assert response.status_code == expected, (
        f"{role} ({RELATION[role][0 if side == 'a' else 1]}) at {url}: "
        f"{response.status_code}, expected {expected}"
    )
    if door.startswith("api.") and expected != 200:
        assert response["Content-Type"].startswith("application/json"), "API errors are JSON"
    if expected == 302 and role == "anonymous" and not door.startswith("admin."):
        assert "/accounts/login/" in response["Location"]
    if expected == 200 and door == "api.arcp_pdf":
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


# --- Lists and searches: they contain exactly what the detail doors show --------------------
LISTS = {
    "/api/v1/learners/": ("api.learner:learner",),
    "/api/v1/reflections/": ("api.reflection:refl", "api.reflection:draft"),
    "/api/v1/assessments/": ("api.assessment:assess", "api.assessment:draftassess"),
    "/api/v1/feedback/": ("api.feedback:feedback",),
    "/api/v1/arcp-reviews/": ("api.review:review",),
    "/api/v1/supervisor-reports/": ("api.esr:esrdraft", "api.esr:esrshared", "api.esr:esrsigned"),
    f"/api/v1/reflections/?q={SEARCH_WORD}": ("api.reflection:refl", "api.reflection:draft"),
}


def _expected_members(scene, doors, role) -> tuple[set[int], set[int]]:
    """(ids that must be listed, ids that must not be) among the scene's objects."""
    inside, outside = set(), set()
    for door_obj in doors:
        kind = door_obj.split(":")[1]
        for side in ("a", "b"):
            pk = scene.obj(kind, side).pk
            (inside if EXPECTED[(door_obj, side, role)] == 200 else outside).add(pk)
    return inside, outside


@pytest.mark.parametrize("url", list(LISTS))
@pytest.mark.parametrize("role", ROLES)
def test_api_list(scene, db, url, role):
    joiner = "&" if "?" in url else "?"
    response = api_client(scene.users[role]).get(f"{url}{joiner}page_size=200")
    if role == "anonymous":
        assert response.status_code == 401
        return
    if role == "patient_rep":
        assert response.status_code == 403
        return
    assert response.status_code == 200, response.content[:300]
    listed = {row["id"] for row in response.json()["results"]}
    inside, outside = _expected_members(scene, LISTS[url], role)
    assert inside <= listed, f"{role} misses {inside - listed} at {url}"
    assert not (outside & listed), f"LEAK: {role} sees {outside & listed} at {url}"


@pytest.mark.parametrize("role", ROLES)
def test_site_search_lists_what_the_detail_pages_show(scene, db, role):
    """The site's reflection list with `q` lists exactly the reflections whose page the
    caller may open (their own, drafts too; others' submitted ones in their scope)."""
    response = site_client(scene.users[role]).get(portfolio_url("reflection_list") + f"?q={SEARCH_WORD}")
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    html = response.content.decode()
    for side in ("a", "b"):
        for kind in ("refl", "draft"):
            title = scene.obj(kind, side).title
            expected = EXPECTED[(f"site.reflection_detail:{kind}", side, role)] == 200
            assert (title in html) == expected, f"{role}: {title!r} listed={title in html}"


@pytest.mark.parametrize("role", ROLES)
def test_admin_search(scene, db, role):
    url = reverse("portfolio_reflections:index") + f"?q={SEARCH_WORD}"
    response = site_client(scene.users[role]).get(url)
    if role != "admin":
        assert response.status_code == 302
        return
    html = response.content.decode()
    for side in ("a", "b"):
        assert scene.obj("refl", side).title in html
        assert scene.obj("draft", side).title not in html, "drafts are the learner's alone"


@pytest.mark.parametrize("side", ["a", "b"])
@pytest.mark.parametrize("role", ROLES)
def test_verify(scene, db, role, side):
    """Verifying a copy of a pack outside scope answers exactly like a forged copy."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("pack.pdf", scene.pdf_bytes[side], content_type="application/pdf")
    response = api_client(scene.users[role]).post(
        "/api/v1/exports/verify/", {"file": upload}, format="multipart"
    )
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200
    visible = EXPECTED[("api.export:export", side, role)] == 200
    export = scene.obj("export", side)
    body = response.json()
    assert body == {"valid": visible, "export_id": str(export.pk) if visible else None}


@pytest.mark.parametrize("role", ROLES)
def test_my_pack_lists_only_own(scene, db, role):
    response = site_client(scene.users[role]).get(portfolio_url("arcp_my_pack"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    if role != "learner":
        assert response.status_code == 404
        return
    html = response.content.decode()
    assert str(scene.obj("export", "a").pk)[:8] in html or response.status_code == 200
    assert str(scene.obj("export", "b").pk) not in html


@pytest.mark.parametrize("role", ROLES)
def test_feedback_links_are_the_only_scope_of_a_link(scene, db, role):
    """A link opens for whoever holds it (no sign-in), shows the learner's first name only;
    a made-up token is 404 for everybody, on the page and in the API."""
    client = site_client(scene.users[role])
    learner = scene.obj("learner", "a")
    page = client.get(f"/feedback/{scene.tokens['a']}/")
    assert page.status_code == 200
    # Below the site header ("Signed in as <reader>", whose random factory name may share the
    # learner's surname): the page itself never shows the learner's last name.
    assert learner.last_name not in page.content.decode().split("</header>", 1)[1]
    assert client.get("/feedback/not-a-real-token-0000000000000000/").status_code == 404
    api = api_client(scene.users[role])
    assert api.get(f"/api/v1/feedback/respond/{scene.tokens['a']}/").status_code == 200
    assert api.get("/api/v1/feedback/respond/not-a-real-token-0000000000000000/").status_code == 404


def test_table_covers_every_role_door_and_side():
    doors = {key[0] for key in EXPECTED}
    assert len(EXPECTED) == len(doors) * 2 * len(ROLES)
    # Every object-bearing site screen and every API detail is in the table.
    assert {d.split(":")[0] for d in doors} >= set(SITE_URLS) | set(ADMIN_URLS) | set(API_URLS) | set(
        ATTACHMENT_URLS
    )
