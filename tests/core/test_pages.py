"""The proposal list's page object behaves as Flask-SQLAlchemy's pagination does in templates."""

import pytest
from flask_sqlalchemy.pagination import Pagination

from katilim.core.pages import Page


def test_the_numbers_of_a_middle_page():
    page = Page(items=[], page=7, per_page=10, total=200)
    assert (page.pages, page.has_prev, page.prev_num, page.has_next, page.next_num) == (
        20,
        True,
        6,
        True,
        8,
    )
    assert list(page.iter_pages()) == [1, 2, None, 5, 6, 7, 8, 9, 10, 11, None, 19, 20]


def test_an_empty_list_has_no_pages():
    page = Page(items=[], page=1, per_page=20, total=0)
    assert (page.pages, page.has_prev, page.has_next, page.next_num) == (0, False, False, None)
    assert list(page.iter_pages()) == []
    assert page.capped is False


@pytest.mark.parametrize("total", [1, 20, 21, 95, 400, 4000])
@pytest.mark.parametrize("current", [1, 2, 3, 4, 5, 10, 19, 20, 200])
def test_page_links_match_flask_sqlalchemy(total, current):
    page = Page(items=[], page=current, per_page=20, total=total)
    # The library's own algorithm, run on this page's numbers (it reads only page and pages).
    for options in ({}, {"left_edge": 1, "left_current": 1, "right_current": 2, "right_edge": 1}):
        assert list(page.iter_pages(**options)) == list(Pagination.iter_pages(page, **options))  # type: ignore[arg-type]
