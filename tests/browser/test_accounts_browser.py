"""Accounts in Chromium: a CSV import's invitation to the learner's dashboard, the forgotten-
password path (the old password and the old API token fail afterwards), two-factor enrolment
and sign-in, and an admin refused the admin until they set up two-factor sign-in.

Every page opened is checked with axe-core (zero serious/critical violations), and every page
of the learner's journeys fits a 390 px wide phone without sideways scrolling. E-mails are
read from Django's locmem outbox (the live server runs in this process).
"""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail

from reflect import roles as R
from tests.factories import CohortFactory, LearnerFactory, UserFactory, api_token

NEW = "Harbour-lights-2026"


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{page.url} scrolls sideways: {width}px wide in a {viewport}px window"


def check_page(page, check_a11y, shot, name, phone=False):
    check_a11y(page)
    if phone:
        no_sideways_scroll(page)
    shot(page, name)


def link_from(message, start):
    match = re.search(r"https?://[^/\s]+(" + re.escape(start) + r"\S+)", message.body)
    assert match, message.body
    return match.group(1)


def totp_code(secret):
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


def wait_for_mail(count=1, timeout=10):
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mail.outbox) >= count, "no e-mail was sent"


@pytest.fixture
def admin(browser_data):
    CohortFactory(name="Cohort Invite")
    return UserFactory(username="b_admin", roles=(R.ADMIN,), is_staff=True, is_superuser=True)


def test_csv_import_invitation_password_sign_in_dashboard(
    admin, browser_page, phone_page, login, check_a11y, shot, tmp_path, settings, live_server
):
    settings.SITE_BASE_URL = live_server.url
    mail.outbox.clear()
    page = browser_page
    login(page, "b_admin")
    page.goto("/admin/portfolio/import/")
    check_page(page, check_a11y, shot, "import")
    csv = tmp_path / "members.csv"
    csv.write_text(
        "username,first_name,last_name,email,cohort\nzara,Zara,Ahmed,zara@example.org,Cohort Invite\n"
    )
    page.get_by_label("Cohort members").check()
    page.set_input_files("input[type=file]", str(csv))
    page.get_by_role("button", name="Check and import").click()
    page.wait_for_load_state()
    assert "invitation to choose a password goes to zara@example.org" in page.content()
    check_page(page, check_a11y, shot, "import-checked")
    page.get_by_role("button", name="Import now").click()
    page.wait_for_load_state()
    check_page(page, check_a11y, shot, "import-done")
    wait_for_mail()
    (message,) = mail.outbox
    assert message.to == ["zara@example.org"] and "Dear Zara Ahmed," in message.body
    # The learner, on a phone, opens the link.
    learner = phone_page
    learner.goto(link_from(message, "/accounts/invitation/"))
    assert learner.get_by_role("heading", name="Welcome, Zara Ahmed").is_visible()
    check_page(learner, check_a11y, shot, "invitation", phone=True)
    learner.get_by_label("New password", exact=True).fill("short")
    learner.get_by_label("New password again").fill("short")
    learner.get_by_role("button", name="Save my password").click()
    assert learner.locator(".field-error").first.is_visible()
    check_page(learner, check_a11y, shot, "invitation-error", phone=True)
    learner.get_by_label("New password", exact=True).fill(NEW)
    learner.get_by_label("New password again").fill(NEW)
    learner.get_by_role("button", name="Save my password").click()
    learner.wait_for_url("**/accounts/login/")
    assert "Your password is set" in learner.content()
    check_page(learner, check_a11y, shot, "sign-in-after-invitation", phone=True)
    learner.get_by_label("Username or e-mail address").fill("zara")
    learner.get_by_label("Password").fill(NEW)
    learner.get_by_role("button", name="Sign in").click()
    learner.wait_for_url("**/portfolio/")
    assert learner.get_by_role("heading", name="My portfolio").is_visible()
    check_page(learner, check_a11y, shot, "dashboard", phone=True)
    # The link worked once.
    learner.goto(link_from(message, "/accounts/invitation/"))
    assert "already been used" in learner.content()
    check_page(learner, check_a11y, shot, "invitation-used", phone=True)


