"""A district council refers a proposal to its provincial council (issue 13, item 4): the
proposal moves whole (timeline, votes, comments, followers), both councils' records say so,
and its old address leads to the new one."""

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from katilim.audit.models import AuditLog
from katilim.auth import sessions
from katilim.auth.models import SiteRole, User
from katilim.extensions import db
from katilim.notifications.models import Follow, Notification
from katilim.organization.models import Council
from katilim.organization.services import load_council
from katilim.proposals.models import EventKind, Proposal, ProposalEvent, ProposalStatus
from katilim.seed import DISTRICT_FILE
from katilim.voting.models import Vote
from katilim.voting.services import cast_vote
from tests.conftest import EnglishClient
from tests.factories import acting_as, get_body, make_comment, make_proposal, make_user

GOLCUK = "http://golcuk.localhost:5000"


class At(EnglishClient):
    """A browser that opens every path at one address."""

    base = "http://localhost"

    def open(self, *args, **kwargs):
        if args and isinstance(args[0], str):
            kwargs.setdefault("base_url", self.base)
        return super().open(*args, **kwargs)


def browser(app, base: str, user_id: int | None = None) -> At:
    client = At(app, app.response_class, use_cookies=True)
    client.base = base
    if user_id is not None:
        with app.app_context():
            token = sessions.start(db.session.get(User, user_id))
            db.session.commit()
        with client.session_transaction(base_url=base) as session:
            session["_user_id"], session["_fresh"] = token, True
    return client


@dataclass
class District:
    proposal_id: int
    moderator_id: int
    other_moderator_id: int
    admin_id: int
    resident_id: int
    follower_id: int
    province_admin_id: int
    province_moderator_id: int
    province_proposal_id: int


@pytest.fixture
def district(app, council) -> District:
    with app.app_context():
        province_admin = make_user("İl Yöneticisi", role=SiteRole.ADMIN)
        province_moderator = make_user("İl Moderatörü", moderates=get_body("ulasim"))
        province_proposal = make_proposal(body=get_body("ulasim"), title="İlin kendi önerisi")
        load_council(DISTRICT_FILE)
        db.session.commit()
        ids = (province_admin.id, province_moderator.id, province_proposal.id)
    with acting_as(app, "golcuk"), app.app_context():
        body = get_body("ulasim")
        moderator = make_user("Serap Ünal", moderates=body)
        other = make_user("Çevre Moderatörü", moderates=get_body("cevre"))
        admin = make_user("İlçe Yöneticisi", role=SiteRole.ADMIN)
        author = make_user("Yazar Yaşar")
        follower = make_user("Takipçi Tülay")
        proposal = make_proposal(
            author, body=body, title="Körfez feribot seferleri bütün ilçelere bağlansın"
        )
        for voter in (follower, make_user("Seçmen Sefa")):
            cast_vote(voter, proposal, 1)
        make_comment(proposal, follower, text="Bütün ilçeler için gerekli.")
        db.session.add(Follow(user_id=follower.id, proposal_id=proposal.id))
        db.session.commit()
        return District(
            proposal.id,
            moderator.id,
            other.id,
            admin.id,
            author.id,
            follower.id,
            *ids,
        )


REASON = {"reason": "Feribot hatları il genelini ilgilendiriyor."}


