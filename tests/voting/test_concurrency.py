"""Votes arriving at the same moment on PostgreSQL: counters equal the rows, one vote per
person, one threshold event (the counter-race class of Decidim's advisories,
GHSA-r275-j57c-7mf2; see tests/security/test_advisories.py).

Each request is a thread with its own app context, so its own session and connection,
drawn from a pool of POOL connections as gunicorn workers would; a barrier releases all
threads at once, and each then loads the user and the proposal and votes, as a request does.
"""

import random
import threading
from collections import Counter

import pytest
from sqlalchemy import create_engine, func, select

from katilim.auth.models import User
from katilim.extensions import db
from katilim.proposals.models import EventKind, Proposal, ProposalEvent
from katilim.voting.models import Vote
from katilim.voting.services import cast_vote
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_body, make_proposal, make_user

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="needs PostgreSQL: SQLite lets one writer at a time use the whole database file, "
    "so concurrent votes cannot race on one row (run with KATILIM_TEST_DATABASE_URL)",
)

POOL = 30  # well below max_connections (100), which other test databases share


@pytest.fixture
def wide_pool(app):
    """The app's engine swapped for one with POOL connections, for this test."""
    engines = db._app_engines[app]  # Flask-SQLAlchemy keeps one engine per app and bind
    original = engines[None]
    engines[None] = create_engine(original.url, pool_size=POOL, max_overflow=0, pool_timeout=60)
    yield
    engines[None].dispose()
    engines[None] = original


