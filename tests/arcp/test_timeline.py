"""One learner's portfolio on screen (issue 15): the timeline of reflections, markings,
patient feedback and outcomes, the learner search, and the cohort theme-coverage heatmap.
Scope comes from the apps' policies; every read by someone else is audited."""

import datetime
import re

import pytest
from django.utils import timezone

from arcp.timeline import cohort_coverage
from assessments.models import Assessment, ModerationRequest
from portfolio.site import portfolio_url
from reflect.models import AuditEvent
from tests.factories import (
    ArcpReviewFactory,
    LearnerFactory,
    arcp_feedback,
    arcp_finalised_assessment,
    arcp_reflection,
    make_published_rubric,
)
from tests.factories.portfolio import AllocationFactory

DAY = datetime.timedelta(days=1)


def _ago(n):
    return timezone.localdate() - n * DAY


def timeline(learner, **params):
    url = portfolio_url("arcp_timeline", learner.pk)
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


@pytest.fixture
def portfolio(world, portfolio_page):
    """learner_a: two submitted reflections (one marked), a draft, feedback (one withdrawn)
    and an outcome; learner_b: one submitted reflection."""
    w = world
    w.r_old = arcp_reflection(
        w.learner_a, _ago(40), themes=("community_engagement",), title="Night shelter outreach"
    )
    w.r_new = arcp_reflection(
        w.learner_a,
        _ago(10),
        themes=("community_working",),
        status="signed_off",
        title="Food bank with the GP",
    )
    w.draft = arcp_reflection(w.learner_a, _ago(5), status="draft", title="Secret draft")
    w.rubric = make_published_rubric(criteria=2, levels=3, title="Community rubric")
    w.marking = arcp_finalised_assessment(w.r_old, w.rubric, w.tutor, finalised_at=timezone.now() - 30 * DAY)
    w.fb = arcp_feedback(w.learner_a, _ago(20), context_title="Lived-experience session")
    w.fb_gone = arcp_feedback(w.learner_a, _ago(15), context_title="Given in error", withdrawn=True)
    w.outcome = ArcpReviewFactory(export__learner=w.learner_a, outcome="1")
    w.r_b = arcp_reflection(w.learner_b, _ago(12), themes=("community_engagement",), title="Cohort B housing")
    return w


def test_tutor_reads_their_learners_timeline_newest_first(portfolio, client):
    w = portfolio
    client.force_login(w.tutor)
    response = client.get(timeline(w.learner_a))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Night shelter outreach",
        "Food bank with the GP",
        "Lived-experience session",
        "Community rubric",
    ):
        assert text in page
    assert "Secret draft" not in page  # drafts are never shown to others
    assert "Given in error" not in page  # withdrawn feedback: admins only
    assert "Cohort B housing" not in page
    assert portfolio_url("marking_detail", w.marking.pk) in page
    assert portfolio_url("reflection_detail", w.r_old.pk) in page
    assert "Total 4 of 4" in page and "× 2" in page  # the total and the levels reached
    # Newest first: outcome (today), r_new (10 days), feedback (20), marking (30), r_old (40).
    order = [
        page.index(t) for t in ("ARCP outcome", "Food bank", "Lived-experience", "Marking ·", "Night shelter")
    ]
    assert order == sorted(order)


@pytest.mark.parametrize(
    ("who", "sees_a", "sees_b"),
    [("tutor", True, False), ("examiner", True, False), ("dual", True, True), ("admin", True, True)],
)
def test_each_supervisor_sees_only_their_learners(portfolio, client, who, sees_a, sees_b):
    client.force_login(getattr(portfolio, who))
    assert client.get(timeline(portfolio.learner_a)).status_code == (200 if sees_a else 404)
    assert client.get(timeline(portfolio.learner_b)).status_code == (200 if sees_b else 404)


@pytest.mark.parametrize("who", ["former", "learner_a", "patient_rep"])
def test_others_have_no_timelines(portfolio, client, who):
    client.force_login(getattr(portfolio, who))
    assert client.get(timeline(portfolio.learner_a)).status_code in (403, 404)
    assert client.get(timeline(portfolio.learner_b)).status_code in (403, 404)


