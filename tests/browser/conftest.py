"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

Every page a browser test opens is checked with axe-core (`check_a11y`): zero serious or
critical violations; and with HTML_CodeSniffer beside it (zero WCAG 2 AA errors;
tests/browser/htmlcs_check.py). Screenshots go to `test-artifacts/<test file>/`.

Skipped, with a plain reason, when /usr/bin/chromium is missing (`make test` says so too).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (factories) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if not os.path.exists(CHROMIUM):
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} not found: apt-get install -y chromium"))


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def _browser(_playwright):
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )
    yield browser
    browser.close()


@pytest.fixture
def browser_data(_browser, live_server, transactional_db):
    """Browser tests need committed data (the live server runs in another thread), so they
    use a transactional database (tests/conftest.py restores the migrated data for it)."""
    from portfolio.setup import ensure_portfolio_page

    ensure_portfolio_page()


@pytest.fixture
def browser_page(_browser, live_server, browser_data):
    """A fresh Playwright page (1366×768 laptop) whose relative URLs go to the live server.

    Fails the test if any dialog (alert/confirm/prompt) opens: no script of ours uses them
    and an injected one must never run.
    """
    context = _browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    context._reflect_base_url = live_server.url
    page = context.new_page()
    page.dialogs = []

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.console_errors = []
    page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
    page.set_default_timeout(15000)
    yield page
    context.close()
    assert page.dialogs == [], f"a dialog opened: {page.dialogs}"


@pytest.fixture
def phone_page(_browser, live_server, browser_data):
    """Like `browser_page`, on a phone-sized window (390×844, touch)."""
    context = _browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.set_default_timeout(15000)
    yield page
    context.close()
    assert page.dialogs == [], f"a dialog opened: {page.dialogs}"


@pytest.fixture
def login():
    """`login(page, username, password="pw")`: sign in through the site's own form."""

    def do(page, username: str, password: str = "pw"):
        page.context.clear_cookies()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"sign-in failed for {username}"

    return do


@pytest.fixture
def check_a11y():
    """`check_a11y(page)`: run axe-core on the current page (no serious/critical violations)
    and HTML_CodeSniffer beside it (no WCAG 2 AA errors; tests/browser/htmlcs_check.py)."""
    from axe_playwright_python.sync_playwright import Axe

    from .htmlcs_check import assert_htmlcs_clean

    axe = Axe()

    def check(page, context=None):
        # Let CSS animations end first (Wagtail's messages fade in): axe reads colours as
        # painted, and a half-faded banner is not the contrast anyone reads.
        page.evaluate(
            "Promise.race([Promise.all(document.getAnimations().filter(a => isFinite("
            "a.effect?.getComputedTiming().endTime ?? Infinity)).map(a => a.finished)),"
            " new Promise(r => setTimeout(r, 3000))])"
        )
        results = axe.run(page, context=context)
        bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        summary = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(
                n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                for n in v["nodes"][:5]
            )
            for v in bad
        )
        assert not bad, f"axe-core found serious/critical violations on {page.url}:\n{summary}"
        assert_htmlcs_clean(page)
        return results

    return check


@pytest.fixture
def shot(request):
    """`shot(page, name)`: save a full-page screenshot as a test artefact."""
    folder = ARTIFACTS / Path(str(request.fspath)).stem
    folder.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def take(page, name: str):
        counter["n"] += 1
        safe = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-")
        test = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name)[:60]
        path = folder / f"{test}-{counter['n']:02d}-{safe}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile || "?"}:${e.lineNumber}`
    + (e.sample ? ` (${e.sample})` : "")
  );
});
"""


@pytest.fixture
def csp_watch():
    """`watch = csp_watch(page)`; later `watch()` → the page's Content-Security-Policy
    violations since the last call (securitypolicyviolation events, from every document the
    page loaded, and the console's CSP reports). Requests to any other origin count too."""

    def install(page):
        seen: list[str] = []
        page.add_init_script(CSP_LISTENER)
        page.on(
            "console",
            lambda msg: "Content Security Policy" in msg.text and seen.append(f"console: {msg.text}"),
        )
        origin = page.context._reflect_base_url if hasattr(page.context, "_reflect_base_url") else None

        def on_request(request):
            url = request.url
            if url.startswith(("http://", "https://")) and origin and not url.startswith(origin):
                seen.append(f"request to another origin: {url}")

        page.on("request", on_request)

        def read() -> list[str]:
            try:
                events = page.evaluate("window.__cspViolations || []")
                page.evaluate("window.__cspViolations = []")
            except Exception:  # noqa: BLE001 - a page mid-navigation: read again next time
                events = []
            found = seen + [f"event: {e}" for e in events]
            seen.clear()
            return found

        return read

    return install
