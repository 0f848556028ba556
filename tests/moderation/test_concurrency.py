"""Two moderators deciding the same proposal at once end with one consistent state.

Each moderator works in an own app context, and so an own database session. The two are
kept apart in one thread by running each in its own ``contextvars.Context`` (Flask keeps the
current app context in a context variable), which lets the test interleave them step by step.
"""

import contextvars
import threading
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from katilim.audit.models import AuditLog
from katilim.auth.models import User
from katilim.core.errors import InvalidTransition
from katilim.extensions import db
from katilim.moderation import services
from katilim.organization.models import Body
from katilim.proposals.models import EventKind, Proposal, ProposalEvent, ProposalStatus
from katilim.voting.services import cast_vote
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_user
from tests.moderation.helpers import make_cast, proposal_in

S = ProposalStatus
DECISION_EVENTS = (EventKind.STATUS_CHANGED, EventKind.REROUTED, EventKind.MERGED)


class Moderator:
    """One moderator's request: an app context of its own, alive between steps."""

    def __init__(self, app, user_id: int, proposal_id: int):
        self.context = contextvars.copy_context()
        self.app_context = app.app_context()
        self.context.run(self.app_context.push)
        self.user = self.run(db.session.get, User, user_id)
        self.proposal = self.run(db.session.get, Proposal, proposal_id)
        self.run(lambda: (self.proposal.status, self.user.memberships))  # both read now

    def run(self, function, *args, **kwargs):
        return self.context.run(function, *args, **kwargs)

    def act(self, verb, *args, **kwargs):
        """Run a service verb on the loaded proposal and commit, as a route does."""

        def step():
            try:
                result = verb(self.user, self.proposal, *args, **kwargs)
                db.session.commit()
                return result
            except Exception:
                db.session.rollback()
                raise

        return self.run(step)

    def close(self) -> None:
        self.run(self.app_context.pop)


@dataclass
class Setup:
    proposal_id: int
    first_id: int
    second_id: int
    spare_body_id: int
    target_id: int


@pytest.fixture
def setup(app) -> Setup:
    """A new proposal of a body with two moderators; another open proposal to merge into."""
    with app.app_context():
        cast = make_cast()
        second = make_user("İkinci Moderatör", moderates=cast.body)
        proposal = proposal_in(cast)
        target = proposal_in(cast)
        db.session.commit()
        return Setup(proposal.id, cast.moderator.id, second.id, cast.spare_body.id, target.id)


def timeline(app, proposal_id: int) -> tuple[Proposal, list[ProposalEvent], list[str]]:
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        events = list(
            db.session.scalars(
                select(ProposalEvent)
                .where(
                    ProposalEvent.proposal_id == proposal_id,
                    ProposalEvent.kind.in_(DECISION_EVENTS),
                )
                .order_by(ProposalEvent.id)
            )
        )
        actions = list(
            db.session.scalars(
                select(AuditLog.action)
                .where(AuditLog.target_type == "proposal", AuditLog.target_id == proposal_id)
                .order_by(AuditLog.id)
            )
        )
        db.session.expunge_all()
        return proposal, events, actions


def both_moderators(app, setup: Setup) -> tuple[Moderator, Moderator]:
    return (
        Moderator(app, setup.first_id, setup.proposal_id),
        Moderator(app, setup.second_id, setup.proposal_id),
    )


def test_two_moderators_deciding_at_once_give_one_decision(app, setup):
    first, second = both_moderators(app, setup)
    try:
        assert first.run(lambda: first.proposal.status) == second.run(
            lambda: second.proposal.status
        )
        first.act(services.change_status, "accept", text="")
        with pytest.raises(InvalidTransition):
            second.act(services.change_status, "reject", text="Bütçe yok.")
    finally:
        first.close()
        second.close()

    proposal, events, actions = timeline(app, setup.proposal_id)
    assert proposal.status == S.ACCEPTED
    assert [(e.kind, e.to_value, e.actor_id) for e in events] == [
        (EventKind.STATUS_CHANGED, "accepted", setup.first_id)
    ]
    assert actions == ["proposal.accept"]


