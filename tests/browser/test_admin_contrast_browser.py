"""Colours in the Wagtail admin (issue 15), measured as Chromium paints them: the edge of every
select box and text field (in the filter drawers too, open or not) is at least 4.5:1 against
its background (a field drawn without a border, like the sidebar's search, is not one), and a
rubric's "Retired" status tag is plain text on a plain background (no stripes), 4.5:1 too."""

from __future__ import annotations

from .test_admin_browser import admin_login, programme  # noqa: F401 - the fixture

# WCAG 2 relative luminance and contrast ratio of two computed `rgb()` colours.
MEASURE = """(selector) => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => {
    const [r, g, b] = rgb(c).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const behind = (el) => {
    for (let e = el.parentElement; e; e = e.parentElement) {
      const c = getComputedStyle(e).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(c) && c !== "transparent") return c;
    }
    return "rgb(255, 255, 255)";
  };
  return [...document.querySelectorAll(selector)].map((el) => {
    const s = getComputedStyle(el);
    const own = /rgba\\(.*, 0\\)$/.test(s.backgroundColor) ? behind(el) : s.backgroundColor;
    return {
      what: el.outerHTML.slice(0, 80), text: ratio(s.color, own), border: ratio(s.borderTopColor, behind(el)),
      image: s.backgroundImage, edge: parseFloat(s.borderTopWidth),
    };
  });
}"""


def test_admin_field_edges_and_retired_status_have_contrast(programme, browser_page, check_a11y):  # noqa: F811
    page = browser_page
    admin_login(page, "a_admin")
    fields = []
    for url in ("/admin/portfolio/reflections/", "/admin/snippets/portfolio/panel/", "/admin/users/"):
        page.goto(url)
        fields += page.evaluate(MEASURE, "select, input[type=text], textarea")
    assert any(f["what"].startswith("<select") for f in fields)
    weak = [f for f in fields if f["edge"] > 0 and f["border"] < 4.5]
    assert weak == [], weak

    page.goto("/admin/snippets/rubrics/rubric/")
    check_a11y(page)
    tags = page.evaluate(MEASURE, ".w-status")
    retired = [t for t in tags if "Retired" in t["what"] or "retired" in t["what"].lower()]
    assert retired, tags
    for tag in retired:
        assert tag["image"] == "none", tag
        assert tag["text"] >= 4.5 and tag["border"] >= 3, tag
