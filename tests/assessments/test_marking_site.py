"""Marking screens under /portfolio/marking/: lists, start, grid, two-tab conflict, finalise,
corrections, and the learner's view of marks."""

import re

import pytest

from assessments import services
from assessments.models import Assessment
from portfolio.site import portfolio_url
from tests.factories import make_published_rubric, mark, submitted_reflection

pytestmark = pytest.mark.django_db


@pytest.fixture
def rubric(db):
    return make_published_rubric(criteria=3, levels=4, title="Social accountability in practice")


@pytest.fixture
def reflection(world, portfolio_page):
    return submitted_reflection(world.learner_a, title="Home visit after a hip fracture")


def post_marking(assessment, version, levels, comments=("", "", ""), overall="", action="save"):
    data = {"version": version, "overall_comment": overall, "action": action}
    for criterion, index, comment in zip(
        services.rubric_criteria(assessment.rubric), levels, comments, strict=False
    ):
        if index is not None:
            data[f"level_{criterion.pk}"] = list(criterion.levels.all())[index].pk
        data[f"comment_{criterion.pk}"] = comment
    return data


def test_tutor_lists_to_mark_and_drafts(world, client, rubric, reflection):
    other = submitted_reflection(world.learner_b, title="Not yours")
    draft = mark(
        submitted_reflection(world.learner_a, title="Half marked"),
        rubric,
        world.tutor,
        levels=[1, None, None],
    )
    client.force_login(world.tutor)
    r = client.get(portfolio_url("marking_home"))
    assert r.status_code == 200
    html = r.content.decode()
    to_mark = html.split('id="to-mark-heading"')[1].split('id="drafts-heading"')[0]
    assert "Home visit after a hip fracture" in to_mark and "Half marked" not in to_mark
    assert other.title not in html
    assert portfolio_url("marking_edit", draft.pk) in html


def test_marking_home_is_for_tutors(world, client, portfolio_page):
    client.force_login(world.learner_a)
    assert client.get(portfolio_url("marking_home")).status_code == 404
    client.force_login(world.former)
    r = client.get(portfolio_url("marking_home"))
    assert b"Nothing is waiting" in r.content


def test_start_lists_latest_published_rubrics_and_creates_a_draft(world, client, rubric, reflection):
    from rubrics import services as rubric_services

    newer = rubric_services.publish(rubric_services.new_version(rubric))
    client.force_login(world.tutor)
    url = portfolio_url("marking_start", reflection.pk)
    r = client.get(url)
    assert r.status_code == 200
    assert f'value="{newer.pk}"'.encode() in r.content and f'value="{rubric.pk}"'.encode() not in r.content
    r = client.post(url, {})
    assert r.status_code == 400 and b"Choose the rubric" in r.content
    r = client.post(url, {"rubric": newer.pk})
    a = Assessment.objects.get()
    assert r.status_code == 302 and r["Location"] == portfolio_url("marking_edit", a.pk)
    assert a.rubric == newer and a.assessor == world.tutor
    # a second visit goes back to the draft instead of starting another
    assert client.get(url)["Location"] == portfolio_url("marking_edit", a.pk)


@pytest.mark.parametrize("who", ["former", "examiner", "learner_b", "dual"])
def test_start_out_of_scope_is_404(world, client, rubric, reflection, who):
    client.force_login(getattr(world, who))
    assert client.get(portfolio_url("marking_start", reflection.pk)).status_code == 404
    assert (
        client.post(portfolio_url("marking_start", reflection.pk), {"rubric": rubric.pk}).status_code == 404
    )


def test_marking_screen_shows_reflection_and_grid(world, client, rubric, reflection):
    a = mark(reflection, rubric, world.tutor, levels=[2, None, None])
    client.force_login(world.tutor)
    r = client.get(portfolio_url("marking_edit", a.pk))
    html = r.content.decode()
    assert r.status_code == 200
    assert "saw the stairs" in html
    assert html.count('type="radio"') == 12
    assert len(re.findall(r'type="radio"[^>]*value="\d+" checked', html)) == 1
    assert 'name="version"' in html and 'value="1"' in html
    assert "js/marking.js" in html and "style=" not in html and "<style" not in html


