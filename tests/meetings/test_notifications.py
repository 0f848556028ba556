"""What people are told about meetings: in the site and by e-mail, with a link to the meeting."""

from datetime import timedelta

import pytest

from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.meetings.models import Meeting
from katilim.meetings.services import cancel_meeting, register, send_reminders, update_meeting
from katilim.notifications import services
from katilim.notifications.services import follow_body
from tests.factories import get_body, get_council, make_body, make_user
from tests.meetings.helpers import data, scheduled
from tests.notifications.helpers import make_reader, notifications_of, queued


@pytest.fixture
def body(ctx):
    return make_body("ulasim-test")


def test_a_follower_gets_an_email_at_once_with_the_meetings_link(body):
    moderator = make_user("Moderatör", moderates=body)
    reader = make_reader("Okur", frequency="immediate", locale="en")
    follow_body(reader, body)
    meeting = scheduled(moderator, body, title="Tramvay toplantısı")
    (notification,) = notifications_of(reader)
    assert notification.kind == "meeting_scheduled" and notification.meeting_id == meeting.id
    (message,) = queued(reader.email)
    assert message.subject == "News about the meeting “Tramvay toplantısı”"
    assert "will meet on" in message.body_text
    assert f"http://localhost/meetings/{meeting.id}" in message.body_text
    assert "registered for the meeting" in message.body_text


def test_moved_cancelled_and_reminder_emails(body):
    moderator = make_user("Moderatör", moderates=body)
    reader = make_reader("Okur", frequency="immediate", locale="en")
    meeting = scheduled(moderator, body, days=1)
    register(reader, meeting)
    update_meeting(moderator, meeting, data(1.2))
    send_reminders(get_council())
    cancel_meeting(moderator, meeting, "Salon su bastı.")
    texts = [m.body_text for m in queued(reader.email)]
    assert len(texts) == 3
    assert "is moved to" in texts[0]
    assert "Reminder: you registered for the meeting" in texts[1]
    assert "is cancelled" in texts[2] and "Salon su bastı." in texts[2]


def test_the_digest_lists_meeting_news(body):
    moderator = make_user("Moderatör", moderates=body)
    reader = make_reader("Günlük", frequency="daily", locale="en")
    follow_body(reader, body)
    meeting = scheduled(moderator, body, title="Aylık toplantı")
    assert services.send_digests(get_council(), now=utcnow()) == 1
    (message,) = queued(reader.email)
    assert "Aylık toplantı" in message.body_text
    assert f"http://localhost/meetings/{meeting.id}" in message.body_text


def test_the_notifications_page_links_the_meeting(app, council, login):
    with app.app_context():
        body = get_body("ulasim")
        moderator = make_user("Moderatör", moderates=body)
        reader = make_user("Okur")
        follow_body(reader, body)
        meeting = scheduled(moderator, body, title="Aylık toplantı")
        (notification,) = notifications_of(reader)
        ids = (reader.id, meeting.id, notification.id)
        db.session.commit()
    client = login(ids[0])
    page = client.get("/me/notifications").get_data(as_text=True)
    assert "Aylık toplantı" in page and "will meet on" in page
    response = client.get(f"/me/notifications/{ids[2]}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{ids[1]}")


def test_the_notifications_page_runs_the_same_queries_for_2_and_20_meetings(
    app, council, login, count_queries
):
    with app.app_context():
        bodies = [get_body("ulasim"), get_body("cevre-iklim")]
        moderators = [make_user(f"Moderatör {i}", moderates=b) for i, b in enumerate(bodies)]
        reader = make_user("Okur")
        for b in bodies:
            follow_body(reader, b)
        reader_id = reader.id
        for i in range(2):
            scheduled(moderators[i % 2], bodies[i % 2], days=3 + i)
        db.session.commit()
    client = login(reader_id)
    client.get("/me/notifications")
    with count_queries() as small:
        assert client.get("/me/notifications").status_code == 200
    with app.app_context():
        bodies = [get_body("ulasim"), get_body("cevre-iklim")]
        for i in range(18):
            actor = make_user(f"Ek {i}", moderates=bodies[i % 2])
            scheduled(actor, bodies[i % 2], days=5 + i)
        db.session.commit()
    with count_queries() as large:
        assert client.get("/me/notifications").status_code == 200
    assert small.count == large.count


def test_reminders_command(app, council):
    from katilim.meetings.cli import send_meeting_reminders_command

    with app.app_context():
        body = get_body("ulasim")
        moderator = make_user("Moderatör", moderates=body)
        reader = make_user("Okur")
        meeting = scheduled(moderator, body, days=1)
        register(reader, meeting)
        db.session.commit()
        meeting_id = meeting.id
    runner = app.test_cli_runner()
    result = runner.invoke(send_meeting_reminders_command)
    assert "1 meeting" in result.output
    result = runner.invoke(send_meeting_reminders_command)
    assert "0 meeting" in result.output
    with app.app_context():
        reminded = db.session.get(Meeting, meeting_id).reminder_sent_at
        assert reminded is not None and utcnow() - timedelta(minutes=5) < reminded
