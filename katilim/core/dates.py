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


def local_day(moment: datetime) -> date:
    """The calendar day of a moment in the council's time zone (a meeting at 01:00 in
    Istanbul is on that day, though it is the evening before in UTC)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    if moment.tzinfo is None:  # stored as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).date()


def local_moment(day: date, at: time) -> datetime:
    """A day and a clock time in the council's time zone (as a form gives them), in UTC."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, at, zone).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    """A stored moment in the council's time zone (to fill a form's day and time)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    if moment.tzinfo is None:  # stored as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone)
