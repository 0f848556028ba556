"""Reading numbers and choices from a request: the one way every route does it.

A value that is not what the route expects is treated as absent (the default), never as an
error of the server: ``?page=²`` shows the first page, ``?reply=9999…`` (400 digits) opens no
reply form. The rules:

- an integer is written with ASCII digits only, an optional leading minus, at most
  ``MAX_DIGITS`` digits: Python's ``int()`` also reads "٣" (Arabic-Indic), "３" (full width),
  "1_000" and " 7 ", which the database and every other reader would not, and ``isdigit()``
  accepts "²", which ``int()`` then refuses;
- it must lie within the bounds the caller gives; database ids are bounded by ``MAX_ID``
  (PostgreSQL's integer), so a longer number is "no such item", not an overflow;
- a choice must be one of the given values exactly.

Forms use the same rules through ``katilim.core.forms.BoundedIntegerField``.
"""

import re
from collections.abc import Container, Mapping
from datetime import date

from flask import request

MAX_ID = 2**31 - 1  # PostgreSQL's integer, the type of every id column
MAX_DIGITS = 18  # far beyond any bound used here, short enough to read in no time
MAX_PAGE = 10_000
_INTEGER = re.compile(rf"-?[0-9]{{1,{MAX_DIGITS}}}")


def parse_int(raw: object, *, min: int | None = None, max: int | None = None) -> int | None:
    """The integer that ``raw`` writes, within [min, max]; None when it is not one.

    Accepts an ``int`` as it is (a schema may have converted the value already); ``bool``
    and everything else that is not a string are refused.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _INTEGER.fullmatch(raw):
        value = int(raw)
    else:
        return None
    if (min is not None and value < min) or (max is not None and value > max):
        return None
    return value


def parse_id(raw: object) -> int | None:
    """A database id (1 to MAX_ID) written in ``raw``, or None."""
    return parse_int(raw, min=1, max=MAX_ID)


def _args(args: Mapping | None) -> Mapping:
    return request.args if args is None else args


def int_arg(
    name: str,
    default: int | None = None,
    *,
    min: int | None = None,
    max: int | None = None,
    args: Mapping | None = None,
) -> int | None:
    """The query parameter ``name`` as an integer within [min, max], else ``default``.

    ``args`` is the query string by default; a caller that parsed its own (the API's
    schema) passes that mapping. A repeated parameter counts with its first value.
    """
    value = parse_int(_args(args).get(name), min=min, max=max)
    return default if value is None else value


def id_arg(name: str, *, args: Mapping | None = None) -> int | None:
    """The query parameter ``name`` as a database id, else None."""
    return int_arg(name, None, min=1, max=MAX_ID, args=args)


def page_arg(args: Mapping | None = None, name: str = "page") -> int:
    """The page number of a list: 1 to MAX_PAGE, the first page for anything else."""
    page = int_arg(name, 1, min=1, max=MAX_PAGE, args=args)
    return 1 if page is None else page


def choice_arg(
    name: str, choices: Container[str], default: str = "", *, args: Mapping | None = None
) -> str:
    """The query parameter ``name`` when it is exactly one of ``choices``, else ``default``."""
    value = _args(args).get(name)
    return value if isinstance(value, str) and value in choices else default


def text_arg(name: str, max_length: int, *, args: Mapping | None = None) -> str:
    """A free-text query parameter (a search, a slug to look up): NUL bytes dropped, spaces
    trimmed, cut to ``max_length`` characters. Empty when absent."""
    value = _args(args).get(name)
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").strip()[:max_length]


def parse_iso_date(raw: object) -> date | None:
    """A YYYY-MM-DD date, or None for anything else (a stored value named in a timeline
    event; never a reason for a 500)."""
    if not isinstance(raw, str) or len(raw) != 10:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None
