"""Helpers for the meeting tests: the details of a meeting to schedule, and one scheduled."""

from datetime import timedelta

from katilim.core.models import utcnow
from katilim.meetings.services import MeetingData, schedule_meeting


def data(days: float = 7, **kw) -> MeetingData:
    values = {
        "title": "Aylık toplantı",
        "starts_at": (utcnow() + timedelta(days=days)).replace(microsecond=0),
        "place_name": "Kent Konseyi salonu",
        "address": "Ömerağa Mah. 1",
        "is_step_free": True,
    }
    values.update(kw)
    return MeetingData(**values)


def scheduled(actor, body, days: float = 7, **kw):
    return schedule_meeting(actor, body, data(days, **kw))
