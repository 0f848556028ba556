"""URL converters."""

from werkzeug.routing import BaseConverter, IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL's integer: a longer number in a URL is a 404, not a 500


class IdConverter(IntegerConverter):
    """A database id in a URL: a positive integer that fits the id column."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)


class SlugConverter(BaseConverter):
    """A body's or district's slug in a URL: lower-case ASCII letters, digits and hyphens.

    Anything else (capitals, NUL bytes, 5,000 characters) is a 404 before a view or the
    database sees it.
    """

    regex = r"[a-z0-9][a-z0-9-]{0,59}"
