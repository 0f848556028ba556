"""The calendar files: valid iCalendar that a calendar program can read."""

from datetime import UTC, timedelta

import pytest
from icalendar import Calendar

from katilim.auth.models import SiteRole
from katilim.extensions import db
from katilim.meetings.services import cancel_meeting
from katilim.organization.models import Membership, MembershipRole
from tests.factories import get_body, make_user
from tests.meetings.helpers import scheduled


@pytest.fixture
def meetings(app, council, monkeypatch):
    monkeypatch.setitem(app.config, "SITE_URL", "https://katilim.example.org")
    with app.app_context():
        body = get_body("ulasim")
        chair = make_user("Başkan")
        db.session.add(Membership(user_id=chair.id, body_id=body.id, role=MembershipRole.CHAIR))
        db.session.flush()
        online = scheduled(
            chair, body, days=3, title="Çevrim içi", online_url="https://meet.example.org/x"
        )
        cancelled = scheduled(chair, body, days=5, title="İptal edilen")
        cancel_meeting(chair, cancelled, "Salon yok.")
        other = scheduled(
            make_user("Yönetici", role=SiteRole.ADMIN),
            get_body("cevre-iklim"),
            days=4,
            title="Çevre",
        )
        db.session.commit()
        return {
            "online": (online.id, online.starts_at),
            "cancelled": cancelled.id,
            "other": other.id,
        }


def parse(response) -> Calendar:
    assert response.status_code == 200
    assert response.content_type.startswith("text/calendar")
    return Calendar.from_ical(response.data)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_every_meeting_in_the_council_feed(client, meetings):
    calendar = parse(client.get("/meetings.ics"))
    assert str(calendar["version"]) == "2.0"
    found = events(calendar)
    assert len(found) == 3
    assert sorted(title.split(": ", 1)[1] for title in found) == [
        "Çevre",
        "Çevrim içi",
        "İptal edilen",
    ]


def test_one_meeting(client, meetings):
    meeting_id, starts_at = meetings["online"]
    calendar = parse(client.get(f"/meetings/{meeting_id}.ics"))
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == f"meeting-{meeting_id}@katilim.example.org"
    assert str(event["url"]) == f"https://katilim.example.org/meetings/{meeting_id}"
    start = event.decoded("dtstart")
    assert start.astimezone(UTC) == starts_at
    assert event.decoded("dtend") - start == timedelta(hours=2)
    assert "https://meet.example.org/x" in str(event["location"])
    assert str(event["status"]) == "CONFIRMED"


def test_a_cancelled_meeting_says_so(client, meetings):
    calendar = parse(client.get(f"/meetings/{meetings['cancelled']}.ics"))
    (event,) = calendar.walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"


def test_a_body_feed_has_only_its_meetings(client, meetings):
    calendar = parse(client.get("/bodies/ulasim/meetings.ics"))
    uids = {str(e["uid"]) for e in calendar.walk("VEVENT")}
    assert f"meeting-{meetings['other']}@katilim.example.org" not in uids
    assert len(uids) == 2
    assert client.get("/bodies/nope/meetings.ics").status_code == 404
    assert client.get("/meetings/999999.ics").status_code == 404
