"""Every role in one journey, in Chromium, through the real screens: a learner writes and
submits a reflection; the tutor marks it on the rubric grid and signs it off; the tutor
invites a patient representative, who answers the link on a phone; an examiner makes and
downloads the ARCP pack and records the outcome against it; the learner sees the outcome.
axe-core checks every page; every screen is kept as a screenshot."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from arcp.models import ArcpExport, ArcpReview
from assessments.models import Assessment
from feedback.models import Feedback
from portfolio.models import Reflection
from reflect import roles as R
from tests.browser.editing import write_section
from tests.factories import (
    AllocationFactory,
    CohortFactory,
    LearnerFactory,
    PanelFactory,
    UserFactory,
    make_published_rubric,
    signed_supervisor_report,
)

TITLE = "Food bank queue on a Tuesday morning"


def nav(page, label):
    """Go somewhere as a person would: through the site's navigation."""
    page.get_by_role("navigation", name="Your work").get_by_role("link", name=label).first.click()
    page.wait_for_load_state()


def visit(page, check_a11y, shot, name):
    page.wait_for_load_state()
    check_a11y(page)
    shot(page, name)


def test_all_roles_journey(browser_page, phone_page, login, check_a11y, shot):
    page = browser_page
    cohort = CohortFactory(name="Cohort Journey")
    learner = LearnerFactory(username="j_learner", first_name="Amara", last_name="Adeyemi", cohort=cohort)
    tutor = UserFactory(username="j_tutor", first_name="Helen", last_name="Morgan", roles=(R.TUTOR,))
    examiner = UserFactory(username="j_examiner", first_name="Owen", last_name="Price", roles=(R.EXAMINER,))
    AllocationFactory(tutor=tutor, learner=learner)
    PanelFactory(examiner=examiner, cohort=cohort)
    make_published_rubric(criteria=2, levels=3, title="Journey rubric")

    # --- 1. The learner writes and submits ------------------------------------------------
    login(page, "j_learner")
    page.goto("/portfolio/")
    visit(page, check_a11y, shot, "learner dashboard")
    nav(page, "New reflection")
    page.get_by_label("Gibbs reflective cycle").check()
    page.get_by_role("button", name="Start writing").click()
    visit(page, check_a11y, shot, "learner writes")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_kind").select_option("third_sector")
    write_section(page, "description", "I helped at a food bank with the practice nurse.")
    write_section(page, "analysis", "Benefit sanctions, not appetite, decided who queued.")
    page.get_by_role("button", name="Save and check before submitting").click()
    # The post may wait for an autosave in flight (it can create the draft): wait for the page.
    expect(page).to_have_url(re.compile(r"/reflections/\d+/submit/$"))
    visit(page, check_a11y, shot, "learner checks")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted. Your tutor has been told")).to_be_visible()
    visit(page, check_a11y, shot, "learner submitted")
    reflection = Reflection.objects.get(learner=learner)
    assert reflection.status == "submitted"

    # --- 2. The tutor marks on the rubric grid, then signs off ------------------------------
    login(page, "j_tutor")
    nav(page, "To mark")
    visit(page, check_a11y, shot, "tutor to mark")
    page.get_by_role("link", name=TITLE).first.click()
    page.wait_for_url(re.compile(r"/start/$"))
    visit(page, check_a11y, shot, "tutor chooses rubric")
    page.get_by_label(re.compile("Journey rubric")).check()
    page.get_by_role("button", name="Start marking").click()
    page.wait_for_url(re.compile(r"/marking/\d+/$"))
    visit(page, check_a11y, shot, "tutor marking grid")
    radios = page.locator("input[type=radio][name^=level_]")
    names = sorted({radios.nth(i).get_attribute("name") for i in range(radios.count())})
    assert len(names) == 2
    for name in names:
        page.locator(f"input[name={name}]").last.check()
    page.locator("textarea[name=overall_comment]").fill("You saw the policy behind the queue.")
    page.get_by_role("button", name=re.compile("^Save and review")).click()
    page.wait_for_url(re.compile(r"/finalise/$"))
    visit(page, check_a11y, shot, "tutor summary")
    page.get_by_role("button", name="Finalise this marking").click()
    page.wait_for_url(re.compile(r"/view/$"))
    expect(page.get_by_text("Assessment finalised")).to_be_visible()
    visit(page, check_a11y, shot, "tutor finalised")
    assert Assessment.objects.get(reflection=reflection).status == "finalised"

    nav(page, "Review queue")
    visit(page, check_a11y, shot, "tutor review queue")
    page.get_by_role("link", name=TITLE).first.click()
    visit(page, check_a11y, shot, "tutor review")
    page.get_by_role("link", name="Sign off…").click()
    visit(page, check_a11y, shot, "tutor sign off")
    page.get_by_label("Closing comment (optional)").fill("A thoughtful piece.")
    page.get_by_label("I have read this reflection and sign it off").check()
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("Signed off. The learner has been told.")).to_be_visible()
    visit(page, check_a11y, shot, "tutor signed off")

    # --- 3. The tutor invites a representative, who answers on a phone ----------------------
    nav(page, "Dashboard")
    page.get_by_role("link", name=re.compile(r"^Invite feedback from patients")).click()
    visit(page, check_a11y, shot, "tutor invites")
    page.get_by_label("Learner").select_option(label="Amara Adeyemi")
    page.get_by_label("What was the session?").fill("Lived-experience session: food poverty")
    page.get_by_label("Date of the session").fill(reflection.occurred_on.isoformat())
    page.get_by_label("Links without e-mail").fill("1")
    page.get_by_role("button", name="Create the links").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Feedback links created"
    visit(page, check_a11y, shot, "tutor link created")
    link = page.locator("input[data-copy-field]").first.input_value()
    path = link[link.index("/feedback/") :]

    phone = phone_page
    phone.goto(path)
    assert phone.get_by_role("heading", level=1).inner_text() == "Your feedback for Amara"
    visit(phone, check_a11y, shot, "representative form")
    phone.locator("#id_comments").fill("She asked how I get to the food bank with my knees.")
    phone.get_by_label("Patient representative").check()
    phone.locator("#submit-feedback").click()
    phone.wait_for_url("**/feedback/thanks/")
    visit(phone, check_a11y, shot, "representative thanks")
    assert Feedback.objects.filter(learner=learner).count() == 1

    # --- 4. The examiner makes and downloads the pack, and records the outcome ---------------
    # A satisfactory outcome needs the educational supervisor's signed report in the pack
    # (its own journey through the screens is tests/browser/test_supervisor_report_browser.py).
    signed_supervisor_report(learner, author=tutor)
    login(page, "j_examiner")
    nav(page, "ARCP panels")
    visit(page, check_a11y, shot, "examiner panel")
    page.get_by_role("link", name="Amara Adeyemi").click()
    visit(page, check_a11y, shot, "examiner learner")
    page.get_by_role("button", name="Make the pack").click()
    expect(page.get_by_text("Pack made for")).to_be_visible()
    visit(page, check_a11y, shot, "examiner pack made")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("^Download PDF")).first.click()
    download = info.value
    pdf = open(download.path(), "rb").read()
    assert pdf.startswith(b"%PDF")
    export = ArcpExport.objects.get(learner=learner)
    import hashlib

    assert hashlib.sha256(pdf).hexdigest() == export.sha256, "the download is the recorded pack"
    page.get_by_label("The pack the panel judged from").select_option(str(export.pk))
    page.get_by_label("Outcome", exact=True).select_option("1")
    page.locator("#id_review-comments").fill("Evidence of community engagement throughout.")
    # Only the codes that fit the chosen outcome show (outcome 1 takes none).
    expect(page.get_by_label("U1: Record keeping and evidence")).to_be_hidden()
    page.get_by_role("button", name="Check the outcome").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confirm the outcome")
    visit(page, check_a11y, shot, "examiner confirms outcome")
    assert not ArcpReview.objects.filter(learner=learner).exists(), "nothing recorded before confirming"
    page.get_by_role("button", name="Confirm and record the outcome").click()
    expect(page.get_by_text("Outcome 1 – Satisfactory progress recorded")).to_be_visible()
    visit(page, check_a11y, shot, "examiner outcome recorded")
    review = ArcpReview.objects.get(learner=learner)
    assert review.export == export and review.examiner == examiner

    # --- 5. The learner sees the outcome -----------------------------------------------------
    login(page, "j_learner")
    nav(page, "My ARCP")
    # In the outcomes table and in the outcome's own card (response, review/appeal).
    expect(page.get_by_role("cell", name="1 – Satisfactory progress")).to_be_visible()
    expect(page.get_by_role("heading", name="Outcome 1 – Satisfactory progress")).to_be_visible()
    expect(page.get_by_text("Evidence of community engagement throughout.").first).to_be_visible()
    visit(page, check_a11y, shot, "learner sees outcome")
    nav(page, "My reflections")
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_text("Signed off and locked")).to_be_visible()
    visit(page, check_a11y, shot, "learner signed off reflection")