def test_former_tutor_gets_404_and_unknown_ids_are_404(portfolio, client):
    client.force_login(portfolio.former)  # a tutor with an ended allocation: nobody in scope
    assert client.get(timeline(portfolio.learner_b)).status_code == 404
    client.force_login(portfolio.admin)
    assert client.get(portfolio_url("arcp_timeline", 999999)).status_code == 404
    assert client.get(timeline(portfolio.tutor)).status_code == 404  # not a learner
    assert client.get(portfolio_url("arcp_timeline", 2**70)).status_code == 404


def test_anonymous_is_sent_to_sign_in(portfolio, client):
    response = client.get(timeline(portfolio.learner_a))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_blind_second_marking_is_hidden_from_the_first_marker(portfolio, client):
    w = portfolio
    first = Assessment.objects.create(reflection=w.r_new, rubric=w.rubric, assessor=w.tutor)  # a draft
    second = arcp_finalised_assessment(w.r_new, w.rubric, w.dual, moderation_of=first, overall_comment="x")
    ModerationRequest.objects.create(first_assessment=first, second_marker=w.dual, second_assessment=second)
    client.force_login(w.tutor)
    page = client.get(timeline(w.learner_a)).content.decode()
    assert portfolio_url("marking_detail", first.pk) in page  # their own draft
    assert portfolio_url("marking_detail", second.pk) not in page  # blind while the pair is open
    client.force_login(w.admin)
    page = client.get(timeline(w.learner_a)).content.decode()
    assert portfolio_url("marking_detail", second.pk) in page
    # Once the first marking is finalised the pair is complete and both are released.
    Assessment.objects.filter(pk=first.pk).update(status="finalised", finalised_at=timezone.now())
    client.force_login(w.tutor)
    assert portfolio_url("marking_detail", second.pk) in client.get(timeline(w.learner_a)).content.decode()


def test_admin_sees_withdrawn_feedback_marked_as_such(portfolio, client):
    client.force_login(portfolio.admin)
    page = client.get(timeline(portfolio.learner_a)).content.decode()
    assert "Given in error" in page and "withdrawn" in page
    assert "Secret draft" not in page


@pytest.mark.parametrize(
    ("params", "present", "absent"),
    [
        (
            {"kind": "reflection"},
            ["Night shelter", "Food bank"],
            ["Lived-experience", "Marking ·", "ARCP outcome ·"],
        ),
        ({"kind": "marking"}, ["Marking ·"], ["Food bank", "Lived-experience"]),
        ({"kind": "feedback"}, ["Lived-experience"], ["Night shelter", "ARCP outcome ·"]),
        ({"kind": "outcome"}, ["ARCP outcome ·"], ["Night shelter", "Lived-experience"]),
        (
            {"theme": "community_working"},
            ["Food bank"],
            ["Night shelter", "Lived-experience", "ARCP outcome ·"],
        ),
        ({"theme": "community_engagement", "kind": "marking"}, ["Marking ·"], ["Food bank"]),
        ({"status": "signed_off"}, ["Food bank"], ["Night shelter", "Marking ·", "Lived-experience"]),
        (
            {"period_from": _ago(25).isoformat(), "period_to": _ago(8).isoformat()},
            ["Food bank", "Lived-experience"],
            ["Night shelter", "ARCP outcome ·"],
        ),
    ],
)
def test_filters(portfolio, client, params, present, absent):
    client.force_login(portfolio.tutor)
    response = client.get(timeline(portfolio.learner_a, **params))
    assert response.status_code == 200
    page = response.content.decode()
    for text in present:
        assert text in page, text
    for text in absent:
        assert text not in page, text


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "nonsense"},
        {"theme": "XX9"},
        {"status": "draftish"},
        {"period_from": "2026-13-40"},
        {"period_from": _ago(1).isoformat(), "period_to": _ago(10).isoformat()},
    ],
)
def test_bad_filters_are_a_400_with_the_error_at_the_top(portfolio, client, params):
    client.force_login(portfolio.tutor)
    response = client.get(timeline(portfolio.learner_a, **params))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "Night shelter" not in page


