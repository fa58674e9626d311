"""Site: home page, sign in/out, role dashboards under the routable portfolio page."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_says_what_it_is(portfolio_page, client):
    r = client.get("/")
    assert r.status_code == 200
    assert b"Reflect" in r.content and b"Sign in" in r.content


def test_dashboard_requires_sign_in(portfolio_page, client):
    r = client.get("/portfolio/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_sign_in_lands_on_dashboard(world, portfolio_page, client):
    r = client.post("/accounts/login/", {"login": "learner_a", "password": "pw"})
    assert r.status_code == 302 and r["Location"] == "/portfolio/"
    r = client.get("/portfolio/")
    assert b"My portfolio" in r.content
    assert b"My learners" not in r.content


def test_bad_sign_in_shows_error_and_keeps_username(world, portfolio_page, client):
    r = client.post("/accounts/login/", {"login": "learner_a", "password": "nope"})
    assert r.status_code == 200
    assert b"do not match" in r.content
    assert b'value="learner_a"' in r.content


@pytest.mark.parametrize(
    "who,present,absent",
    [
        ("learner_a", [b"My portfolio"], [b"My learners", b"My panels", b"Programme overview"]),
        ("tutor", [b"My learners"], [b"My portfolio", b"My panels"]),
        ("examiner", [b"My panels", b"Cohort A"], [b"My learners", b"Cohort B"]),
        ("admin", [b"Programme overview", b"Cohort A", b"Cohort B"], [b"My learners"]),
        ("dual", [b"My learners", b"My panels"], [b"My portfolio"]),
    ],
)
def test_dashboard_per_role(world, portfolio_page, client, who, present, absent):
    client.force_login(getattr(world, who))
    r = client.get("/portfolio/")
    assert r.status_code == 200
    for text in present:
        assert text in r.content, text
    for text in absent:
        assert text not in r.content, text


def test_tutor_dashboard_lists_only_allocated(world, portfolio_page, client):
    client.force_login(world.tutor)
    r = client.get("/portfolio/")
    assert world.learner_a.last_name.encode() in r.content
    assert world.learner_b.last_name.encode() not in r.content


def test_inactive_user_is_sent_to_sign_in(world, portfolio_page, client):
    client.force_login(world.learner_a)
    world.learner_a.is_active = False
    world.learner_a.save()
    r = client.get("/portfolio/")
    assert r.status_code == 302


def test_unknown_portfolio_screen_is_404(world, portfolio_page, client):
    client.force_login(world.learner_a)
    assert client.get("/portfolio/no-such-screen/").status_code == 404


def test_sign_out(world, portfolio_page, client):
    client.force_login(world.learner_a)
    r = client.post("/accounts/logout/")
    assert r.status_code == 302
    assert client.get("/portfolio/").status_code == 302


def test_csp_header_without_inline_script(portfolio_page, client):
    r = client.get("/")
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
