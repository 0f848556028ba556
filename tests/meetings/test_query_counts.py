"""The meeting pages run a fixed number of SQL statements, whatever the number of meetings
or agenda items (docs/architecture.md#tests). Run with -s to see the counts."""

import pytest

from katilim.extensions import db
from katilim.meetings.models import Meeting, MeetingStatus
from katilim.organization.models import Membership, MembershipRole
from tests.factories import get_body, make_proposal, make_user
from tests.meetings.helpers import scheduled

BODIES = ("ulasim", "cevre-iklim", "engelli-meclisi", "genel-kurul")


def add_meetings(how_many: int, start: int = 0) -> None:
    """Meetings spread over several bodies, half to come and half past, with agendas: a lazy
    load per meeting or per body would show in the counts."""
    for i in range(start, start + how_many):
        body = get_body(BODIES[i % len(BODIES)])
        chair = make_user(f"Başkan {i}")
        db.session.add(Membership(user_id=chair.id, body_id=body.id, role=MembershipRole.CHAIR))
        db.session.flush()
        proposal = make_proposal(make_user(f"Yazar {i}"), body=body)
        meeting = scheduled(chair, body, days=3 + i, proposal_ids=[proposal.id])
        if i % 2:
            meeting.starts_at = meeting.starts_at.replace(year=meeting.starts_at.year - 1)
            meeting.status = MeetingStatus.HELD
    db.session.commit()


def add_items(meeting_id: int, how_many: int, start: int = 0) -> None:
    """Agenda items each with a proposal of its own author and body."""
    from katilim.meetings.models import AgendaItem

    meeting = db.session.get(Meeting, meeting_id)
    for i in range(start, start + how_many):
        proposal = make_proposal(make_user(f"Gündem {i}"), body=get_body(BODIES[i % 4]))
        db.session.add(AgendaItem(meeting_id=meeting.id, proposal_id=proposal.id, position=i))
        db.session.add(AgendaItem(meeting_id=meeting.id, text=f"Madde {i}", position=100 + i))
    db.session.commit()


def measure(client, count_queries, url: str) -> int:
    client.get(url)
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


@pytest.mark.parametrize("url", ["/meetings", "/meetings?body=ulasim", "/bodies/ulasim/meetings"])
@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "resident"])
def test_meeting_lists_run_the_same_queries_for_2_and_20_meetings(
    app, client, login, council, count_queries, url, signed_in
):
    with app.app_context():
        add_meetings(2 * (1 if "ulasim" not in url else 4))
        reader_id = make_user("Okur").id
        db.session.commit()
    reader = login(reader_id) if signed_in else client
    small = measure(reader, count_queries, url)
    with app.app_context():
        add_meetings(18 * (1 if "ulasim" not in url else 4), start=8)
    large = measure(reader, count_queries, url)
    print(f"\n{url}: {small} statements with few meetings, {large} with many")
    assert small == large


@pytest.mark.parametrize("actor", ["visitor", "resident", "chair"])
def test_meeting_page_runs_the_same_queries_for_2_and_20_items(
    app, client, login, council, count_queries, actor
):
    with app.app_context():
        body = get_body("ulasim")
        chair = make_user("Başkan")
        db.session.add(Membership(user_id=chair.id, body_id=body.id, role=MembershipRole.CHAIR))
        db.session.flush()
        meeting = scheduled(chair, body, sign_language_on_request=True)
        db.session.commit()
        meeting_id = meeting.id
        add_items(meeting_id, 1)
        users = {"resident": make_user("Okur").id, "chair": chair.id}
        db.session.commit()
    reader = client if actor == "visitor" else login(users[actor])
    url = f"/meetings/{meeting_id}"
    small = measure(reader, count_queries, url)
    with app.app_context():
        add_items(meeting_id, 9, start=1)
    large = measure(reader, count_queries, url)
    print(f"\n{url} ({actor}): {small} statements with 2 items, {large} with 20")
    assert reader.get(url).get_data(as_text=True).count("Madde ") == 10
    assert small == large


def test_the_body_page_with_its_next_meeting_runs_the_same_queries(
    app, client, council, count_queries
):
    with app.app_context():
        add_meetings(4)
    small = measure(client, count_queries, "/bodies/ulasim")
    with app.app_context():
        add_meetings(8, start=4)
    large = measure(client, count_queries, "/bodies/ulasim")
    assert large == small


@pytest.mark.parametrize("url", ["/meetings.ics", "/bodies/ulasim/meetings.ics"])
def test_calendar_feeds_run_the_same_queries_for_2_and_20_meetings(
    app, client, council, count_queries, url
):
    with app.app_context():
        add_meetings(8)
    few = measure(client, count_queries, url)
    with app.app_context():
        add_meetings(72, start=8)
    many = measure(client, count_queries, url)
    print(f"\n{url}: {few} statements with 8 meetings, {many} with 80")
    assert many == few


def test_the_record_page_runs_the_same_queries_for_2_and_20_items(
    app, login, council, count_queries
):
    from datetime import timedelta

    from katilim.core.models import utcnow

    with app.app_context():
        body = get_body("ulasim")
        chair = make_user("Kayıt Başkanı")
        db.session.add(Membership(user_id=chair.id, body_id=body.id, role=MembershipRole.CHAIR))
        db.session.flush()
        meeting = scheduled(chair, body)
        meeting.starts_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        ids = meeting.id, chair.id
        add_items(meeting.id, 2)
    meeting_id, chair_id = ids
    chair = login(chair_id)
    url = f"/meetings/{meeting_id}/record"
    few = measure(chair, count_queries, url)
    with app.app_context():
        add_items(meeting_id, 18, start=2)
    many = measure(chair, count_queries, url)
    print(f"\n{url}: {few} statements with 2 items, {many} with 20")
    assert many == few