def test_every_read_is_audited_and_own_reads_are_not(portfolio, client):
    w = portfolio
    client.force_login(w.examiner)
    before = AuditEvent.objects.count()
    client.get(timeline(w.learner_a))
    rows = list(AuditEvent.objects.filter(actor=w.examiner, learner=w.learner_a, action="read"))
    by_type = {r.object_type: r for r in rows}
    assert by_type[""].detail["view"] == "timeline"
    assert set(by_type["Reflection"].detail["ids"]) == {w.r_old.pk, w.r_new.pk}
    assert by_type["Assessment"].detail["ids"] == [w.marking.pk]
    assert by_type["Feedback"].detail["ids"] == [w.fb.pk]
    assert by_type["ArcpReview"].detail["ids"] == [w.outcome.pk]
    assert all(r.via == "site" for r in rows)
    assert AuditEvent.objects.count() == before + 5


def test_pagination(world, portfolio_page, client):
    for n in range(25):
        arcp_reflection(world.learner_a, _ago(n + 1), title=f"Reflection number {n:02d}")
    client.force_login(world.tutor)
    first = client.get(timeline(world.learner_a)).content.decode()
    assert "Reflection number 00" in first and "Reflection number 19" in first
    assert "Reflection number 20" not in first and "Page 1 of 2" in first
    second = client.get(timeline(world.learner_a, page=2)).content.decode()
    assert "Reflection number 24" in second and "Reflection number 00" not in second
    audited = AuditEvent.objects.filter(actor=world.tutor, object_type="Reflection")
    assert [len(e.detail["ids"]) for e in audited.order_by("pk")] == [20, 5]


