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