def test_a_reject_first_wins_over_a_late_accept(app, setup):
    first, second = both_moderators(app, setup)
    try:
        first.act(services.change_status, "reject", text="Bütçe yok.")
        with pytest.raises(InvalidTransition):
            second.act(services.change_status, "accept", text="Kabul.")
    finally:
        first.close()
        second.close()
    proposal, events, actions = timeline(app, setup.proposal_id)
    assert (proposal.status, proposal.first_answer_at is not None) == (S.REJECTED, True)
    assert [(e.to_value, e.text) for e in events] == [("rejected", "Bütçe yok.")]
    assert actions == ["proposal.reject"]


def test_a_late_reroute_does_not_undo_a_decision(app, setup):
    """Re-routing puts the proposal back to "new": never over a decision made meanwhile."""
    with app.app_context():
        body_id = db.session.get(Proposal, setup.proposal_id).body_id
    first, second = both_moderators(app, setup)
    try:
        first.act(services.change_status, "accept", text="Kabul.")
        spare = second.run(db.session.get, Body, setup.spare_body_id)
        with pytest.raises(InvalidTransition):
            second.act(services.reroute, spare, "Başka grubun işi.")
    finally:
        first.close()
        second.close()
    proposal, events, actions = timeline(app, setup.proposal_id)
    assert (proposal.status, proposal.body_id) == (S.ACCEPTED, body_id)
    assert [e.kind for e in events] == [EventKind.STATUS_CHANGED]
    assert actions == ["proposal.accept"]


def test_a_late_merge_does_not_close_a_decided_proposal(app, setup):
    with app.app_context():
        voter = make_user()
        cast_vote(voter, db.session.get(Proposal, setup.proposal_id), 1)
        db.session.commit()
    first, second = both_moderators(app, setup)
    try:
        first.act(services.change_status, "reject", text="Bütçe yok.")
        target = second.run(lambda: db.session.get(Proposal, setup.target_id))
        with pytest.raises(InvalidTransition):
            second.act(services.merge, target, "Aynısı.")
    finally:
        first.close()
        second.close()
    proposal, events, actions = timeline(app, setup.proposal_id)
    assert (proposal.status, proposal.merged_into_id) == (S.REJECTED, None)
    assert [e.to_value for e in events] == ["rejected"]
    assert actions == ["proposal.reject"]
    target, _, _ = timeline(app, setup.target_id)
    assert target.supports_count == 0  # the vote did not move


@pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="needs PostgreSQL: SQLite lets one writer at a time use the whole database file, "
    "so two threads cannot race on one row (run with KATILIM_TEST_DATABASE_URL)",
)
def test_two_moderators_in_two_threads_give_one_decision(app):
    rounds = 5
    with app.app_context():
        cast = make_cast()
        second = make_user("İkinci Moderatör", moderates=cast.body)
        moderator_ids = (cast.moderator.id, second.id)
        proposal_ids = [proposal_in(cast).id for _ in range(rounds)]
        db.session.commit()

    for proposal_id in proposal_ids:
        barrier = threading.Barrier(2, timeout=10)
        outcomes: dict[str, str] = {}

        def decide(user_id, action, text, proposal_id=proposal_id, barrier=barrier, out=outcomes):
            with app.app_context():
                user = db.session.get(User, user_id)
                proposal = db.session.get(Proposal, proposal_id)
                _ = user.memberships, proposal.body  # everything read before the race
                barrier.wait()
                try:
                    services.change_status(user, proposal, action, text=text)
                    db.session.commit()
                    out[action] = "done"
                except InvalidTransition:
                    db.session.rollback()
                    out[action] = "refused"
                except Exception as error:  # noqa: BLE001 - reported by the assertion
                    db.session.rollback()
                    out[action] = repr(error)

        threads = [
            threading.Thread(target=decide, args=(moderator_ids[0], "accept", "")),
            threading.Thread(target=decide, args=(moderator_ids[1], "reject", "Bütçe yok.")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert sorted(outcomes.values()) == ["done", "refused"], outcomes
        winner = next(action for action, outcome in outcomes.items() if outcome == "done")
        proposal, events, actions = timeline(app, proposal_id)
        expected = {"accept": S.ACCEPTED, "reject": S.REJECTED}[winner]
        assert proposal.status == expected
        assert [e.to_value for e in events] == [expected.value]
        assert actions == [f"proposal.{winner}"]
