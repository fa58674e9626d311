"""The educational supervisor's report on a phone (390 px): the tutor drafts and shares it,
the learner reads it and comments, the tutor signs it after confirming, and the examiner
reads the signed report on the panel learner page. axe-core clean, no sideways scroll."""

from __future__ import annotations

from playwright.sync_api import expect

from arcp.models import SupervisorReport
from reflect import roles as R
from tests.factories import AllocationFactory, CohortFactory, LearnerFactory, PanelFactory, UserFactory


def fits(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} scrolls sideways on a phone ({width} px)"


def test_tutor_drafts_shares_learner_comments_tutor_signs_examiner_reads(
    phone_page, login, check_a11y, shot, csp_watch
):
    page = phone_page
    watch = csp_watch(page)
    cohort = CohortFactory(name="Year 4 2026", programme="MBChB")
    learner = LearnerFactory(username="e_learner", first_name="Priya", last_name="Shah", cohort=cohort)
    tutor = UserFactory(username="e_tutor", first_name="Ruth", last_name="Adeyemi", roles=(R.TUTOR,))
    AllocationFactory(tutor=tutor, learner=learner)
    examiner = UserFactory(username="e_examiner", first_name="Alan", last_name="Moss", roles=(R.EXAMINER,))
    PanelFactory(examiner=examiner, cohort=cohort)

    login(page, "e_tutor")
    page.goto("/portfolio/")
    page.get_by_role("link", name="Supervisor's reports").first.click()
    page.get_by_role("link", name="Write a report for Priya Shah").click()
    page.get_by_role("button", name="Save the draft").click()  # nothing filled in: refused
    expect(page.locator("#error-summary")).to_be_visible()
    check_a11y(page)
    fits(page)
    assert not SupervisorReport.objects.exists()
    page.get_by_label("Satisfactory progress", exact=True).check()
    page.get_by_label("Overall progress").fill("Strong reflections on housing and advocacy.")
    page.get_by_label("Agreed development needs").fill("Lead a quality-improvement project.")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    page.get_by_role("button", name="Share with the learner").click()
    expect(page.get_by_text("Shared with the learner: they can read it")).to_be_visible()
    check_a11y(page)
    fits(page)

    login(page, "e_learner")
    page.goto("/portfolio/arcp/")
    page.get_by_role("link", name="the report for Priya Shah").click()
    expect(page.get_by_text("Strong reflections on housing and advocacy.")).to_be_visible()
    page.get_by_role("textbox", name="Your comment").fill("I would add the food bank audit.")
    page.get_by_role("button", name="Save my comment").click()
    expect(page.get_by_text("Your comment was saved with the report.")).to_be_visible()
    check_a11y(page)
    fits(page)
    shot(page, "learner comments on the supervisor's report")

    login(page, "e_tutor")
    report = SupervisorReport.objects.get()
    page.goto(f"/portfolio/arcp/reports/{report.pk}/")
    page.get_by_role("link", name="Sign the report…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign the supervisor's report")
    check_a11y(page)
    fits(page)
    report.refresh_from_db()
    assert report.status == "shared"
    page.get_by_role("button", name="Confirm and sign the report").click()
    expect(page.get_by_text("Report signed.")).to_be_visible()
    report.refresh_from_db()
    assert report.status == "signed"

    login(page, "e_examiner")
    page.goto(f"/portfolio/arcp/panel/{learner.pk}/")
    section = page.locator("section", has=page.locator("#esr-heading"))
    expect(section.get_by_text("Strong reflections on housing and advocacy.")).to_be_visible()
    expect(section.get_by_text("I would add the food bank audit.")).to_be_visible()
    check_a11y(page)
    fits(page)
    shot(page, "examiner reads the signed report")
    assert watch() == []
