"""The object-level matrix: for each kind of object and each person of the scene, every door
that lists objects of that kind shows exactly the set the kind's policy says that person may
see, and nothing else (an open blind second marking and withdrawn feedback included):

- the site's list (reflections list, a reflection's marks page, the feedback list),
- the API list (`?page_size=200`),
- search (the site's and the API's `q`),
- the ARCP pack (the evidence snapshot the pack is printed from, and the PDF's text for the
  blind pair),
- the Wagtail admin's list (programme admins only).

And every button the site shows on an object's page is an action the policy (so the
service) allows that person now; opening it answers 200.

The expected sets are the policies' (`reflect.policies`), and `test_scope_matrix.py`'s
hand-written table pins the policies themselves, door by door.
"""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from arcp import evidence, services
from arcp.policies import exports as export_policy
from assessments.policies import assessments as assessment_policy
from feedback.policies import feedback as feedback_policy
from portfolio.policies import attachments as attachment_policy
from portfolio.policies import reflections as reflection_policy
from portfolio.routing import site_urlconf
from portfolio.site import portfolio_root, portfolio_url
from reflect import policies

from .conftest import BLIND_WORD, SEARCH_WORD

PEOPLE = (
    "learner",
    "learner_b",
    "tutor",
    "former",
    "examiner",
    "examiner_b",
    "admin",
    "patient_rep",
    "dual",
    "second",
    "lay",
    "ext",
)
REFLECTIONS = ("draft", "refl", "refl2")
ASSESSMENTS = ("assess", "draftassess")
FEEDBACK = ("feedback",)
ATTACHMENTS = ("attach", "draftattach")


def scene_objects(scene, kinds, sides=("a", "b")) -> list:
    found = [scene.objects[f"{kind}_{side}"] for kind in kinds for side in sides]
    if "refl" in kinds:
        found.append(scene.objects["blind_a"])
    if "assess" in kinds:
        found += [scene.objects["blindfirst_a"], scene.objects["blindsecond_a"]]
    if "feedback" in kinds:
        found.append(scene.objects["withdrawn_a"])
    return found


def expected(policy, user, objects) -> set:
    if user is None:
        return set()
    visible = set(policy.visible(user).filter(pk__in=[o.pk for o in objects]).values_list("pk", flat=True))
    return visible


