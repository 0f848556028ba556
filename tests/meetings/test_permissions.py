"""Who may schedule, change and cancel a body's meetings, and register for one: every action
crossed with every kind of person, at the HTTP level. A refused request changes nothing."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from katilim.auth.models import SiteRole, User
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.meetings.models import Meeting, MeetingRegistration
from katilim.meetings.permissions import can_manage, can_register, can_schedule
from katilim.organization.models import Membership, MembershipRole
from tests.factories import make_user
from tests.meetings.helpers import scheduled
from tests.moderation.helpers import make_cast

ACTORS = (
    "visitor",
    "unverified",
    "resident",
    "facilitator",
    "moderator",
    "other_moderator",
    "chair",
    "admin",
)
STAFF = {"moderator", "chair", "admin"}
PARTICIPANTS = set(ACTORS) - {"visitor", "unverified"}


@dataclass
class World:
    users: dict[str, int | None]
    body_slug: str
    meeting: int


@pytest.fixture
def world(app) -> World:
    with app.app_context():
        cast = make_cast()
        chair = make_user("Başkan")
        db.session.add(
            Membership(user_id=chair.id, body_id=cast.body.id, role=MembershipRole.CHAIR)
        )
        facilitator = make_user("Kolaylaştırıcı", role=SiteRole.FACILITATOR)
        db.session.flush()
        meeting = scheduled(cast.moderator, cast.body, capacity=50)
        db.session.commit()
        users = {
            "visitor": None,
            "unverified": cast.unverified.id,
            "resident": cast.resident.id,
            "facilitator": facilitator.id,
            "moderator": cast.moderator.id,
            "other_moderator": cast.other_moderator.id,
            "chair": chair.id,
            "admin": cast.admin.id,
        }
        return World(users=users, body_slug=cast.body.slug, meeting=meeting.id)


def client_for(client, login, world: World, actor: str):
    user_id = world.users[actor]
    return client if user_id is None else login(user_id)


def snapshot(app) -> tuple:
    with app.app_context():
        meetings = db.session.execute(
            select(Meeting.id, Meeting.title, Meeting.status, Meeting.registrations_count)
        ).all()
        registrations = db.session.scalar(select(func.count()).select_from(MeetingRegistration))
        return (tuple(meetings), registrations)


def form(**kw) -> dict:
    data = {
        "title": "Yeni toplantı",
        "day": (utcnow() + timedelta(days=12)).date().isoformat(),
        "starts": "18:00",
        "place_name": "Salon",
        "step_free": "unknown",
    }
    data.update(kw)
    return data


def expect(response, allowed: bool, actor: str, ok=(200, 302)):
    if allowed:
        assert response.status_code in ok, (actor, response.status_code)
    elif actor == "visitor":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403, (actor, response.status_code)


@pytest.mark.parametrize("actor", ACTORS)
def test_schedule(app, client, login, world, actor):
    browser = client_for(client, login, world, actor)
    url = f"/bodies/{world.body_slug}/meetings/new"
    allowed = actor in STAFF
    expect(browser.get(url), allowed, actor, ok=(200,))
    before = snapshot(app)
    response = browser.post(url, data=form())
    expect(response, allowed, actor, ok=(302,))
    assert (snapshot(app) != before) == allowed


@pytest.mark.parametrize("actor", ACTORS)
def test_edit(app, client, login, world, actor):
    browser = client_for(client, login, world, actor)
    url = f"/meetings/{world.meeting}/edit"
    allowed = actor in STAFF
    expect(browser.get(url), allowed, actor, ok=(200,))
    before = snapshot(app)
    expect(browser.post(url, data=form(title="Değişti")), allowed, actor, ok=(302,))
    assert (snapshot(app) != before) == allowed


@pytest.mark.parametrize("actor", ACTORS)
def test_cancel(app, client, login, world, actor):
    browser = client_for(client, login, world, actor)
    before = snapshot(app)
    response = browser.post(f"/meetings/{world.meeting}/cancel", data={"reason": "Yok."})
    allowed = actor in STAFF
    expect(response, allowed, actor, ok=(302,))
    assert (snapshot(app) != before) == allowed
    page = browser.get(f"/meetings/{world.meeting}").get_data(as_text=True)
    assert ("This meeting is cancelled" in page) == allowed
    assert "Cancel the meeting" not in page  # cancelled, or not theirs: no form


@pytest.mark.parametrize("actor", ACTORS)
def test_register_and_unregister(app, client, login, world, actor):
    browser = client_for(client, login, world, actor)
    before = snapshot(app)
    response = browser.post(f"/meetings/{world.meeting}/register")
    allowed = actor in PARTICIPANTS
    expect(response, allowed, actor, ok=(302,))
    after = snapshot(app)
    assert (after != before) == allowed
    response = browser.post(f"/meetings/{world.meeting}/unregister")
    if actor == "visitor":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 302
    assert snapshot(app) == before


@pytest.mark.parametrize("actor", ACTORS)
def test_the_page_offers_what_the_person_may_do(app, client, login, world, actor):
    page = client_for(client, login, world, actor).get(f"/meetings/{world.meeting}")
    html = page.get_data(as_text=True)
    assert ("Change the meeting" in html) == (actor in STAFF)
    assert ("Register to attend" in html) == (actor in PARTICIPANTS)


def test_the_helpers_refuse_what_is_over(app, world):
    with app.app_context():
        meeting = db.session.get(Meeting, world.meeting)
        chair = db.session.get(User, world.users["chair"])
        resident = db.session.get(User, world.users["resident"])
        assert can_schedule(chair, meeting.body) and can_manage(chair, meeting)
        assert can_register(resident, meeting)
        meeting.starts_at = utcnow() - timedelta(minutes=1)
        assert not can_register(resident, meeting)
        chair.is_active_account = False
        assert not can_schedule(chair, meeting.body)
        assert not can_schedule(chair, None)
        db.session.rollback()