def test_save_draft(world, client, rubric, reflection):
    a = mark(reflection, rubric, world.tutor, levels=[None, None, None])
    client.force_login(world.tutor)
    r = client.post(
        portfolio_url("marking_edit", a.pk), post_marking(a, 1, [3, 2, None], ("Good <b>links</b>", "", ""))
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.version == 2 and a.total == 5
    assert a.scores.get(criterion=services.rubric_criteria(rubric)[0]).comment == "Good links"


def test_two_tabs_second_save_conflicts_and_keeps_input(world, client, rubric, reflection):
    a = mark(reflection, rubric, world.tutor, levels=[None, None, None])
    client.force_login(world.tutor)
    url = portfolio_url("marking_edit", a.pk)
    assert client.post(url, post_marking(a, 1, [1, 1, 1], overall="From tab one")).status_code == 302
    r = client.post(
        url, post_marking(a, 1, [3, 3, 3], ("Tab two thoughts on housing", "", ""), "From tab two")
    )
    assert r.status_code == 409
    html = r.content.decode()
    assert "maybe you in another tab" in html and "reload the latest version" in html
    assert "Tab two thoughts on housing" in html and "From tab two" in html
    crit = services.rubric_criteria(rubric)[0]
    top = list(crit.levels.all())[3].pk
    assert re.search(rf'value="{top}" checked', html)
    a.refresh_from_db()
    assert a.overall_comment == "From tab one" and a.version == 2 and a.total == 3


def test_bad_level_shows_error_next_to_the_field(world, client, rubric, reflection):
    a = mark(reflection, rubric, world.tutor, levels=[None, None, None])
    c = services.rubric_criteria(rubric)
    client.force_login(world.tutor)
    data = post_marking(a, 1, [None, None, None])
    data[f"level_{c[0].pk}"] = c[1].levels.all()[0].pk
    r = client.post(portfolio_url("marking_edit", a.pk), data)
    assert r.status_code == 400 and b"Choose one of this criterion" in r.content
    a.refresh_from_db()
    assert a.version == 1


def test_finalise_flow_with_summary_and_confirmation(world, client, rubric, reflection):
    a = mark(reflection, rubric, world.tutor, levels=[None, None, None])
    client.force_login(world.tutor)
    r = client.post(portfolio_url("marking_edit", a.pk), post_marking(a, 1, [3, 2, None], action="finalise"))
    assert r["Location"] == portfolio_url("marking_finalise", a.pk)
    r = client.get(r["Location"])
    assert b"Not scored yet" in r.content and b"Criterion 3" in r.content
    assert b"Finalise this marking" not in r.content
    r = client.post(portfolio_url("marking_finalise", a.pk), {"version": 2})
    assert r.status_code == 400
    client.post(portfolio_url("marking_edit", a.pk), post_marking(a, 2, [3, 2, 1], action="finalise"))
    r = client.get(portfolio_url("marking_finalise", a.pk))
    assert b"6 of 9" in r.content and b"66.67%" in r.content and b"cannot be changed" in r.content
    r = client.post(portfolio_url("marking_finalise", a.pk), {"version": 3})
    assert r["Location"] == portfolio_url("marking_detail", a.pk)
    a.refresh_from_db()
    assert a.status == "finalised"
    # the site door is closed now
    assert client.get(portfolio_url("marking_edit", a.pk)).status_code == 302
    client.post(portfolio_url("marking_edit", a.pk), post_marking(a, 4, [0, 0, 0], overall="changed"))
    a.refresh_from_db()
    assert a.total == 6 and a.overall_comment == "" and a.status == "finalised"


def test_someone_elses_assessment_cannot_be_edited(world, client, rubric, reflection):
    a = mark(reflection, rubric, world.tutor)
    for who in ("former", "examiner", "admin", "learner_a"):
        client.force_login(getattr(world, who))
        assert client.get(portfolio_url("marking_edit", a.pk)).status_code == 404
        assert client.post(portfolio_url("marking_finalise", a.pk), {"version": 1}).status_code == 404


def test_correction_through_the_site(world, client, rubric, reflection):
    a = mark(reflection, rubric, world.tutor, finalise=True)
    client.force_login(world.tutor)
    r = client.get(portfolio_url("marking_detail", a.pk))
    assert b"Correct this marking" in r.content
    r = client.post(portfolio_url("marking_supersede", a.pk), {"reason": ""})
    assert r.status_code == 400 and b"Give the reason" in r.content
    r = client.post(portfolio_url("marking_supersede", a.pk), {"reason": "Misread criterion 2"})
    new = Assessment.objects.get(supersedes=a)
    assert r["Location"] == portfolio_url("marking_edit", new.pk)
    r = client.get(portfolio_url("marking_detail", a.pk))
    assert b"Superseded" in r.content and b"Misread criterion 2" in r.content


def test_learner_sees_finalised_marks_with_the_grid(world, client, rubric, reflection):
    a = mark(
        reflection,
        rubric,
        world.tutor,
        levels=[3, 1, 0],
        overall_comment="<script>alert(1)</script>Well argued",
    )
    services.update_assessment(
        a,
        world.tutor,
        {
            "scores": [
                {
                    "criterion": services.rubric_criteria(rubric)[0].pk,
                    "level": services.rubric_criteria(rubric)[0].levels.all()[3].pk,
                    "comment": "Tom & Jerry <i>x</i>",
                }
            ]
        },
        1,
    )
    client.force_login(world.learner_a)
    detail = portfolio_url("reflection_detail", reflection.pk)
    assert b"Chosen" not in client.get(detail).content  # a draft is not shown
    services.finalise(a, world.tutor)
    for url in (detail, portfolio_url("marking_results", reflection.pk)):
        html = client.get(url).content.decode()
        assert html.count("✓ Chosen") == 3
        assert "Well argued" in html and "<script>alert" not in html
        assert "Tom &amp; Jerry x" in html
        assert "4 of 9" in html


def test_others_cannot_see_marks_of_someone_else(world, client, rubric, reflection):
    mark(reflection, rubric, world.tutor, finalise=True)
    client.force_login(world.learner_b)
    assert client.get(portfolio_url("marking_results", reflection.pk)).status_code == 404
    client.force_login(world.examiner)
    r = client.get(portfolio_url("marking_results", reflection.pk))
    assert r.status_code == 200 and "✓ Chosen" in r.content.decode()
