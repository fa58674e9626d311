"""A person's API tokens page (issue 13, item 4) in Chromium: axe-clean, and a token is revoked
with its button, by keyboard."""

from __future__ import annotations

from reflect import roles as R
from reflect import tokens
from reflect.models import ApiToken
from tests.factories import UserFactory


def test_token_page_lists_and_revokes(browser_page, login, check_a11y, csp_watch):
    user = UserFactory(username="t_examiner", roles=(R.EXAMINER,))
    _, first = tokens.issue(user, client="panel-tool/2.1")
    _, second = tokens.issue(user)
    page = browser_page
    watch = csp_watch(page)
    login(page, "t_examiner")
    page.goto("/accounts/api-tokens/")
    check_a11y(page)
    assert page.get_by_text(first[:8]).is_visible() and page.get_by_text("panel-tool/2.1").is_visible()
    page.get_by_role("button", name=f"Revoke the token starting {first[:8]}").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Token revoked").wait_for()
    check_a11y(page)
    assert list(ApiToken.objects.filter(user=user).values_list("prefix", flat=True)) == [second[:8]]
    assert watch() == []