def site(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ids_in_api_list(user, url) -> set | None:
    response = api(user).get(url + ("&" if "?" in url else "?") + "page_size=200")
    if response.status_code == 403:
        return None
    assert response.status_code == 200, response.content[:200]
    return {row["id"] for row in response.json()["results"]}


# --- Reflections ---------------------------------------------------------------------------
@pytest.mark.parametrize("who", PEOPLE)
def test_reflections_every_door_shows_the_policy_set(scene, db, who):
    user = scene.users[who]
    objects = scene_objects(scene, REFLECTIONS)
    want = expected(reflection_policy, user, objects)
    by_title = {o.title: o.pk for o in objects}

    html = site(user).get(portfolio_url("reflection_list")).content.decode()
    shown = {pk for title, pk in by_title.items() if title in html}
    assert shown == want, f"site list of {who}"

    listed = ids_in_api_list(user, "/api/v1/reflections/")
    if listed is None:
        assert who == "patient_rep"
    else:
        assert listed & set(by_title.values()) == want, f"API list of {who}"

    matching = {o.pk for o in objects if SEARCH_WORD in o.title}
    html = site(user).get(portfolio_url("reflection_list") + f"?q={SEARCH_WORD}").content.decode()
    assert {pk for title, pk in by_title.items() if title in html} == want & matching, f"site search {who}"
    listed = ids_in_api_list(user, f"/api/v1/reflections/?q={SEARCH_WORD}")
    if listed is not None:
        assert listed & set(by_title.values()) == want & matching, f"API search of {who}"


@pytest.mark.parametrize("who", PEOPLE)
def test_assessments_every_door_shows_the_policy_set(scene, db, who):
    user = scene.users[who]
    objects = scene_objects(scene, ASSESSMENTS)
    want = expected(assessment_policy, user, objects)

    listed = ids_in_api_list(user, "/api/v1/assessments/")
    if listed is None:
        assert who == "patient_rep"
    else:
        assert listed & {o.pk for o in objects} == want, f"API list of {who}"

    # The site: each reflection's marks page shows its finalised marks the person may read,
    # and a marker's own page ("Marking") lists their own, drafts too.
    finalised = {o.pk for o in objects if o.is_finalised}
    mine = {o.pk for o in objects if o.assessor_id == user.pk}
    shown = set()
    for reflection in {o.reflection for o in objects}:
        response = site(user).get(portfolio_url("marking_results", reflection.pk))
        if response.status_code == 200:
            html = response.content.decode()
            shown |= {int(pk) for pk in re.findall(r'id="assessment-(\d+)-heading"', html)}
    response = site(user).get(portfolio_url("marking_home"))
    if response.status_code == 200:
        root = re.escape(portfolio_root().rstrip("/"))
        shown |= {int(pk) for pk in re.findall(root + r"/marking/(\d+)/", response.content.decode())}
    assert shown & {o.pk for o in objects} == want & (finalised | mine), f"marks pages of {who}"
    # ... and the page of every one of them opens exactly when the policy says so.
    for obj in objects:
        code = site(user).get(portfolio_url("marking_detail", obj.pk)).status_code
        assert (code == 200) == (obj.pk in want), f"{who} opens assessment {obj.pk}: {code}"


@pytest.mark.parametrize("who", PEOPLE)
def test_feedback_every_door_shows_the_policy_set(scene, db, who):
    user = scene.users[who]
    objects = scene_objects(scene, FEEDBACK)
    want = expected(feedback_policy, user, objects)
    listed = ids_in_api_list(user, "/api/v1/feedback/")
    if listed is None:
        assert who == "patient_rep"
    else:
        assert listed & {o.pk for o in objects} == want, f"API list of {who}"
    response = site(user).get(portfolio_url("feedback_list"))
    if response.status_code == 404:
        assert not want
    else:
        html = response.content.decode()
        assert (BLIND_WORD in html) == (scene.objects["withdrawn_a"].pk in want), f"withdrawn, {who}"


@pytest.mark.parametrize("who", PEOPLE)
def test_attachments_every_door_shows_the_policy_set(scene, db, who):
    """A reflection's page and the API's reflections show exactly the attachments the policy
    lets this person see, and each file opens exactly then."""
    user = scene.users[who]
    objects = scene_objects(scene, ATTACHMENTS)
    want = expected(attachment_policy, user, objects)
    shown, opened = set(), set()
    client = site(user)
    for obj in objects:
        response = client.get(portfolio_url("reflection_detail", obj.reflection_id))
        file_url = portfolio_url("attachment_file", obj.reflection_id, obj.pk)
        if response.status_code == 200 and file_url in response.content.decode():
            shown.add(obj.pk)
        if client.get(file_url).status_code == 200:
            opened.add(obj.pk)
    assert shown == want, f"reflection pages of {who}"
    assert opened == want, f"files opened by {who}"
    response = api(user).get("/api/v1/reflections/?page_size=200")
    if response.status_code == 403:
        assert who == "patient_rep"
        return
    listed = {a["id"] for row in response.json()["results"] for a in row["attachments"]}
    assert listed & {o.pk for o in objects} == want, f"API list of {who}"


@pytest.mark.parametrize("who", PEOPLE)
def test_recorded_packs_every_door_shows_the_policy_set(scene, db, who):
    """A recorded pack downloads (site) and opens (API) exactly when the policy says so, and
    the panel page lists exactly the packs of its reader's panels (lay and external members
    included: the packs are all they read)."""
    user = scene.users[who]
    objects = [scene.obj("export", side) for side in ("a", "b")]
    want = expected(export_policy, user, objects)
    client = site(user)
    opened = {
        o.pk for o in objects if client.get(portfolio_url("arcp_export_download", o.pk)).status_code == 200
    }
    assert opened == want, f"site downloads of {who}"
    read = {o.pk for o in objects if api(user).get(f"/api/v1/exports/{o.pk}/").status_code == 200}
    assert read == want, f"API reads of {who}"
    response = client.get(portfolio_url("arcp_panel"))
    if response.status_code != 200:
        return
    html = response.content.decode()
    listed = {o.pk for o in objects if portfolio_url("arcp_export_download", o.pk) in html}
    assert listed <= want, f"panel page of {who}"
    if who in ("examiner", "examiner_b", "lay", "ext"):  # panel members only: all they read
        assert listed == want, f"panel page of {who}"


# --- The ARCP pack ---------------------------------------------------------------------------
@pytest.mark.parametrize("side", ["a", "b"])
@pytest.mark.parametrize("who", PEOPLE)
def test_the_pack_holds_exactly_what_its_reader_may_see(scene, db, who, side):
    user = scene.users[who]
    learner = scene.obj("learner", side)
    if not export_policy.can(user, "add", learner):
        with pytest.raises((policies.NotFound, policies.PermissionDenied)):
            services.build_pack(learner, timezone.localdate().replace(year=2020), timezone.localdate(), user)
        return
    today = timezone.localdate()
    snapshot = evidence.gather(learner, today.replace(year=2020), today, viewer=user)
    in_pack_reflections = {r.reflection.pk for r in snapshot.reflections}
    in_pack_assessments = {a.assessment.pk for r in snapshot.reflections for a in r.assessments}
    in_pack_feedback = {f.feedback.pk for f in snapshot.all_feedback}

    reflections = [o for o in scene_objects(scene, REFLECTIONS) if o.learner_id == learner.pk]
    assert in_pack_reflections == expected(reflection_policy, user, reflections) - {
        o.pk for o in reflections if o.status == "draft"
    }
    assessments = [o for o in scene_objects(scene, ASSESSMENTS) if o.reflection.learner_id == learner.pk]
    assert in_pack_assessments == expected(assessment_policy, user, assessments) & {
        o.pk for o in assessments if o.is_finalised
    }
    in_pack_attachments = {a.pk for r in snapshot.reflections for a in r.attachments}
    attachments = [o for o in scene_objects(scene, ATTACHMENTS) if o.reflection.learner_id == learner.pk]
    assert in_pack_attachments == expected(attachment_policy, user, attachments) - {
        o.pk for o in attachments if o.reflection.status == "draft"
    }
    feedback = [o for o in scene_objects(scene, FEEDBACK) if o.learner_id == learner.pk]
    assert in_pack_feedback == expected(feedback_policy, user, feedback) - {
        o.pk for o in feedback if o.withdrawn_at is not None
    }


@pytest.mark.parametrize("who", ["tutor", "learner", "examiner", "admin"])
def test_the_open_blind_pair_never_reaches_the_first_marker_through_the_pdf(scene, db, who):
    """The leak issue 12 found: the first marker's pack printed the second marker's marks."""
    user = scene.users[who]
    learner = scene.obj("learner", "a")
    today = timezone.localdate()
    export = services.build_pack(learner, today.replace(year=2020), today, user, via="test")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(services.read_pack(export))).pages)
    second = scene.objects["blindsecond_a"]
    assert (BLIND_WORD in text) == assessment_policy.is_visible(user, second)
    assert (BLIND_WORD in text) == (who == "admin")


