"""A pack being made, on a phone (issue 15): the learner asks for their pack through the
navigation, watches its progress (axe-core clean, no sideways scroll at 390 px), and the
page's script takes them to the pack as soon as the worker has made it. The queue here is
one nobody works (the dummy task backend), so the test plays the worker's part."""

from __future__ import annotations

import datetime
import re

from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from arcp import pack_requests
from arcp.models import ArcpExport, PackRequest
from reflect import roles as R
from tests.factories import CohortFactory, LearnerFactory

NOBODY_WORKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def fits(page):
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url} is {width} px wide at {inner} px"


@override_settings(TASKS=NOBODY_WORKS)
def test_the_learner_watches_the_pack_being_made_and_lands_on_it(phone_page, login, check_a11y, shot):
    cohort = CohortFactory(name="Phone cohort")
    learner = LearnerFactory(username="amara", first_name="Amara", last_name="Okafor", cohort=cohort)
    assert R.has_role(learner, R.LEARNER)
    page = phone_page
    login(page, "amara")
    page.get_by_role("navigation", name="Your work").get_by_role("link", name="My ARCP").first.click()
    page.wait_for_load_state()
    start = timezone.localdate() - datetime.timedelta(days=30)
    page.get_by_label("Start of the review period").fill(start.isoformat())
    page.get_by_role("button", name="Make my pack").click()
    page.wait_for_load_state()

    expect(page.get_by_role("heading", name="Making the ARCP pack")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Waiting to start")
    check_a11y(page)
    fits(page)
    shot(page, "pack being made")

    job = PackRequest.objects.get(learner=learner)
    pack_requests.run(job.pk)  # the worker's turn: the page's script notices and moves on
    page.wait_for_url(re.compile(r"/portfolio/arcp/$"), timeout=15000)
    expect(page.get_by_text(re.compile("Pack made for"))).to_be_visible()
    export = ArcpExport.objects.get(learner=learner)
    expect(page.locator(f"text={str(export.pk)[:8]}").first).to_be_visible()
    check_a11y(page)
    fits(page)
    shot(page, "pack ready")
