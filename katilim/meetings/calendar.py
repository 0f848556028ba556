"""Meetings as calendar files (iCalendar, RFC 5545), for a calendar program to subscribe to.

Every link and the events' UIDs come from the configured site address (core/urls.py), never
from the request's Host header. Times are written in UTC, which every calendar program reads
and shows in its own zone.
"""

from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from katilim.core.urls import absolute_url, site_url
from katilim.meetings.models import Meeting, MeetingStatus

# A meeting without an end time is shown this long in a calendar.
DEFAULT_LENGTH = timedelta(hours=2)


def _uid(meeting: Meeting, host: str) -> str:
    return f"meeting-{meeting.id}@{host}"


def _location(meeting: Meeting) -> str:
    parts = [meeting.place_name, (meeting.address or "").replace("\n", ", "), meeting.online_url]
    return ", ".join(p for p in parts if p)


def _event(meeting: Meeting, host: str) -> Event:
    event = Event()
    event.add("uid", _uid(meeting, host))
    event.add("dtstamp", meeting.updated_at)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH)
    event.add("summary", f"{meeting.body.name}: {meeting.title}")
    location = _location(meeting)
    if location:
        event.add("location", location)
    url = absolute_url("meetings.detail", meeting_id=meeting.id)
    event.add("url", url)
    description = "\n\n".join(p for p in (meeting.description, url) if p)
    event.add("description", description)
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    return event


def calendar_file(meetings: Iterable[Meeting], name: str) -> bytes:
    """One VCALENDAR with a VEVENT per meeting."""
    host = urlsplit(site_url()).hostname or "localhost"
    calendar = Calendar()
    calendar.add("prodid", f"-//{host}//Katilim meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for meeting in meetings:
        calendar.add_component(_event(meeting, host))
    return calendar.to_ical()
