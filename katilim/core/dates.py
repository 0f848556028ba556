"""Calendar days in the council's time zone, for filters and retention limits."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app


def local_midnight(day: date) -> datetime:
    """The start of a calendar day in the council's time zone (Europe/Istanbul), in UTC.

    In UTC because SQLite stores the text of a datetime without its offset: an Istanbul time
    compared with the stored UTC times would be three hours off.
    """
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time.min, zone).astimezone(UTC)
