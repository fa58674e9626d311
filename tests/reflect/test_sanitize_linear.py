"""The sanitiser is a single-pass tokenizer and a bounded tree builder (issue #13, item 0):
adversarial input costs time in proportion to its length, and the output guarantees stay
(allow-list, protocols, structural repairs, idempotence, the "< " defusing of plain text).

Timings are measured by `bench/sanitize.py`, not here. The one test below with a clock is a
watchdog with a 50-fold margin: the backtracking regular expression it replaced needed
minutes for the same input, the sanitiser needs well under a second."""

from __future__ import annotations

import re
import signal
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reflect.sanitize import DROPPED_WITH_CONTENT, MAX_NESTING, sanitize_html, to_plain_text
from tests.portfolio.test_sanitize_corpora import problems

TAG_START = re.compile(r"<[A-Za-z!/?]")
PIECES = [
    "<p>", "</p>", "<b>", "</b>", "<i>", "</i>", "<em>", "<strong>", "</u>", "<u>", "<a href='https://e.org'>",
    "<a href='javascript:alert(1)'>", "<a>", "</a>", "<li>", "</li>", "<ul>", "</ul>", "<ol>", "</ol>",
    "<h2>", "</h2>", "<h3>", "</h3>", "<h4>", "</h4>", "<blockquote>", "</blockquote>", "<br>", "</br>",
    "<div>", "</div>", "<script>", "</script>", "<svg>", "</svg>", "<title>", "</title>", "<table>", "<td>",
    "x", " ", "\n", "\x0e", "&amp;", "&lt;b&gt;", "&nbsp;", "&#0;", "<!--", "-->", "<", ">", "&", '"', "'",
    "=", "/",
]  # fmt: skip


@contextmanager
def watchdog(seconds: int):
    def expired(signum, frame):
        raise TimeoutError(f"still sanitising after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def depth(html: str) -> int:
    """Deepest element nesting of sanitised (well-formed) output."""
    deepest = level = 0
    for part in html.split("<")[1:]:
        if part.startswith("/"):
            level -= 1
        elif not part.startswith("br>"):
            level += 1
            deepest = max(deepest, level)
    return deepest


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60).map("".join))
def test_tag_soup_is_safe_and_a_fixed_point(soup):
    out = sanitize_html(soup)
    assert not problems(out), (soup, out)
    assert sanitize_html(out) == out, soup
    assert not TAG_START.search(to_plain_text(soup)), soup


@pytest.mark.parametrize("unit", ["<b>", "<ul>", "<li>", "<blockquote>", "<i><b>", "<ul><li>", "<b><ul><li>"])
def test_deep_nesting_is_cut_at_the_bound_and_stays_a_fixed_point(unit):
    out = sanitize_html(unit * 200 + "deep text")
    assert "deep text" in out
    assert depth(out) <= MAX_NESTING
    assert sanitize_html(out) == out


@pytest.mark.parametrize("tag", sorted(DROPPED_WITH_CONTENT))
def test_dropped_elements_go_with_their_content_only_when_closed(tag):
    assert sanitize_html(f"<p>a</p><{tag} x=1>code<b>b</b></{tag} >z") == "<p>a</p>z"
    assert to_plain_text(f"a<{tag}>code</{tag}>z") == "az"
    # Never closed: the opener goes, what follows is ordinary text (it was before too).
    assert sanitize_html(f"<{tag}>alert(1) <b>b</b>") == "alert(1) <b>b</b>"
    assert to_plain_text(f"<{tag}>alert(1)") == "alert(1)"


def test_long_numeric_references_do_not_crash():
    # The old to_plain_text raised ValueError (Python's 4,300-digit limit): a 500.
    assert to_plain_text("x&#" + "1" * 5000 + ";") == "x\ufffd"
    assert sanitize_html("x&#x" + "f" * 5000 + ";") == "x\ufffd"
    assert sanitize_html("&#" + "9" * 20) == "&amp;#" + "9" * 20  # no ";": not a reference


def test_references_and_controls():
    assert sanitize_html("a &amp; b &lt;c&gt; &copy; Tom&nothing") == "a &amp; b &lt;c&gt; © Tom&amp;nothing"
    assert sanitize_html("<a href='&#106;avascript:alert(1)'>x</a>") == "<a>x</a>"
    assert sanitize_html("<a href='\u180ejavascript:alert(1)'>x</a>") == "<a>x</a>"
    assert sanitize_html("<a href='https://e.org/?a=1&amp;b=2' title='T&quot;'>x</a>") == (
        '<a href="https://e.org/?a=1&amp;b=2" title="T&quot;">x</a>'
    )
    assert sanitize_html("a\x00b\x01c\ud800") == "ab?c\ufffd"
    assert to_plain_text("<p>NHS</p><p>943 476 5919</p>") == "NHS\n943 476 5919"
    assert to_plain_text("<\x0e") == "< ?"  # the "?" stands in for a control, and cannot open a tag


def test_adversarial_input_finishes_quickly():
    """A watchdog, not a measurement (see the module docstring)."""
    blob = "".join(f"<{tag}>" * 1200 for tag in sorted(DROPPED_WITH_CONTENT))  # ~130 KB of openers
    blob += "<b><ul><li>" * 3000 + "&amp;" * 5000 + "<a title='" + "&lt;" * 5000 + "'>x"
    with watchdog(30):
        out = sanitize_html(blob)
        plain = to_plain_text(blob)
    assert sanitize_html(out) == out
    assert not problems(out)
    assert "x" in plain
