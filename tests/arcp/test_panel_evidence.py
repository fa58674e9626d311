"""The examiner reads a learner's evidence on screen (issue 15: "the panel learner page holds
forms only"): the reflections, markings and feedback a pack for the proposed period would
hold for them, with links to each, and the theme coverage as an SVG chart with a table."""

import datetime

from django.utils import timezone

from portfolio.site import portfolio_url
from tests.factories import arcp_finalised_assessment, arcp_reflection, make_published_rubric


def test_examiner_reads_the_evidence_and_opens_each_piece(world, portfolio_page, client):
    today = timezone.localdate()
    reflection = arcp_reflection(
        world.learner_a,
        today - datetime.timedelta(days=20),
        themes=("context",),
        title="Night shelter outreach",
    )
    draft = arcp_reflection(
        world.learner_a, today - datetime.timedelta(days=10), status="draft", title="Not yet"
    )
    rubric = make_published_rubric(criteria=2, levels=3, title="Evidence rubric")
    marking = arcp_finalised_assessment(reflection, rubric, world.tutor)
    client.force_login(world.examiner)
    page = client.get(portfolio_url("arcp_panel_learner", world.learner_a.pk)).content.decode()
    assert "Night shelter outreach" in page and "Not yet" not in page  # drafts are never evidence
    assert portfolio_url("reflection_detail", reflection.pk) in page
    assert portfolio_url("reflection_detail", draft.pk) not in page
    assert portfolio_url("marking_detail", marking.pk) in page
    assert "<svg" in page and "Theme coverage as a table" in page
    assert "1 of 8 themes covered" in page
    assert "Settings, context and environment" in page
    assert client.get(portfolio_url("reflection_detail", reflection.pk)).status_code == 200
    assert client.get(portfolio_url("marking_detail", marking.pk)).status_code == 200
