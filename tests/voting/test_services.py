"""Casting, changing and taking back votes, with exact counters (katilim.voting.services)."""

import pytest
from sqlalchemy import exc, func, select

from katilim.core.errors import InvalidTransition, PermissionDenied
from katilim.extensions import db
from katilim.proposals.models import ProposalStatus
from katilim.voting.models import Vote
from katilim.voting.services import cast_vote, get_vote_value
from tests.factories import make_proposal, make_user


def counts(proposal) -> tuple[int, int]:
    db.session.refresh(proposal)
    return proposal.supports_count, proposal.opposes_count


def vote_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(Vote))


def test_resident_can_vote_for(ctx):
    proposal, voter = make_proposal(), make_user()
    assert cast_vote(voter, proposal, 1) == 1
    assert counts(proposal) == (1, 0)
    assert get_vote_value(voter, proposal) == 1


def test_resident_can_change_a_vote_to_against(ctx):
    proposal, voter = make_proposal(), make_user()
    cast_vote(voter, proposal, 1)
    cast_vote(voter, proposal, -1)
    assert counts(proposal) == (0, 1)
    assert vote_rows() == 1


def test_resident_can_take_a_vote_back(ctx):
    proposal, voter = make_proposal(), make_user()
    cast_vote(voter, proposal, -1)
    cast_vote(voter, proposal, 0)
    assert counts(proposal) == (0, 0)
    assert vote_rows() == 0
    assert get_vote_value(voter, proposal) == 0


def test_resident_taking_back_without_a_vote_changes_nothing(ctx):
    proposal = make_proposal()
    assert cast_vote(make_user(), proposal, 0) == 0
    assert counts(proposal) == (0, 0)


def test_resident_voting_the_same_twice_counts_once(ctx):
    proposal, voter = make_proposal(), make_user()
    cast_vote(voter, proposal, 1)
    cast_vote(voter, proposal, 1)
    assert counts(proposal) == (1, 0)
    assert vote_rows() == 1


def test_many_residents_votes_add_up(ctx):
    proposal = make_proposal()
    voters = [make_user() for _ in range(5)]
    for value, voter in zip((1, 1, 1, -1, -1), voters, strict=True):
        cast_vote(voter, proposal, value)
    cast_vote(voters[0], proposal, -1)
    cast_vote(voters[3], proposal, 0)
    assert counts(proposal) == (2, 2)


def test_unverified_user_cannot_vote(ctx):
    proposal = make_proposal()
    with pytest.raises(PermissionDenied):
        cast_vote(make_user(verified=False), proposal, 1)
    assert counts(proposal) == (0, 0)


def test_resident_cannot_vote_when_voting_is_closed(ctx):
    voter = make_user()
    for status in (ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN, ProposalStatus.DRAFT):
        proposal = make_proposal(status=status)
        with pytest.raises(InvalidTransition):
            cast_vote(voter, proposal, 1)
    assert vote_rows() == 0


def test_resident_cannot_vote_with_another_value(ctx):
    with pytest.raises(ValueError):
        cast_vote(make_user(), make_proposal(), 2)


def test_database_refuses_a_second_vote_row_for_the_same_user(ctx):
    proposal, voter = make_proposal(), make_user()
    db.session.add(Vote(proposal_id=proposal.id, user_id=voter.id, value=1))
    db.session.flush()
    db.session.add(Vote(proposal_id=proposal.id, user_id=voter.id, value=-1))
    with pytest.raises(exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_database_refuses_a_vote_value_other_than_plus_or_minus_one(ctx):
    proposal, voter = make_proposal(), make_user()
    db.session.add(Vote(proposal_id=proposal.id, user_id=voter.id, value=5))
    with pytest.raises(exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
