"""The tutor's invite form (issue 15): every hint and error a field names with
aria-describedby is on the page, so a screen reader announces it, blank and after errors."""

import pytest

from .references import read

pytestmark = pytest.mark.django_db
URL = "/portfolio/feedback/invite/"


def test_blank_invite_form_names_only_hints_that_exist(world, portfolio_page, client):
    client.force_login(world.tutor)
    html = client.get(URL).content.decode()
    page = read(html)
    assert page.missing() == []
    # One "(optional)" per label: the shared field template adds it, the label must not.
    assert "(optional) <span" not in html and "(optional)</span> <span" not in html
    assert page.unlabelled() == []
    # The three hints (session, e-mails, links without e-mail) are each announced.
    for field in ("id_context_title", "id_emails", "id_extra_links"):
        assert f"{field}_helptext" in page.described.get(field, []), (field, page.described)


def test_invite_form_with_errors_links_each_error_to_its_field(world, portfolio_page, client):
    client.force_login(world.tutor)
    bad = {"learner": world.learner_b.pk, "context_title": "", "occurred_on": "x", "emails": "bad"}
    r = client.post(URL, bad)
    page = read(r.content.decode())
    assert r.status_code == 200 and page.missing() == []
    for field in ("id_learner", "id_context_title", "id_occurred_on"):
        assert f"{field}_error" in page.ids, field
        assert f"{field}_error" in page.described.get(field, []), (field, page.described)
