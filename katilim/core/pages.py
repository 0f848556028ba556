"""A page of a list whose items and total were found by the caller.

Flask-SQLAlchemy's ``Pagination`` runs its own count and item queries; the proposal list finds
both itself (a kept count, a capped search count, the equity order read group by group), so it
hands the templates this plain page with the same public attributes instead.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from math import ceil
from typing import Any


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int
    # True when a search matched more than the list counts; ``total`` is then that limit.
    capped: bool = False
    # The deepest page that is read, when the list is read only so deep (None: no limit).
    max_page: int | None = None

    @property
    def all_pages(self) -> int:
        """How many pages the total would fill, the unread ones too."""
        return ceil(self.total / self.per_page) if self.total and self.per_page else 0

    @property
    def pages(self) -> int:
        """How many pages can be shown: the links stop at ``max_page``."""
        pages = self.all_pages
        return pages if self.max_page is None else min(pages, self.max_page)

    @property
    def beyond(self) -> bool:
        """True when the page asked for is deeper than the list is read."""
        return self.max_page is not None and self.page > self.max_page

    @property
    def truncated(self) -> bool:
        """True when more items match than the shown pages hold."""
        return self.max_page is not None and self.all_pages > self.max_page

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(
        self,
        *,
        left_edge: int = 2,
        left_current: int = 2,
        right_current: int = 4,
        right_edge: int = 2,
    ) -> Iterator[int | None]:
        """Page numbers for the links: the first ``left_edge``, those around the current page
        and the last ``right_edge``, with None where numbers are skipped (1, 2, None, 5, 6, 7)."""
        end = self.pages + 1
        if end == 1:
            return
        left_end = min(1 + left_edge, end)
        yield from range(1, left_end)
        if left_end == end:
            return
        mid_start = max(left_end, self.page - left_current)
        mid_end = min(self.page + right_current + 1, end)
        if mid_start > left_end:
            yield None
        yield from range(mid_start, mid_end)
        if mid_end == end:
            return
        right_start = max(mid_end, end - right_edge)
        if right_start > mid_end:
            yield None
        yield from range(right_start, end)
