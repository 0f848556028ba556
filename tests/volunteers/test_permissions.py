"""Who may do what, at the HTTP level: every volunteer route crossed with every kind of
person. Refused requests change nothing; allowed ones redirect (or show the page)."""

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from katilim.extensions import db
from katilim.volunteers import services
from katilim.volunteers.models import BodyVolunteer, VolunteerStatus
from tests.factories import make_user
from tests.volunteers.helpers import cast

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


@dataclass
class World:
    users: dict[str, int | None]
    application: int  # someone else's open application to ulasim
    member: int  # an accepted member of ulasim (to leave, to be named)


@pytest.fixture
def world(app, council) -> World:
    with app.app_context():
        c = cast()
        applicant = make_user("Başvuran")
        member = make_user("Üye")
        row = services.apply(applicant, c["body"], "Yardım etmek isterim.")
        member_row = services.apply(member, c["body"], "")
        services.decide(c["chair"], member_row, True)
        db.session.commit()
        users = {name: c[name].id for name in ACTORS if name != "visitor"}
        users |= {"visitor": None, "member": member.id}
        return World(users=users, application=row.id, member=member.id)


def client_for(name, world, client, login):
    user_id = world.users[name]
    return client if user_id is None else login(user_id)


def rows(app) -> list[tuple]:
    with app.app_context():
        return db.session.execute(
            select(BodyVolunteer.user_id, BodyVolunteer.status, BodyVolunteer.is_listed).order_by(
                BodyVolunteer.id
            )
        ).all()


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("actor", ACTORS)
def test_join_page_and_applying(actor, world, app, client, login):
    web = client_for(actor, world, client, login)
    page = web.get("/bodies/ulasim/join")
    before = rows(app)
    response = web.post("/bodies/ulasim/join", data={"motivation": "Katılmak isterim."})
    if actor == "visitor":
        assert is_login_redirect(page) and is_login_redirect(response)
        assert rows(app) == before
    elif actor == "unverified":
        assert page.status_code == 200
        assert "Confirm your e-mail address" in page.get_data(as_text=True)
        assert response.status_code == 403
        assert rows(app) == before
    else:
        assert page.status_code == 200 and 'name="motivation"' in page.get_data(as_text=True)
        assert response.status_code == 302
        assert len(rows(app)) == len(before) + 1


@pytest.mark.parametrize("actor", ACTORS)
def test_staff_page(actor, world, client, login):
    response = client_for(actor, world, client, login).get("/bodies/ulasim/volunteers")
    if actor == "visitor":
        assert is_login_redirect(response)
    elif actor in STAFF:
        assert response.status_code == 200
        assert "Yardım etmek isterim." in response.get_data(as_text=True)
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("decision", ["accept", "decline"])
@pytest.mark.parametrize("actor", ACTORS)
def test_deciding(actor, decision, world, app, client, login):
    before = rows(app)
    response = client_for(actor, world, client, login).post(
        f"/volunteers/{world.application}/decide",
        data={"decision": decision, "reason": "Şimdilik yer yok."},
    )
    if actor == "visitor":
        assert is_login_redirect(response)
    elif actor in STAFF:
        assert response.status_code == 302
        with app.app_context():
            row = db.session.get(BodyVolunteer, world.application)
            accepted = decision == "accept"
            assert row.status == (
                VolunteerStatus.ACCEPTED if accepted else VolunteerStatus.DECLINED
            )
        return
    else:
        assert response.status_code == 403
    assert rows(app) == before


@pytest.mark.parametrize("path", ["/bodies/ulasim/leave", "/bodies/ulasim/listing"])
@pytest.mark.parametrize("actor", ACTORS)
def test_leaving_and_listing_act_only_on_ones_own_membership(
    actor, path, world, app, client, login
):
    before = rows(app)
    response = client_for(actor, world, client, login).post(path, data={"listed": "yes"})
    if actor == "visitor":
        assert is_login_redirect(response)
    else:
        assert response.status_code == 409  # no membership of their own to change
    assert rows(app) == before


def test_a_member_leaves_and_chooses_to_be_named(world, app, login):
    web = login(world.member)
    assert web.post("/bodies/ulasim/listing", data={"listed": "yes"}).status_code == 302
    assert (world.member, VolunteerStatus.ACCEPTED, True) in rows(app)
    assert web.post("/bodies/ulasim/leave").status_code == 302
    assert (world.member, VolunteerStatus.LEFT, False) in rows(app)
