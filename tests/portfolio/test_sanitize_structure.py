"""The sanitiser's structural repairs: what is safe must also be readable by a screen reader."""

import pytest

from reflect.sanitize import sanitize_html, to_plain_text


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("<li>a</li><li>b</li>", "<ul><li>a</li></ul><ul><li>b</li></ul>"),
        ("<ol><li>kept</li></ol>", "<ol><li>kept</li></ol>"),
        ('<p>x <a href="https://a.example"></a>y</p>', "<p>x y</p>"),
        ('<a href="https://a.example"><br></a>t', "<br>t"),
        (
            '<p><a href="https://a.example"><b>B</b></a></p>',
            '<p><a href="https://a.example"><b>B</b></a></p>',
        ),
        ("<p>open <b>bold", "<p>open <b>bold</b></p>"),
        ("a &amp; b &lt;c&gt;", "a &amp; b &lt;c&gt;"),
    ],
)
def test_repairs_and_keeps(raw, expected):
    assert sanitize_html(raw) == expected
    assert sanitize_html(expected) == expected


def test_plain_text_never_holds_a_tag_start():
    assert to_plain_text("thanks <img src=x onerror=alert(1)") == "thanks < img src=x onerror=alert(1)"
    assert to_plain_text("a < b and c > d") == "a < b and c > d"