def test_timeline_queries_do_not_grow_with_the_portfolio(
    world, portfolio_page, client, django_assert_max_num_queries
):
    rubric = make_published_rubric(criteria=3, levels=3)

    def add(n):
        for i in range(n):
            r = arcp_reflection(world.learner_a, _ago(i + 1), themes=("community_engagement", "change_agent"))
            arcp_finalised_assessment(r, rubric, world.tutor)
            arcp_feedback(world.learner_a, _ago(i + 1))

    client.force_login(world.tutor)
    add(2)
    client.get(timeline(world.learner_a))  # warm caches (portfolio root, site)
    with django_assert_max_num_queries(30) as small:
        assert client.get(timeline(world.learner_a)).status_code == 200
    add(15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(timeline(world.learner_a)).status_code == 200


# --- Learner search -----------------------------------------------------------------------
def test_search_finds_learners_in_scope_only(portfolio, client):
    w = portfolio
    w.learner_a.first_name, w.learner_a.last_name = "Amara", "Adeyemi"
    w.learner_a.save()
    w.learner_b.first_name, w.learner_b.last_name = "Amara", "Brown"
    w.learner_b.save()
    client.force_login(w.tutor)
    page = client.get(portfolio_url("arcp_learner_search") + "?q=amara").content.decode()
    assert "Amara Adeyemi" in page and "Amara Brown" not in page
    assert portfolio_url("arcp_timeline", w.learner_a.pk) in page
    assert "Amara Adeyemi" not in client.get(portfolio_url("arcp_learner_search") + "?q=zz").content.decode()
    client.force_login(w.admin)
    page = client.get(portfolio_url("arcp_learner_search") + "?q=Amara").content.decode()
    assert "Amara Adeyemi" in page and "Amara Brown" in page
    page = client.get(portfolio_url("arcp_learner_search") + "?q=amara+brown").content.decode()
    assert "Amara Adeyemi" not in page and "Amara Brown" in page
    assert client.get(portfolio_url("arcp_learner_search") + "?q=" + "x" * 300).status_code == 400


def test_search_and_nav_are_for_supervisors(portfolio, client):
    w = portfolio
    client.force_login(w.learner_a)
    assert client.get(portfolio_url("arcp_learner_search")).status_code == 403
    assert ">Learners<" not in client.get(portfolio_url("dashboard")).content.decode()
    for who in ("tutor", "examiner", "admin"):
        client.force_login(getattr(w, who))
        dashboard = client.get(portfolio_url("dashboard")).content.decode()
        assert f'href="{portfolio_url("arcp_learner_search")}"' in dashboard, who


def test_dashboard_and_panel_link_to_timelines(portfolio, client):
    w = portfolio
    client.force_login(w.tutor)
    assert (
        portfolio_url("arcp_timeline", w.learner_a.pk)
        in client.get(portfolio_url("dashboard")).content.decode()
    )
    client.force_login(w.examiner)
    assert (
        portfolio_url("arcp_timeline", w.learner_a.pk)
        in client.get(portfolio_url("arcp_panel")).content.decode()
    )


# --- Cohort coverage ----------------------------------------------------------------------
def test_heatmap_counts_submitted_reflections_of_learners_in_scope(portfolio, client):
    w = portfolio
    other = LearnerFactory(username="not_mine", first_name="Zed", last_name="Outside", cohort=w.cohort_a)
    arcp_reflection(other, _ago(3), themes=("community_engagement",))
    arcp_reflection(w.learner_a, _ago(3), themes=("community_engagement", "community_working"))
    client.force_login(w.tutor)
    response = client.get(portfolio_url("arcp_cohort_coverage"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page and "Theme coverage as a table" in page and "<script" not in page.split("<main")[-1]
    assert "Zed Outside" not in page  # not the tutor's learner
    row = re.search(r'<tr><th scope="row">.*?</tr>', page, re.S).group(0)
    cells = re.findall(r"<td>(\d+)</td>", row)
    assert cells[:2] == ["2", "2"] and cells[2:] == ["0"] * 6  # SA1: 2 (draft not counted), SA2: 2
    client.force_login(w.admin)
    page = client.get(
        portfolio_url("arcp_cohort_coverage")
        + f"?cohort={w.cohort_a.pk}&period_from={_ago(400)}&period_to={_ago(0)}"
    ).content.decode()
    assert "Zed Outside" in page


def test_heatmap_period_and_bad_input(portfolio, client):
    w = portfolio
    client.force_login(w.tutor)
    url = portfolio_url("arcp_cohort_coverage")
    data = cohort_coverage(w.tutor, w.cohort_a, _ago(15), _ago(0))
    assert data["rows"][0]["counts"][:2] == [0, 1]
    assert (
        client.get(url + f"?cohort={w.cohort_b.pk}&period_from={_ago(9)}&period_to={_ago(0)}").status_code
        == 400
    )
    assert client.get(url + f"?cohort={w.cohort_a.pk}&period_from=x&period_to={_ago(0)}").status_code == 400
    assert (
        client.get(url + f"?cohort={w.cohort_a.pk}&period_from={_ago(0)}&period_to={_ago(9)}").status_code
        == 400
    )
    client.force_login(w.examiner)
    assert client.get(url).status_code == 403


def test_heatmap_queries_are_constant_in_the_number_of_learners(
    world, portfolio_page, client, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            learner = LearnerFactory(cohort=world.cohort_a)
            AllocationFactory(tutor=world.tutor, learner=learner)
            arcp_reflection(learner, _ago(2), themes=("community_engagement", "context"))

    url = portfolio_url("arcp_cohort_coverage")
    client.force_login(world.tutor)
    add(2)
    client.get(url)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    add(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('<th scope="row">') == 23


def test_blind_first_marking_is_hidden_from_its_second_marker(portfolio, client):
    """`dual` examines cohort A (so reads learner_a's timeline) and was asked to second-mark
    the tutor's finalised marking: while the pair is open they do not see the first."""
    w = portfolio
    second = Assessment.objects.create(
        reflection=w.r_old, rubric=w.rubric, assessor=w.dual, moderation_of=w.marking
    )
    ModerationRequest.objects.create(
        first_assessment=w.marking, second_marker=w.dual, second_assessment=second
    )
    client.force_login(w.dual)
    page = client.get(timeline(w.learner_a)).content.decode()
    assert "Night shelter outreach" in page
    assert portfolio_url("marking_detail", w.marking.pk) not in page
    assert portfolio_url("marking_detail", second.pk) in page  # their own draft
    assert client.get(portfolio_url("marking_detail", w.marking.pk)).status_code == 404
    client.force_login(w.examiner)  # another examiner: the first is released, the draft second is not
    page = client.get(timeline(w.learner_a)).content.decode()
    assert portfolio_url("marking_detail", w.marking.pk) in page
    assert portfolio_url("marking_detail", second.pk) not in page
