"""The learner's side of an ARCP outcome on a phone (390 px): they read outcome 3 with its
reasons, actions and next review, acknowledge it, respond and appeal; the examiner sees the
appeal and the response on the panel learner page. axe-core clean, no sideways scroll."""

from __future__ import annotations

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from arcp import services
from arcp.models import ArcpReview
from reflect import roles as R
from tests.factories import ArcpExportFactory, CohortFactory, LearnerFactory, PanelFactory, UserFactory


def fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} scrolls sideways on a phone ({width} px)"


def test_learner_acknowledges_responds_and_appeals_and_the_examiner_sees_it(
    phone_page, login, check_a11y, shot, csp_watch
):
    page = phone_page
    watch = csp_watch(page)
    today = timezone.localdate()
    cohort = CohortFactory(name="ST1 2026", programme="Core Surgical Training", programme_type="specialty")
    learner = LearnerFactory(username="s_learner", first_name="Priya", last_name="Shah", cohort=cohort)
    examiner = UserFactory(username="s_examiner", first_name="Alan", last_name="Moss", roles=(R.EXAMINER,))
    PanelFactory(examiner=examiner, cohort=cohort)
    export = ArcpExportFactory(
        learner=learner, period_from=today - datetime.timedelta(days=300), period_to=today
    )
    review = services.record_review(
        examiner,
        learner,
        export.period_from,
        export.period_to,
        export,
        "3",
        ["U1"],
        "The panel could not see enough workplace-based assessments.",
        actions="Complete six case-based discussions before the next review.",
        next_review_on=today + datetime.timedelta(days=180),
    )
    closes = services.appeal_window(review).closes_on

    login(page, "s_learner")
    page.goto("/portfolio/arcp/")
    page.wait_for_load_state()
    card = page.locator(f"#outcome-{review.pk}")
    expect(card.get_by_role("heading", level=3)).to_contain_text("Outcome 3")
    expect(card.get_by_text("U1: Record keeping and evidence")).to_be_visible()
    expect(card.get_by_text("Complete six case-based discussions before the next review.")).to_be_visible()
    expect(card.get_by_text(f"{closes:%A %-d %B %Y}")).to_be_visible()
    check_a11y(page)
    fits(page)
    shot(page, "learner outcome 3 with rights")

    page.get_by_role("button", name="I have read this outcome").click()
    expect(page.get_by_text("You acknowledged outcome")).to_be_visible()

    # Sending an empty appeal is refused by the field and saves nothing.
    page.locator(f"#outcome-{review.pk}").get_by_role("button", name="Appeal this outcome").click()
    expect(page.locator(".field-error").first).to_be_visible()
    check_a11y(page)
    assert ArcpReview.objects.get(pk=review.pk).appeal_requested_at is None

    card = page.locator(f"#outcome-{review.pk}")
    card.get_by_label("Your response").fill("I was on sick leave for eight weeks of the year.")
    card.get_by_role("button", name="Send my response").click()
    expect(page.get_by_text("Your response to outcome 3 was sent to the panel.")).to_be_visible()

    card = page.locator(f"#outcome-{review.pk}")
    card.get_by_label("Your reasons").fill(
        "My sick leave was not taken into account; the rota gave no clinics."
    )
    card.get_by_role("button", name="Appeal this outcome").click()
    expect(page.get_by_text("Your request for an appeal (outcome 3) was sent to the panel.")).to_be_visible()
    expect(page.locator(f"#outcome-{review.pk}").get_by_text("You asked for an appeal on")).to_be_visible()
    check_a11y(page)
    fits(page)
    shot(page, "learner appealed")
    saved = ArcpReview.objects.get(pk=review.pk)
    assert saved.acknowledged_at and saved.responded_at and saved.appeal_requested_at

    login(page, "s_examiner")
    page.goto(f"/portfolio/arcp/panel/{learner.pk}/")
    page.wait_for_load_state()
    outcomes = page.locator("section", has=page.locator("#outcomes-heading"))
    expect(outcomes.get_by_text("Appeal made")).to_be_visible()
    expect(
        outcomes.get_by_text("My sick leave was not taken into account; the rota gave no clinics.")
    ).to_be_visible()
    expect(outcomes.get_by_text("I was on sick leave for eight weeks of the year.")).to_be_visible()
    check_a11y(page)
    fits(page)
    shot(page, "examiner sees the appeal")
    assert watch() == []