def test_a_district_moderator_refers_a_proposal_to_the_provincial_council(app, district):
    moderator = browser(app, GOLCUK, district.moderator_id)
    review = moderator.get(f"/moderation/proposals/{district.proposal_id}")
    assert "Refer to Kocaeli City Council" in review.get_data(as_text=True)
    response = moderator.post(f"/moderation/proposals/{district.proposal_id}/refer", data=REASON)
    assert response.status_code == 302 and response.headers["Location"] == "/moderation"
    with app.app_context():
        proposal = db.session.get(Proposal, district.proposal_id)
        councils = {c.slug: c.id for c in db.session.scalars(select(Council))}
        assert (proposal.council_id, proposal.referred_from_id) == (
            councils["kocaeli"],
            councils["golcuk"],
        )
        assert proposal.body_id is None and proposal.status == ProposalStatus.NEW
        assert proposal.district is not None and proposal.district.slug == "golcuk"
        # Votes, comments and followers came along.
        assert (
            db.session.scalar(select(func.count()).where(Vote.proposal_id == proposal.id))
            == 2
            == proposal.supports_count
        )
        assert proposal.comments_count == 1
        assert db.session.scalar(select(Follow.user_id).where(Follow.proposal_id == proposal.id))
        event = db.session.scalar(
            select(ProposalEvent).where(
                ProposalEvent.proposal_id == proposal.id, ProposalEvent.kind == EventKind.REFERRED
            )
        )
        assert (event.from_value, event.to_value) == ("golcuk", "kocaeli")
        # Both councils' audit logs record it.
        logged = set(
            db.session.scalars(
                select(AuditLog.council_id).where(AuditLog.action == "proposal.refer")
            )
        )
        assert logged == {councils["kocaeli"], councils["golcuk"]}
        told = set(
            db.session.scalars(
                select(Notification.user_id).where(Notification.proposal_id == proposal.id)
            )
        )
    # The province's admins review it now; the author and the follower are told.
    assert {district.province_admin_id, district.resident_id, district.follower_id} <= told
    assert district.admin_id not in told  # the district's admins no longer act on it
    # Its timeline, at the province's address, says from where and why.
    page = browser(app, "http://localhost").get(f"/proposals/{district.proposal_id}")
    text = page.get_data(as_text=True)
    assert "Referred by Gölcük City Council to Kocaeli City Council." in text
    assert REASON["reason"] in text
    # Its old address, at the district's, leads there.
    old = browser(app, GOLCUK).get(f"/proposals/{district.proposal_id}")
    assert old.status_code == 301
    assert old.headers["Location"] == f"http://localhost/proposals/{district.proposal_id}"
    # The province's admin finds it in the general queue; the district's moderator cannot act.
    queue = browser(app, "http://localhost", district.province_admin_id).get("/moderation")
    assert "Körfez feribot seferleri" in queue.get_data(as_text=True)
    again = moderator.post(f"/moderation/proposals/{district.proposal_id}/refer", data=REASON)
    assert again.status_code == 404


@pytest.mark.parametrize(
    "who, expected",
    [
        ("moderator", 302),
        ("admin", 302),
        ("other_moderator", 403),
        ("resident", 403),
        ("anonymous", 302),  # to the sign-in page
    ],
)
def test_who_may_refer(app, district, who, expected):
    user_id = None if who == "anonymous" else getattr(district, f"{who}_id")
    client = browser(app, GOLCUK, user_id)
    response = client.post(f"/moderation/proposals/{district.proposal_id}/refer", data=REASON)
    assert response.status_code == expected
    if who == "anonymous":
        assert "/auth/login" in response.headers["Location"]
    with app.app_context():
        referred = db.session.get(Proposal, district.proposal_id).referred_from_id is not None
    assert referred == (expected == 302 and who != "anonymous")


def test_a_council_without_a_parent_cannot_refer(app, district):
    moderator = browser(app, "http://localhost", district.province_moderator_id)
    url = f"/moderation/proposals/{district.province_proposal_id}"
    assert "Refer to" not in moderator.get(url).get_data(as_text=True)
    assert moderator.post(f"{url}/refer", data=REASON).status_code == 403


def test_a_decided_proposal_is_not_referred(app, district):
    with app.app_context():
        db.session.get(Proposal, district.proposal_id).status = ProposalStatus.ACCEPTED
        db.session.commit()
    moderator = browser(app, GOLCUK, district.moderator_id)
    url = f"/moderation/proposals/{district.proposal_id}"
    assert "Refer to" not in moderator.get(url).get_data(as_text=True)
    assert moderator.post(f"{url}/refer", data=REASON).status_code == 403


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_referral_needs_a_public_reason_and_keeps_the_page(app, district, reason):
    moderator = browser(app, GOLCUK, district.moderator_id)
    response = moderator.post(
        f"/moderation/proposals/{district.proposal_id}/refer", data={"reason": reason}
    )
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Proposal, district.proposal_id).referred_from_id is None


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"reason=" + b"x" * 2001, "application/x-www-form-urlencoded"),  # past Length(max)
        (b"reason=\xff\xfe", "application/x-www-form-urlencoded"),  # not UTF-8
        (b"reason=%00%00", "application/x-www-form-urlencoded"),  # NUL bytes only (dropped)
        (b"reason=&reason=Feribot", "application/x-www-form-urlencoded"),  # key twice, 1st blank
        (b'{"reason": "Feribot hatlar\\u0131 il genelini ilgilendiriyor."}', "application/json"),
    ],
)
def test_odd_input_to_the_referral_is_refused_clearly(app, district, body, content_type):
    """Odd values (as the odd-input sweep sends them, tests/security/test_odd_input.py) are a
    400 with the form's error beside the field, never a server error, and refer nothing."""
    moderator = browser(app, GOLCUK, district.moderator_id)
    response = moderator.post(
        f"/moderation/proposals/{district.proposal_id}/refer", data=body, content_type=content_type
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="refer-reason"' in html and "field-error" in html
    with app.app_context():
        assert db.session.get(Proposal, district.proposal_id).referred_from_id is None
