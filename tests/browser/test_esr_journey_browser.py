"""The supervisor's report from draft to appeal, on a phone (390 px), through the site's links
alone after signing in: the tutor drafts it theme by theme and shares it; the learner opens it
from their navigation and responds; the tutor signs it after confirming; the panel's chair
reads it, downloads the pack (whose text holds the report's words) and records outcome 3 after
the confirmation page; the learner acknowledges the outcome and appeals; the panel sees the
appeal. Every page opened is checked with axe-core and HTML_CodeSniffer, and for sideways
scrolling."""

from __future__ import annotations

import datetime
import io

import pypdf
from django.utils import timezone
from playwright.sync_api import expect

from arcp.models import ArcpReview, SupervisorReport
from reflect import roles as R
from rubrics.models import Competency
from tests.factories import (
    AllocationFactory,
    CohortFactory,
    LearnerFactory,
    PanelFactory,
    UserFactory,
    arcp_reflection,
)

OVERALL = "A thoughtful year; the housing work stands out."
ADVOCACY = "Wrote to the council about the night bus for shift workers."
RESPONSE = "I would add the food bank audit I led in the spring."


def test_report_drafted_shared_answered_signed_read_by_the_chair_then_outcome_and_appeal(
    phone_page, login, check_a11y, shot, csp_watch
):
    page = phone_page
    watch = csp_watch(page)
    today = timezone.localdate()
    cohort = CohortFactory(name="Year 4 2026", programme="MBChB")
    learner = LearnerFactory(username="j_learner", first_name="Priya", last_name="Shah", cohort=cohort)
    tutor = UserFactory(username="j_tutor", first_name="Ruth", last_name="Adeyemi", roles=(R.TUTOR,))
    AllocationFactory(tutor=tutor, learner=learner)
    chair = UserFactory(username="j_chair", first_name="Alan", last_name="Moss", roles=(R.EXAMINER,))
    PanelFactory(examiner=chair, cohort=cohort, role="chair")
    arcp_reflection(
        learner, today - datetime.timedelta(days=40), themes=("advocacy",), title="The night bus petition"
    )
    advocacy = Competency.objects.themes().get(code="advocacy")

    def checked(name=None):
        """The page just opened: accessible, fits a phone, optionally a screenshot."""
        page.wait_for_load_state()
        check_a11y(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{page.url} scrolls sideways on a phone ({width} px)"
        if name:
            shot(page, name)

    def nav(name):
        page.get_by_role("navigation", name="Your work").get_by_role("link", name=name).first.click()
        checked()

    # The tutor drafts the report from the navigation, theme by theme, and shares it.
    login(page, "j_tutor")
    checked()
    nav("Supervisor's reports")
    page.get_by_role("link", name="Write a report for Priya Shah").click()
    checked("the report form, theme by theme")
    section = page.locator("section.theme-section", has=page.locator("#theme-advocacy-heading"))
    expect(section.get_by_text("1. The night bus petition")).to_be_visible()  # the evidence, filled in
    page.get_by_role("button", name="Save the draft").click()  # nothing chosen: refused
    expect(page.locator("#error-summary")).to_be_visible()
    checked()
    assert not SupervisorReport.objects.exists()
    page.get_by_label("Satisfactory progress", exact=True).check()
    page.get_by_label("Overall progress").fill(OVERALL)
    page.get_by_label(f"Progress in “{advocacy.title}”").fill(ADVOCACY)
    page.get_by_label("Agreed development needs").fill("Lead a quality-improvement project.")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    checked()
    page.get_by_role("button", name="Share with the learner").click()
    expect(page.get_by_text("Shared with the learner: they can read it")).to_be_visible()
    checked()

    # The learner opens it from their navigation and adds a response.
    login(page, "j_learner")
    checked()
    nav("My ARCP")
    page.get_by_role("link", name="the report for Priya Shah").click()
    checked()
    expect(page.get_by_text(ADVOCACY)).to_be_visible()
    page.get_by_role("textbox", name="Your comment").fill(RESPONSE)
    page.get_by_role("button", name="Save my comment").click()
    expect(page.get_by_text("Your comment was saved with the report.")).to_be_visible()
    checked("the learner's response")

    # The tutor signs it, after the confirmation page.
    login(page, "j_tutor")
    checked()
    nav("Supervisor's reports")
    page.get_by_role("link", name="the report for Priya Shah").click()
    checked()
    page.get_by_role("link", name="Sign the report…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sign the supervisor's report")
    checked()
    assert SupervisorReport.objects.get().status == "shared"
    page.get_by_role("button", name="Confirm and sign the report").click()
    expect(page.get_by_text("Report signed.")).to_be_visible()
    checked()
    assert SupervisorReport.objects.get().status == "signed"

    # The chair reads it on screen, makes and downloads the pack, and finds the report in it.
    login(page, "j_chair")
    checked()
    nav("ARCP panels")
    page.get_by_role("link", name="Priya Shah").first.click()
    checked()
    page.locator("#esr-heading").locator("xpath=..").get_by_role("link").first.click()
    checked("the chair reads the signed report")
    expect(page.get_by_text(ADVOCACY)).to_be_visible()
    expect(page.get_by_text(RESPONSE)).to_be_visible()
    page.go_back()
    checked()
    page.get_by_role("button", name="Make the pack").click()
    checked()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").first.click()
    with open(download.value.path(), "rb") as pdf:
        reader = pypdf.PdfReader(io.BytesIO(pdf.read()))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    for words in (OVERALL, ADVOCACY, RESPONSE, "Progress in each theme"):
        assert words in text, words

    # Outcome 3 with U codes, actions and a next review, after the confirmation page.
    page.get_by_label("Outcome", exact=True).select_option("3")
    page.get_by_label("U1: Record keeping and evidence").check()
    page.get_by_label("Date of the next review").fill((today + datetime.timedelta(days=90)).isoformat())
    page.get_by_label("Actions for the learner").fill("Complete six case-based discussions.")
    page.get_by_role("button", name="Check the outcome").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm the outcome")
    checked("the chair confirms outcome 3")
    assert not ArcpReview.objects.exists()
    page.get_by_role("button", name="Confirm and record the outcome").click()
    expect(page.get_by_text("recorded. The learner can see it.")).to_be_visible()
    checked()
    review = ArcpReview.objects.get()
    assert (review.outcome, review.reason_codes, review.examiner) == ("3", ["U1"], chair)

    # The learner sees it, acknowledges it and appeals within the window.
    login(page, "j_learner")
    checked()
    nav("My ARCP")
    card = page.locator(f"#outcome-{review.pk}")
    expect(card.get_by_role("heading", level=3)).to_contain_text("Outcome 3")
    expect(card.get_by_text("Complete six case-based discussions.")).to_be_visible()
    page.get_by_role("button", name="I have read this outcome").click()
    expect(page.get_by_text("You acknowledged outcome")).to_be_visible()
    checked()
    card = page.locator(f"#outcome-{review.pk}")
    card.get_by_label("Your reasons").fill("My eight weeks of sick leave were not taken into account.")
    card.get_by_role("button", name="Appeal this outcome").click()
    expect(page.get_by_text("Your request for an appeal (outcome 3) was sent to the panel.")).to_be_visible()
    checked("the learner appealed")
    review.refresh_from_db()
    assert review.acknowledged_at and review.appeal_requested_at

    # The panel sees the appeal.
    login(page, "j_chair")
    checked()
    nav("ARCP panels")
    page.get_by_role("link", name="Priya Shah").first.click()
    checked("the panel sees the appeal")
    outcomes = page.locator("section", has=page.locator("#outcomes-heading"))
    expect(outcomes.get_by_text("Appeal made")).to_be_visible()
    expect(outcomes.get_by_text("My eight weeks of sick leave were not taken into account.")).to_be_visible()
    assert watch() == []
