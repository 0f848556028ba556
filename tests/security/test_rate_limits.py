"""Every rate limit of the issue's list: the request after the allowance gets the friendly 429
page in the person's language, and changes nothing.

Allowances are set to 2 here (RATE_LIMITS is read at each request), so each test needs only
three requests; the defaults live in katilim/config.py.
"""

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from katilim.comments.models import Comment
from katilim.extensions import db
from katilim.moderation.models import Flag
from katilim.proposals.models import Proposal
from katilim.voting.models import Vote
from tests.factories import PASSWORD, make_proposal, make_user
from tests.proposals.test_routes import form as proposal_form

ALLOWED = 2


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def is_429_page_in_turkish(response) -> bool:
    page = response.get_data(as_text=True)
    return response.status_code == 429 and "Çok fazla deneme" in page and '<html lang="tr"' in page


def turkish(client, address: str = "198.51.100.1"):
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE", None)  # the default language: Turkish
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.fixture
def small_limits(app, rate_limits, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMITS", dict.fromkeys(rate_limits, "2 per minute"))


@dataclass
class World:
    author_id: int
    proposal_id: int
    comment_id: int
    account_email: str


@pytest.fixture
def world(app, council) -> World:
    with app.app_context():
        author = make_user("Zeynep Aksoy", email="zeynep@example.org")
        proposal = make_proposal(author)
        from tests.factories import make_comment

        comment = make_comment(proposal)
        db.session.commit()
        return World(author.id, proposal.id, comment.id, author.email)


def signed_in_turkish(login, user_id, address="198.51.100.1"):
    return turkish(login(user_id), address)


def test_login_is_limited_per_address(app, client, world, small_limits):
    client = turkish(client)
    for n in range(ALLOWED):
        client.post("/auth/login", data={"email": f"x{n}@example.org", "password": "wrong"})
    # Even the right password is not tried once the address has used its allowance.
    response = client.post("/auth/login", data={"email": world.account_email, "password": PASSWORD})
    assert is_429_page_in_turkish(response)
    assert client.get("/me").status_code != 200


def test_login_is_limited_per_account_from_any_address(app, world, small_limits):
    for n in range(ALLOWED):
        turkish(app.test_client(), f"203.0.113.{n}").post(
            "/auth/login", data={"email": world.account_email, "password": "wrong"}
        )
    other = turkish(app.test_client(), "203.0.113.99")
    response = other.post("/auth/login", data={"email": world.account_email, "password": PASSWORD})
    assert is_429_page_in_turkish(response)
    assert other.get("/me").status_code != 200
    # Another account from that address is not affected.
    response = other.post("/auth/login", data={"email": "someone@example.org", "password": "x"})
    assert response.status_code == 200


def test_registration_is_limited_per_address(app, client, council, small_limits):
    from tests.auth.test_routes import registration

    client = turkish(client)
    for n in range(ALLOWED):
        client.post("/auth/register", data=registration(email=f"new{n}@example.org"))
    response = client.post("/auth/register", data=registration(email="late@example.org"))
    assert is_429_page_in_turkish(response)
    with app.app_context():
        from katilim.auth.models import User

        assert db.session.scalar(select(User).where(User.email == "late@example.org")) is None


def test_password_reset_is_limited_per_address(app, client, world, small_limits, outbox):
    client = turkish(client)
    for n in range(ALLOWED):
        client.post("/auth/reset", data={"email": f"x{n}@example.org"})
    response = client.post("/auth/reset", data={"email": world.account_email})
    assert is_429_page_in_turkish(response)
    assert len(outbox) == 0


def test_password_reset_is_limited_per_account_so_no_inbox_is_flooded(
    app, world, small_limits, outbox
):
    for n in range(ALLOWED):
        turkish(app.test_client(), f"203.0.113.{n}").post(
            "/auth/reset", data={"email": world.account_email}
        )
    response = turkish(app.test_client(), "203.0.113.99").post(
        "/auth/reset", data={"email": world.account_email}
    )
    assert is_429_page_in_turkish(response)
    assert len(outbox) == ALLOWED


def test_posting_proposals_is_limited_per_person(app, login, world, small_limits):
    client = signed_in_turkish(login, world.author_id)
    for _ in range(ALLOWED):
        # Each the same proposal again: past the similar-proposals step, which shows the first.
        data = proposal_form(similar_seen="1")
        assert client.post("/proposals/new", data=data).status_code == 302
    before = count(app, Proposal)
    response = client.post("/proposals/new", data=proposal_form(title="Bir öneri daha, lütfen"))
    assert is_429_page_in_turkish(response)
    assert count(app, Proposal) == before
    # The form itself (GET) is never limited.
    assert client.get("/proposals/new").status_code == 200


def test_commenting_is_limited_per_person(app, login, world, small_limits):
    client = signed_in_turkish(login, world.author_id)
    url = f"/proposals/{world.proposal_id}/comments"
    for n in range(ALLOWED):
        assert client.post(url, data={"text": f"Yorum {n}", "stance": "for"}).status_code == 302
    before = count(app, Comment)
    response = client.post(url, data={"text": "Bir yorum daha", "stance": "for"})
    assert is_429_page_in_turkish(response)
    assert count(app, Comment) == before


def test_voting_is_limited_per_person_not_per_shared_address(app, login, world, small_limits):
    with app.app_context():
        voter = make_user("Ali Veli")
        neighbour = make_user("Komşu")  # behind the same address (a carrier's NAT)
        db.session.commit()
        voter_id, neighbour_id = voter.id, neighbour.id
    client = signed_in_turkish(login, voter_id)
    url = f"/proposals/{world.proposal_id}/vote"
    for value in ("1", "-1")[:ALLOWED]:
        assert client.post(url, data={"value": value}).status_code == 302
    response = client.post(url, data={"value": "1"})
    assert is_429_page_in_turkish(response)
    with app.app_context():
        assert db.session.scalar(select(Vote.value).where(Vote.user_id == voter_id)) == -1
        proposal = db.session.get(Proposal, world.proposal_id)
        assert (proposal.supports_count, proposal.opposes_count) == (0, 1)
    assert signed_in_turkish(login, neighbour_id).post(url, data={"value": "1"}).status_code == 302


def test_reporting_is_limited_per_person_across_proposals_and_comments(
    app, login, world, small_limits
):
    with app.app_context():
        reporter_id = make_user("Gözcü").id
        db.session.commit()
    client = signed_in_turkish(login, reporter_id)
    data = {"reason": "spam", "note": "Reklam."}
    assert client.post(f"/proposals/{world.proposal_id}/flag", data=data).status_code == 302
    assert client.post(f"/comments/{world.comment_id}/flag", data=data).status_code == 302
    before = count(app, Flag)
    response = client.post(f"/proposals/{world.proposal_id}/flag", data=data)
    assert is_429_page_in_turkish(response)
    assert count(app, Flag) == before


def test_defaults_cover_every_limited_action(app):
    assert set(app.config["RATE_LIMITS"]) >= {
        "login_address",
        "login_account",
        "register",
        "reset_address",
        "reset_account",
        "proposal",
        "comment",
        "vote",
        "report",
    }


def test_limits_are_off_without_the_fixture(client, world):
    for n in range(12):  # other addresses each time, so no lockout either
        response = client.post("/auth/login", data={"email": f"a{n}@example.org", "password": "x"})
    assert response.status_code == 200


def test_the_429_page_says_how_long_to_wait(app, client, world, rate_limits, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMITS", {**rate_limits, "register": "1 per hour"})
    from tests.auth.test_routes import registration

    client.post("/auth/register", data=registration(email="first@example.org"))
    response = client.post("/auth/register", data=registration(email="second@example.org"))
    assert response.status_code == 429
    assert "Please try again in 60 min." in response.get_data(as_text=True)
    assert 3500 < int(response.headers["Retry-After"]) <= 3600


def test_meeting_places_and_volunteer_applications_are_limited_per_person(
    app, login, world, small_limits
):
    from katilim.organization.models import Membership, MembershipRole
    from tests.factories import get_body
    from tests.meetings.helpers import scheduled

    with app.app_context():
        body = get_body("ulasim")
        chair = make_user("Toplantı Başkanı")
        db.session.add(Membership(user_id=chair.id, body_id=body.id, role=MembershipRole.CHAIR))
        meeting_id = scheduled(chair, body).id
        db.session.commit()
    client = signed_in_turkish(login, world.author_id)
    for n in range(ALLOWED):
        client.post(f"/meetings/{meeting_id}/{'register' if n % 2 == 0 else 'unregister'}")
    assert is_429_page_in_turkish(client.post(f"/meetings/{meeting_id}/register"))
    for _ in range(ALLOWED):
        client.post("/bodies/ulasim/join", data={"motivation": "Yardım etmek isterim."})
    assert is_429_page_in_turkish(client.post("/bodies/cevre-iklim/join", data={}))
