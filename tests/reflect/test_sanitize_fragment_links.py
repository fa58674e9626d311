"""Links to a place in the page ("#part") cannot lead anywhere from a learner's text."""


def test_a_link_to_a_place_in_the_page_keeps_its_words_but_leads_nowhere():
    from reflect.sanitize import sanitize_html

    out = sanitize_html('<p><a href="#some-code-here">invisible</a> and <a href=" #x">two</a></p>')
    assert "href" not in out and "invisible" in out and "two" in out
    kept = sanitize_html('<p><a href="https://example.org/#part">there</a></p>')
    assert 'href="https://example.org/#part"' in kept
