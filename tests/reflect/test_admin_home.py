"""The Wagtail admin's home page shows the person's work, not pages, images and documents
(issue 15: "the Wagtail admin home is the generic pages/images/documents page")."""

import re

from django.urls import reverse

from portfolio.models import Reflection
from portfolio.site import portfolio_url
from tests.factories import ReflectionFactory


def work_panel(html: str) -> str:
    match = re.search(r'id="reflect-your-work-heading".*?</section>', html, re.S)
    assert match, "the 'Your work' panel is missing"
    return match.group(0)


def test_the_admin_home_lists_the_admins_work_with_the_sites_counts(client, world, portfolio_page):
    client.force_login(world.admin)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    panel = work_panel(html)
    assert "Your work" in panel
    assert portfolio_url("dashboard") in panel and portfolio_url("arcp_learner_search") in panel
    # What Wagtail shows about pages, images and documents is gone.
    assert "Your most recent edits" not in html
    assert not re.search(r"<span>\s*\d+\s*</span>\s*(Pages|Images|Documents)", html)


def test_a_tutors_admin_home_counts_their_review_queue_like_the_site(client, world, portfolio_page):
    world.tutor.is_staff = True
    world.tutor.save()
    from django.contrib.auth.models import Permission

    world.tutor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    ReflectionFactory(learner=world.learner_a, status=Reflection.Status.SUBMITTED)
    ReflectionFactory(learner=world.learner_a, status=Reflection.Status.SUBMITTED)
    ReflectionFactory(learner=world.learner_b, status=Reflection.Status.SUBMITTED)  # not theirs
    client.force_login(world.tutor)
    panel = work_panel(client.get(reverse("wagtailadmin_home")).content.decode())
    queue = re.search(r"Review queue\s*<span[^>]*>(\d+)</span>", panel)
    assert queue, panel
    site_nav = client.get(portfolio_url("dashboard")).content.decode()
    on_site = re.search(r"Review queue\s*<span[^>]*><span[^>]*>\(</span>(\d+)", site_nav)
    assert queue.group(1) == on_site.group(1) == "2"
