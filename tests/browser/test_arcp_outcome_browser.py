"""ARCP outcome in a browser: a foundation examiner sees only the codes that fit the chosen
outcome (the script, under the site's CSP), confirms, then corrects the outcome; axe-core clean."""

from __future__ import annotations

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from arcp.models import ArcpReview
from reflect import roles as R
from tests.factories import ArcpExportFactory, CohortFactory, LearnerFactory, PanelFactory, UserFactory


def test_foundation_outcome_with_codes_confirmation_and_correction(
    browser_page, login, check_a11y, shot, csp_watch
):
    page = browser_page
    watch = csp_watch(page)
    today = timezone.localdate()
    cohort = CohortFactory(name="F1 2026", programme="Foundation Programme", programme_type="foundation")
    learner = LearnerFactory(username="f_learner", first_name="Nia", last_name="Evans", cohort=cohort)
    examiner = UserFactory(username="f_examiner", first_name="Tom", last_name="Reed", roles=(R.EXAMINER,))
    PanelFactory(examiner=examiner, cohort=cohort)
    export = ArcpExportFactory(
        learner=learner, period_from=today - datetime.timedelta(days=300), period_to=today
    )

    login(page, "f_examiner")
    page.goto(f"/portfolio/arcp/panel/{learner.pk}/")
    page.wait_for_load_state()
    u1 = page.get_by_label("U1: Record keeping and evidence")
    c3 = page.get_by_label("C3: Redeployed: could not acquire the required experience")
    n1 = page.get_by_label("N1: Long-term sickness or other health issues")
    # Nothing chosen yet: every group shows.
    expect(u1).to_be_visible()
    expect(c3).to_be_visible()
    expect(n1).to_be_visible()
    outcome = page.get_by_label("Outcome", exact=True)
    assert "2" not in [o.get_attribute("value") for o in outcome.locator("option").all()]
    outcome.select_option("3")
    expect(u1).to_be_visible()
    expect(c3).to_be_hidden()
    expect(n1).to_be_hidden()
    expect(page.get_by_label("U9: Inadequate attendance (foundation)")).to_be_visible()
    check_a11y(page)
    shot(page, "arcp outcome 3 codes")
    outcome.select_option("10.2")
    expect(u1).to_be_hidden()
    expect(c3).to_be_visible()
    expect(
        page.get_by_label("C1: At a critical progression point, derogation given for a required exam")
    ).to_be_hidden()
    outcome.select_option("1")
    expect(page.get_by_text("The chosen outcome takes no reason codes.")).to_be_visible()

    outcome.select_option("3")
    u1.check()
    page.get_by_label("Date of the next review").fill((today + datetime.timedelta(days=90)).isoformat())
    page.get_by_label("Actions for the learner").fill("Complete the missing supervised learning events.")
    page.get_by_role("button", name="Check the outcome").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm the outcome")
    check_a11y(page)
    shot(page, "arcp confirm outcome")
    assert not ArcpReview.objects.exists()
    page.get_by_role("button", name="Confirm and record the outcome").click()
    expect(page.get_by_text("recorded. The learner can see it.")).to_be_visible()
    review = ArcpReview.objects.get()
    assert (review.outcome, review.reason_codes, review.export_id) == ("3", ["U1"], export.pk)
    assert (review.period_from, review.period_to) == (export.period_from, export.period_to)

    page.get_by_role("link", name="Correct outcome 3").click()
    page.wait_for_load_state()
    check_a11y(page)
    page.get_by_label("Outcome", exact=True).select_option("5")
    page.get_by_label("Why the recorded outcome is being corrected").fill(
        "The panel recorded 3; it agreed 5."
    )
    page.get_by_role("button", name="Check the correction").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm the correction")
    check_a11y(page)
    page.get_by_role("button", name="Confirm and record the correction").click()
    expect(page.get_by_text("Superseded").first).to_be_visible()
    check_a11y(page)
    shot(page, "arcp corrected outcome history")
    new = ArcpReview.objects.get(supersedes=review)
    assert (new.outcome, new.reason_codes) == ("5", ["U1"])
    assert ArcpReview.objects.get(pk=review.pk).outcome == "3"
    assert watch() == []
