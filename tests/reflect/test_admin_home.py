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


def test_a_programme_admin_sees_the_programmes_state_and_no_unused_menus(client, world, portfolio_page):
    import datetime

    from django.utils import timezone

    from arcp.admin_home import programme_state

    old = timezone.now() - datetime.timedelta(days=20)
    ReflectionFactory(learner=world.learner_a, status=Reflection.Status.SUBMITTED, submitted_at=old)
    now = timezone.now()
    ReflectionFactory(learner=world.learner_b, status=Reflection.Status.SUBMITTED, submitted_at=now)
    ReflectionFactory(learner=world.learner_b, status=Reflection.Status.DRAFT)
    figures = {f["label"].split(" (")[0]: f["count"] for f in programme_state(world.admin)}
    assert figures["Submissions waiting for review"] == 2
    assert figures["Reviews overdue"] == 1
    # A tutor's figures would be their own scope; the panel is the admin's alone.
    from django.contrib.auth.models import Permission

    # Able to add images and documents, so Wagtail would offer those menus: they are hidden.
    world.admin.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_image", "add_document", "access_admin"])
    )
    client.force_login(world.admin)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    state = re.search(r'id="arcp-programme-state-heading".*?</section>', html, re.S).group(0)
    assert "<strong>2</strong> Submissions waiting for review" in state
    assert "<strong>1</strong> Reviews overdue" in state
    assert reverse("wagtailimages:index") not in html and reverse("wagtaildocs:index") not in html

    # The operators (superusers) keep every menu.
    world.admin.is_superuser = True
    world.admin.save()
    assert reverse("wagtailimages:index") in client.get(reverse("wagtailadmin_home")).content.decode()