def all_at_once(app, requests: list[tuple[int, int, int]]) -> list[str]:
    """Run (user id, proposal id, value) votes in threads released together; outcomes."""
    barrier = threading.Barrier(len(requests), timeout=60)
    outcomes = ["not run"] * len(requests)

    def request(index, user_id, proposal_id, value):
        barrier.wait()
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                proposal = db.session.get(Proposal, proposal_id)
                cast_vote(user, proposal, value)
                db.session.commit()
                outcomes[index] = "ok"
            except Exception as error:  # noqa: BLE001 - reported by the assertions
                db.session.rollback()
                outcomes[index] = repr(error)

    threads = [
        threading.Thread(target=request, args=(index, *args)) for index, args in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def state(app, proposal_id: int) -> dict:
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        values = Counter(
            db.session.scalars(select(Vote.value).where(Vote.proposal_id == proposal_id))
        )
        thresholds = db.session.scalar(
            select(func.count())
            .select_from(ProposalEvent)
            .where(
                ProposalEvent.proposal_id == proposal_id,
                ProposalEvent.kind == EventKind.THRESHOLD_REACHED,
            )
        )
        return {
            "supports_count": proposal.supports_count,
            "opposes_count": proposal.opposes_count,
            "for_rows": values[1],
            "against_rows": values[-1],
            "threshold_events": thresholds,
        }


def setup(app, voters: int, threshold: int = 50) -> tuple[int, list[int]]:
    with app.app_context():
        body = make_body(support_threshold=threshold)
        proposal = make_proposal(body=body)
        users = [make_user(f"Seçmen {n}", email=f"voter{n}@example.org") for n in range(voters)]
        db.session.commit()
        return proposal.id, [user.id for user in users]


def test_500_people_voting_at_once_give_500_votes_and_matching_counters(app, wide_pool):
    proposal_id, user_ids = setup(app, 500, threshold=250)
    outcomes = all_at_once(app, [(user_id, proposal_id, 1) for user_id in user_ids])
    assert Counter(outcomes) == {"ok": 500}
    assert state(app, proposal_id) == {
        "supports_count": 500,
        "opposes_count": 0,
        "for_rows": 500,
        "against_rows": 0,
        "threshold_events": 1,  # crossed once, though many votes crossed it together
    }


def test_one_person_sending_the_same_vote_20_times_at_once_gives_one_vote(app, wide_pool):
    proposal_id, (user_id,) = setup(app, 1)
    outcomes = all_at_once(app, [(user_id, proposal_id, 1)] * 20)
    assert Counter(outcomes) == {"ok": 20}
    assert state(app, proposal_id) == {
        "supports_count": 1,
        "opposes_count": 0,
        "for_rows": 1,
        "against_rows": 0,
        "threshold_events": 0,
    }


def test_people_changing_their_votes_at_once_leave_counters_equal_to_the_rows(app, wide_pool):
    proposal_id, user_ids = setup(app, 10)
    chooser = random.Random(20261125)
    requests = [
        (user_id, proposal_id, chooser.choice((1, -1, 0)))
        for user_id in user_ids
        for _ in range(12)
    ]
    chooser.shuffle(requests)
    outcomes = all_at_once(app, requests)
    assert Counter(outcomes) == {"ok": len(requests)}
    final = state(app, proposal_id)
    assert final["supports_count"] == final["for_rows"]
    assert final["opposes_count"] == final["against_rows"]
    assert final["for_rows"] + final["against_rows"] <= len(user_ids)


# --- one account's overlapping requests, interleaved step by step --------------------------
#
# Requests from one account (a double click, two tabs) are threads with their own sessions.
# The one under test, B, is paused inside cast_vote around its reads of the vote
# (katilim.voting.services.get_vote_value) while the others run to their commit: the
# interleaving is the same on every run. A vote for or against is inserted first and read
# only when a row is already there; taking a vote back reads first.

WAIT = 20  # seconds; a step that takes longer means a lock nobody releases


class PausedReads:
    """get_vote_value that pauses in the thread named B: around its n-th read it sets
    ``reached(n)`` and waits for ``release(n)``; before the read, or after it when n is in
    ``after``. Reads without a pause set up run freely."""

    def __init__(self, real):
        self.real = real
        self.reads = 0
        self.after: set[int] = set()
        self._events: dict[int, tuple[threading.Event, threading.Event]] = {}

    def pause(self, n: int, *, after: bool = False) -> tuple[threading.Event, threading.Event]:
        if after:
            self.after.add(n)
        return self._events.setdefault(n, (threading.Event(), threading.Event()))

    def _wait(self, n: int) -> None:
        reached, release = self._events[n]
        reached.set()
        assert release.wait(WAIT), f"read {n} of B was never released"

    def __call__(self, user, proposal):
        if threading.current_thread().name != "B":
            return self.real(user, proposal)
        self.reads += 1
        n = self.reads
        if n in self._events and n not in self.after:
            self._wait(n)
        value = self.real(user, proposal)
        if n in self._events and n in self.after:
            self._wait(n)
        return value


@pytest.fixture
def paused_reads(monkeypatch):
    from katilim.voting import services

    paused = PausedReads(services.get_vote_value)
    monkeypatch.setattr(services, "get_vote_value", paused)
    return paused


def request_b(app, user_id: int, proposal_id: int, value: int, outcome: list) -> threading.Thread:
    def run():
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                proposal = db.session.get(Proposal, proposal_id)
                cast_vote(user, proposal, value)
                db.session.commit()
                outcome.append("ok")
            except Exception as error:  # noqa: BLE001 - reported by the assertions
                db.session.rollback()
                outcome.append(repr(error))

    thread = threading.Thread(target=run, name="B")
    thread.start()
    return thread


def vote_now(app, user_id: int, proposal_id: int, value: int) -> None:
    """Another request of the same account, run to its commit."""
    with app.app_context():
        cast_vote(db.session.get(User, user_id), db.session.get(Proposal, proposal_id), value)
        db.session.commit()


def assert_counters_follow_rows(app, proposal_id: int) -> dict:
    final = state(app, proposal_id)
    assert (final["supports_count"], final["opposes_count"]) == (
        final["for_rows"],
        final["against_rows"],
    )
    return final


def test_a_vote_read_back_as_gone_after_a_collision_is_counted_only_with_its_row(app, paused_reads):
    """The launch-blocker interleaving of three requests: A votes for and commits; B's insert
    collides with A's row; C takes the vote back and commits; B reads the vote after its
    collision and finds it gone. Code that counted B's vote without writing its row (or that
    counted the collision) would leave a counter without a row."""
    proposal_id, (user_id,) = setup(app, 1)
    vote_now(app, user_id, proposal_id, 1)  # A
    reread, release_reread = paused_reads.pause(1)
    outcome: list = []
    b = request_b(app, user_id, proposal_id, 1, outcome)
    assert reread.wait(WAIT), "B did not read the vote after its insert collided"
    vote_now(app, user_id, proposal_id, 0)  # C
    release_reread.set()
    b.join(WAIT)
    assert outcome == ["ok"]
    final = assert_counters_follow_rows(app, proposal_id)
    assert final["for_rows"] == 1  # B's vote, the last to arrive, stands


def test_a_vote_found_after_a_collision_and_gone_before_its_change_is_inserted_again(
    app, paused_reads
):
    """A voted against; B, voting for, collides with that row and reads -1; C takes the vote
    back before B changes it. B's change from -1 finds no row: B must count nothing for it
    and start over, inserting its own vote."""
    proposal_id, (user_id,) = setup(app, 1)
    vote_now(app, user_id, proposal_id, -1)  # A
    read, release_read = paused_reads.pause(1, after=True)
    outcome: list = []
    b = request_b(app, user_id, proposal_id, 1, outcome)
    assert read.wait(WAIT)  # B collided and read -1
    vote_now(app, user_id, proposal_id, 0)  # C
    release_read.set()
    b.join(WAIT)
    assert outcome == ["ok"]
    final = assert_counters_follow_rows(app, proposal_id)
    assert (final["for_rows"], final["against_rows"]) == (1, 0)


def test_a_vote_changed_after_it_was_read_is_changed_from_what_the_row_holds(app, paused_reads):
    """B reads a vote against and means to take it back; meanwhile C takes it back and A
    votes for. B's write must start from the row as it is then, and count only that."""
    proposal_id, (user_id,) = setup(app, 1)
    vote_now(app, user_id, proposal_id, -1)
    read, release_read = paused_reads.pause(1, after=True)
    outcome: list = []
    b = request_b(app, user_id, proposal_id, 0, outcome)
    assert read.wait(WAIT)  # B read -1
    vote_now(app, user_id, proposal_id, 0)  # C
    vote_now(app, user_id, proposal_id, 1)  # A
    release_read.set()
    b.join(WAIT)
    assert outcome == ["ok"]
    final = assert_counters_follow_rows(app, proposal_id)
    assert (final["for_rows"], final["against_rows"]) == (0, 0)  # B, the last, took it back


def test_a_vote_cast_while_the_account_is_being_deleted_leaves_no_counter_behind(app, monkeypatch):
    """The person votes in another tab while their account is being deleted: the vote must
    not be counted and then removed with the account (the database's ON DELETE CASCADE)
    without lowering the counter."""
    from katilim.privacy import deletion

    proposal_id, (user_id,) = setup(app, 1)
    unlinked, go_on = threading.Event(), threading.Event()
    real = deletion._unlink_other_references

    def pause_before_the_account_goes(uid):
        real(uid)
        unlinked.set()
        assert go_on.wait(WAIT)

    monkeypatch.setattr(deletion, "_unlink_other_references", pause_before_the_account_goes)
    outcome: list = []

    def delete_the_account():
        with app.app_context():
            deletion.delete_account(db.session.get(User, user_id))
            db.session.commit()
            outcome.append("deleted")

    deleting = threading.Thread(target=delete_the_account)
    deleting.start()
    assert unlinked.wait(WAIT)
    voting = request_b(app, user_id, proposal_id, 1, outcome)
    voting.join(2)  # it waits for the deletion, if the deletion holds the account's row
    go_on.set()
    deleting.join(WAIT)
    voting.join(WAIT)
    # The vote waited for the deletion and then found no account to vote with. Both threads
    # report right after the deletion's commit, in either order: only the vote's fate counts.
    assert "deleted" in outcome and "ok" not in outcome, outcome
    final = assert_counters_follow_rows(app, proposal_id)
    assert final["for_rows"] == 0
