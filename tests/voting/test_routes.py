"""POST /proposals/<id>/vote."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from katilim.extensions import db
from katilim.proposals.models import EventKind, Proposal, ProposalEvent, ProposalStatus
from katilim.voting.models import Vote
from tests.factories import make_body, make_proposal, make_user


@pytest.fixture
def setup(app, council):
    """(proposal id, voter id) for a new proposal and a verified resident."""
    with app.app_context():
        proposal = make_proposal()
        voter = make_user()
        db.session.commit()
        return proposal.id, voter.id


def counters(app, proposal_id: int) -> tuple[int, int]:
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        return proposal.supports_count, proposal.opposes_count


def test_resident_can_vote_change_and_take_back_through_the_page(login, setup, app):
    proposal_id, voter_id = setup
    client = login(voter_id)
    for value, expected in (("1", (1, 0)), ("-1", (0, 1)), ("0", (0, 0))):
        response = client.post(f"/proposals/{proposal_id}/vote", data={"value": value})
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/proposals/{proposal_id}#vote")
        assert counters(app, proposal_id) == expected


def test_resident_sees_the_own_vote_on_the_page(login, setup):
    proposal_id, voter_id = setup
    client = login(voter_id)
    response = client.post(
        f"/proposals/{proposal_id}/vote", data={"value": "1"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Your vote for this proposal is counted." in page
    assert "You support this proposal." in page
    assert 'value="1" class="button vote-button vote-support" aria-pressed="true"' in page
    assert 'value="-1" class="button vote-button vote-against" aria-pressed="false"' in page
    assert "Take back my vote" in page
    assert "<strong>1</strong> for" in page


def test_resident_cannot_send_a_bad_vote_value(login, setup, app):
    proposal_id, voter_id = setup
    client = login(voter_id)
    bad = {"2": {"value": "2"}, "x": {"value": "x"}, "empty": {"value": ""}, "missing": {}}
    statuses = {
        name: client.post(f"/proposals/{proposal_id}/vote", data=data).status_code
        for name, data in bad.items()
    }
    assert statuses == dict.fromkeys(bad, 400)
    assert counters(app, proposal_id) == (0, 0)


def test_visitor_cannot_vote_and_is_sent_to_login(client, setup, app):
    proposal_id, _ = setup
    response = client.post(f"/proposals/{proposal_id}/vote", data={"value": "1"})
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/login"
    assert counters(app, proposal_id) == (0, 0)


def test_unverified_user_cannot_vote(login, setup, app):
    proposal_id, _ = setup
    with app.app_context():
        user_id = make_user(verified=False).id
        db.session.commit()
    response = login(user_id).post(f"/proposals/{proposal_id}/vote", data={"value": "1"})
    assert response.status_code == 403
    assert "Please verify your e-mail address before you vote." in response.get_data(as_text=True)
    assert counters(app, proposal_id) == (0, 0)


@pytest.mark.parametrize("status", [ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN])
def test_resident_cannot_vote_when_voting_is_closed(login, setup, app, status):
    proposal_id, voter_id = setup
    with app.app_context():
        db.session.get(Proposal, proposal_id).status = status
        db.session.commit()
    response = login(voter_id).post(f"/proposals/{proposal_id}/vote", data={"value": "1"})
    assert response.status_code == 409
    assert "Voting on this proposal is closed." in response.get_data(as_text=True)
    assert counters(app, proposal_id) == (0, 0)


def test_resident_cannot_vote_on_a_hidden_proposal(login, setup, app):
    """A first vote is written only if the proposal is open in the same statement: a hidden
    one gets the closed answer and no row."""
    proposal_id, voter_id = setup
    with app.app_context():
        db.session.get(Proposal, proposal_id).is_hidden = True
        db.session.commit()
    response = login(voter_id).post(f"/proposals/{proposal_id}/vote", data={"value": "-1"})
    assert response.status_code == 409
    assert counters(app, proposal_id) == (0, 0)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 0


def test_author_cannot_vote_on_own_draft(login, council, app):
    with app.app_context():
        proposal = make_proposal(status=ProposalStatus.DRAFT)
        db.session.commit()
        proposal_id, author_id = proposal.id, proposal.author_id
    response = login(author_id).post(f"/proposals/{proposal_id}/vote", data={"value": "1"})
    assert response.status_code == 409


def test_resident_cannot_vote_on_someone_elses_draft(login, setup, app):
    _, voter_id = setup
    with app.app_context():
        draft_id = make_proposal(status=ProposalStatus.DRAFT).id
        db.session.commit()
    assert (
        login(voter_id).post(f"/proposals/{draft_id}/vote", data={"value": "1"}).status_code == 404
    )


def test_a_vote_runs_a_fixed_number_of_statements(login, setup, app, count_queries):
    """A first vote: the council, the signed-in account, the vote written only if the proposal
    is open and counted (one statement on PostgreSQL, an insert and an update on SQLite), and
    the traffic record: the proposal is not read, and nothing is read again after the commit.
    Changing a vote reads the proposal and the vote; taking it back too. Run with -s to see the
    statements."""
    proposal_id, voter_id = setup
    client = login(voter_id)
    one_statement = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    expected = {"1": 4 if one_statement else 5, "-1": 9, "0": 7}
    counts = {}
    for value in ("1", "-1", "0"):
        with count_queries() as counter:
            response = client.post(f"/proposals/{proposal_id}/vote", data={"value": value})
        assert response.status_code == 302
        print(value, *counter.statements, sep="\n  ")
        counts[value] = counter.count
    assert counts == expected
    assert counters(app, proposal_id) == (0, 0)


def test_first_votes_through_the_page_reach_the_threshold_once(login, app, council):
    """The first votes take the one-statement way, which reads the body's threshold from the
    same statement: reaching it marks the proposal and writes its event, once."""
    with app.app_context():
        proposal = make_proposal(body=make_body(support_threshold=2))
        voters = [make_user(f"Seçmen {n}", email=f"esik{n}@example.org").id for n in range(3)]
        db.session.commit()
        proposal_id = proposal.id
    for voter_id in voters:
        response = login(voter_id).post(f"/proposals/{proposal_id}/vote", data={"value": "1"})
        assert response.status_code == 302
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        assert proposal.supports_count == 3
        assert proposal.threshold_reached_at is not None
        events = db.session.scalars(
            select(ProposalEvent.kind).where(ProposalEvent.proposal_id == proposal_id)
        ).all()
        assert events.count(EventKind.THRESHOLD_REACHED) == 1