# --- The Wagtail admin -------------------------------------------------------------------------
ADMIN_LISTS = {
    "portfolio_reflections:index": (reflection_policy, REFLECTIONS),
    "assessments_marking:index": (assessment_policy, ASSESSMENTS),
    "feedback_responses:index": (feedback_policy, FEEDBACK),
}


@pytest.mark.parametrize("name", list(ADMIN_LISTS))
def test_admin_lists_show_the_policy_set(scene, db, name):
    policy, kinds = ADMIN_LISTS[name]
    user = scene.users["admin"]
    objects = scene_objects(scene, kinds)
    html = site(user).get(reverse(name)).content.decode()
    prefix = reverse(name).rstrip("/")
    shown = {int(pk) for pk in re.findall(re.escape(prefix) + r"/inspect/(\d+)/", html)}
    assert shown & {o.pk for o in objects} == expected(policy, user, objects)
    for who in ("learner", "tutor", "examiner", "dual"):
        assert site(scene.users[who]).get(reverse(name)).status_code == 302  # not an admin


# --- Buttons -------------------------------------------------------------------------------
# Screens that change something, by URL name: (policy, action, which object the URL names).
ACTIONS = {
    "reflection_edit": ("portfolio.reflections", "change"),
    "reflection_submit": ("portfolio.reflections", "submit"),
    "reflection_comment": ("portfolio.reflections", "comment"),
    "reflection_review": ("portfolio.reflections", "review"),
    "reflection_request_changes": ("portfolio.reflections", "request_changes"),
    "reflection_sign_off": ("portfolio.reflections", "sign_off"),
    "marking_start": ("assessments.assessments", "add"),
    "marking_edit": ("assessments.assessments", "change"),
    "marking_finalise": ("assessments.assessments", "finalise"),
    "marking_supersede": ("assessments.assessments", "supersede"),
    "reflection_attachments": ("portfolio.attachments", "add"),  # names the reflection
    "attachment_remove": ("portfolio.attachments", "delete"),  # names the attachment (aid)
}
MODEL_OF = {"reflection": "portfolio.reflections", "assessment": "assessments.assessments"}


