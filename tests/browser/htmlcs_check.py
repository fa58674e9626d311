"""The second accessibility checker: HTML_CodeSniffer (the engine pa11y runs), beside axe-core.

`check_a11y` (conftest.py) runs both on every page it is handed. HTML_CodeSniffer comes from
npm (tests/browser/htmlcs/package-lock.json, `npm ci` there: `make test` and .ci/run do it).
Where it is missing (a machine without npm), the check is skipped with a loud warning, except
when REFLECT_REQUIRE_HTMLCS=1 (set by .ci/run), where a missing checker fails the test.

How it gets into the page: its built script is evaluated through Playwright's
`page.evaluate`, the way axe-playwright-python injects axe-core. That runs over the DevTools
protocol, which a page's Content-Security-Policy does not govern, so the site's CSP stays
exactly as served (no `bypass_csp`, no inline <script> the CSP would have to allow): the
pages are tested with the policy real visitors get, and the csp_watch tests still see every
violation of it.
"""

from __future__ import annotations

import os
import warnings
from functools import cache
from pathlib import Path

HTMLCS_DIR = Path(__file__).resolve().parent / "htmlcs"
HTMLCS_JS = HTMLCS_DIR / "node_modules" / "@pa11y" / "html_codesniffer" / "build" / "HTMLCS.js"
STANDARD = "WCAG2AA"

# Errors left out, each with why: (message code prefix, element prefix or "" for any element).
# The element is as `describe` below writes it: tag, then #id, [name] or .classes.
IGNORED: dict[tuple[str, str], str] = {
    # Wagtail's editing-sessions form (on every edit view) is posted by its own script every
    # few seconds to say who else is editing; nobody submits it, so it needs no submit button.
    ("WCAG2AA.Principle3.Guideline3_2.3_2_2.H32.2", "form.w-editing-sessions"): "Wagtail's script-only form",
}
# Set REFLECT_HTMLCS_LOG=<file> to append one line per checked page: URL, errors, ignored.
LOG = os.environ.get("REFLECT_HTMLCS_LOG")

RUN = """
(standard) => new Promise((resolve, reject) => {
  const describe = (el) => {
    if (!el || !el.tagName) return String(el && el.nodeName || "document");
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    else if (el.getAttribute && el.getAttribute("name")) s += `[name="${el.getAttribute("name")}"]`;
    else if (el.classList && el.classList.length) s += "." + [...el.classList].slice(0, 3).join(".");
    const html = (el.outerHTML || "").replace(/\\s+/g, " ").slice(0, 160);
    return s + "  " + html;
  };
  // Like axe-core, only what is rendered: an element that is display:none or
  // visibility:hidden (itself or by an ancestor, e.g. a `hidden` input, a closed date picker)
  // is in no one's accessibility tree. Messages about the document itself are all kept.
  const rendered = (el) => !el || el.nodeType !== 1 || el === document.documentElement
    || el.checkVisibility({ visibilityProperty: true });
  try {
    HTMLCS.process(standard, document, () => {
      resolve(HTMLCS.getMessages().filter((m) => m.type === HTMLCS.ERROR && rendered(m.element)).map((m) => ({
        code: m.code, msg: m.msg, element: describe(m.element),
      })));
    }, (e) => reject(String(e)), "en");
  } catch (e) { reject(String(e)); }
})
"""


@cache
def _script() -> str | None:
    return HTMLCS_JS.read_text() if HTMLCS_JS.is_file() else None


def _required() -> bool:
    return os.environ.get("REFLECT_REQUIRE_HTMLCS") == "1"


def htmlcs_errors(page) -> list[dict] | None:
    """The page's WCAG 2 AA errors by HTML_CodeSniffer (ignored codes left out); None if the
    checker is not installed and not required."""
    script = _script()
    if script is None:
        message = (
            f"HTML_CodeSniffer NOT RUN: {HTMLCS_JS} is missing; run `make htmlcs` "
            "(npm ci in tests/browser/htmlcs). Only axe-core checked this page."
        )
        if _required():
            raise AssertionError(message + " REFLECT_REQUIRE_HTMLCS=1 requires it.")
        warnings.warn(message, stacklevel=2)
        return None
    if not page.evaluate("typeof window.HTMLCS !== 'undefined'"):
        # Its UMD wrapper would register with an AMD `define` or CommonJS `exports` if a page
        # had one; shadowed here so it always becomes `window.HTMLCS`.
        page.evaluate(f"(function (define, exports, module) {{\n{script}\n}}).call(window)")
    found = page.evaluate(RUN, STANDARD)
    kept = [e for e in found if not _ignored(e)]
    if LOG:
        with open(LOG, "a") as log:
            log.write(f"{page.url}\t{len(kept)}\t{len(found) - len(kept)}\n")
    return kept


def _ignored(error: dict) -> bool:
    return any(
        error["code"].startswith(code) and error["element"].startswith(element) for code, element in IGNORED
    )


def assert_htmlcs_clean(page) -> None:
    errors = htmlcs_errors(page)
    if errors:
        listing = "\n".join(f"- {e['code']}\n  {e['element']}\n  {e['msg']}" for e in errors[:20])
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise AssertionError(
            f"HTML_CodeSniffer ({STANDARD}) found {len(errors)} error(s) on {page.url}:\n{listing}{more}"
        )
