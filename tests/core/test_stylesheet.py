"""Pages link the small stylesheet, and it is the commented one without comments and spaces."""

import re

from katilim.core import stylesheet


def test_the_small_stylesheet_is_built_from_the_current_source():
    source = stylesheet.SOURCE.read_text(encoding="utf-8")
    assert stylesheet.MINIFIED.read_text(encoding="utf-8") == stylesheet.minified(source), (
        "static/css/site.css changed: run `flask --app katilim build-css`"
    )


def test_the_small_stylesheet_is_smaller_and_keeps_every_rule():
    source = stylesheet.SOURCE.read_text(encoding="utf-8")
    small = stylesheet.minified(source)
    assert len(small) < 0.85 * len(source)
    assert "/*" not in small
    without_comments = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    assert small.count("{") == without_comments.count("{")


def test_pages_link_the_small_stylesheet(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/static/css/site.min.css"' in page
    assert client.get("/static/css/site.min.css").status_code == 200