def _action_targets(html: str) -> list[tuple[str, int, str]]:
    """(URL name, pk, URL) of every link and form action under the portfolio page."""
    root = portfolio_root().rstrip("/")
    found = []
    for url in re.findall(r'(?:href|action)="([^"]+)"', html):
        if not url.startswith(root + "/"):
            continue
        try:
            match = resolve(url[len(root) :], urlconf=site_urlconf())
        except Resolver404:
            continue
        if match.url_name in ACTIONS and "pk" in match.kwargs:
            found.append((match.url_name, int(match.kwargs.get("aid", match.kwargs["pk"])), url))
    return found


def _target(name: str, pk: int):
    policy = policies.named(ACTIONS[name][0])
    if name in ("marking_start", "reflection_attachments"):  # names the reflection
        return policies.named("portfolio.reflections").model.objects.get(pk=pk)
    return policy.model.objects.get(pk=pk)


@pytest.mark.parametrize("who", PEOPLE)
def test_every_button_shown_is_an_action_the_policy_allows(scene, db, who):
    user = scene.users[who]
    pages = []
    for obj in scene_objects(scene, REFLECTIONS):
        pages += [portfolio_url("reflection_detail", obj.pk), portfolio_url("reflection_review", obj.pk)]
        pages.append(portfolio_url("reflection_edit", obj.pk))
    for obj in scene_objects(scene, ASSESSMENTS):
        pages.append(portfolio_url("marking_detail", obj.pk))
    pages += [portfolio_url("marking_home"), portfolio_url("review_queue"), portfolio_url("dashboard")]
    client = site(user)
    checked = 0
    for page in pages:
        response = client.get(page)
        if response.status_code != 200:
            continue
        for name, pk, url in _action_targets(response.content.decode()):
            policy_name, action = ACTIONS[name]
            target = _target(name, pk)
            allowed = policies.named(policy_name).can(user, action, target)
            assert allowed, f"{who} is offered {name} {pk} on {page}"
            if name not in ("reflection_comment", "reflection_request_changes"):  # POST-only
                opened = client.get(url)
                assert opened.status_code in (200, 302), f"{who}: {name} {pk} answers {opened.status_code}"
            checked += 1
    if who in ("learner", "tutor"):
        assert checked, f"{who} was offered no action at all: the test would prove nothing"
