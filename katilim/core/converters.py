"""URL converters."""

from werkzeug.routing import BaseConverter, IntegerConverter

from katilim.core.params import MAX_ID

__all__ = ["MAX_ID", "IdConverter", "SlugConverter"]


class IdConverter(IntegerConverter):
    """A database id in a URL: a positive integer that fits the id column.

    ASCII digits only, ten at most (katilim.core.params): Werkzeug's ``\\d`` also matches
    "٣" and "３", which would give /proposals/٣ the page of /proposals/3; a longer number
    or one beyond MAX_ID is a 404, never an overflow in the database.
    """

    regex = r"[0-9]{1,10}"

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)


class SlugConverter(BaseConverter):
    """A body's or district's slug in a URL: lower-case ASCII letters, digits and hyphens.

    Anything else (capitals, NUL bytes, 5,000 characters) is a 404 before a view or the
    database sees it.
    """

    regex = r"[a-z0-9][a-z0-9-]{0,59}"