def test_forgotten_password_from_sign_in_page(browser_data, phone_page, check_a11y, shot, live_server):
    person = LearnerFactory(username="b_forgot", first_name="Femi", email="femi@example.org")
    token = api_token(person)
    mail.outbox.clear()
    page = phone_page
    page.goto("/accounts/login/")
    check_page(page, check_a11y, shot, "sign-in", phone=True)
    page.get_by_role("link", name="Forgotten your password?").click()
    check_page(page, check_a11y, shot, "forgotten", phone=True)
    page.get_by_label("E-mail address").fill("femi@example.org")
    page.get_by_role("button", name="E-mail me a link").click()
    page.wait_for_url("**/password/reset/done/")
    assert page.get_by_role("heading", name="Check your e-mail").is_visible()
    check_page(page, check_a11y, shot, "check-email", phone=True)
    wait_for_mail()
    page.goto(link_from(mail.outbox[0], "/accounts/password/reset/key/"))
    assert page.get_by_role("heading", name="Choose a new password").is_visible()
    check_page(page, check_a11y, shot, "new-password", phone=True)
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("New password again").fill(NEW)
    page.get_by_role("button", name="Save my new password").click()
    page.wait_for_url("**/password/reset/key/done/")
    check_page(page, check_a11y, shot, "password-changed", phone=True)
    # The old password fails...
    page.get_by_role("link", name="Sign in").last.click()
    page.get_by_label("Username or e-mail address").fill("b_forgot")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    check_page(page, check_a11y, shot, "old-password-refused", phone=True)
    # ...and so does the old API token.
    response = page.request.get(f"{live_server.url}/api/v1/me/", headers={"Authorization": f"Token {token}"})
    assert response.status == 401
    # The new password works.
    page.get_by_label("Username or e-mail address").fill("femi@example.org")
    page.get_by_label("Password").fill(NEW)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/portfolio/")


def test_two_factor_enrolment_and_sign_in(browser_data, phone_page, login, check_a11y, shot):
    LearnerFactory(username="b_twofa")
    page = phone_page
    login(page, "b_twofa")
    page.get_by_role("link", name="My account").click()
    check_page(page, check_a11y, shot, "my-account", phone=True)
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    check_page(page, check_a11y, shot, "two-factor", phone=True)
    page.get_by_role("link", name="Activate").click()
    # allauth asks for the password again before sign-in methods change.
    assert "/accounts/reauthenticate/" in page.url
    check_page(page, check_a11y, shot, "confirm-it-is-you", phone=True)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/2fa/totp/activate/")
    check_page(page, check_a11y, shot, "activate", phone=True)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_load_state()
    assert "/2fa/recovery-codes/" in page.url, page.url
    check_page(page, check_a11y, shot, "recovery-codes", phone=True)
    assert len(page.locator("#recovery_codes").input_value().split()) >= 8
    # Next sign-in asks for the code.
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail address").fill("b_twofa")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/2fa/authenticate/")
    check_page(page, check_a11y, shot, "enter-code", phone=True)
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator(".field-error").first.is_visible()
    check_page(page, check_a11y, shot, "wrong-code", phone=True)
    time.sleep(0.5)
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/portfolio/")


def test_admin_without_second_factor_is_refused_the_admin(
    admin, phone_page, login, check_a11y, shot, settings
):
    settings.REQUIRE_MFA_FOR_STAFF = True
    page = phone_page
    login(page, "b_admin")
    page.goto("/admin/")
    page.wait_for_url("**/accounts/2fa/")
    assert "Your role needs two-factor sign-in" in page.content()
    check_page(page, check_a11y, shot, "mfa-required", phone=True)
    page.goto("/admin/reflect/invitations/")
    assert page.url.endswith("/accounts/2fa/")
