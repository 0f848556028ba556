"""The figures' cache (katilim/core/cache.py): kept until the data under them changes, with
a bounded set of keys whatever a visitor sends."""

import pytest
from flask import Flask
from sqlalchemy import update

from katilim.core import cache
from katilim.extensions import db
from katilim.proposals.models import Proposal
from katilim.voting.services import cast_vote
from tests.factories import make_proposal, make_user


@pytest.fixture
def kept(figures_kept):
    """Figures kept as in production, in a fresh cache (tests/core/conftest.py)."""


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


def _kept_keys(app) -> int:
    return len(app.extensions["cache"][cache.cache]._cache)


def test_a_new_proposal_is_counted_at_once(app, client, council, kept):
    with app.app_context():
        make_proposal()
        db.session.commit()
    assert "1 proposal found" in client.get("/proposals").get_data(as_text=True)
    assert "1 proposal found" in client.get("/proposals").get_data(as_text=True)  # kept
    with app.app_context():
        make_proposal()
        db.session.commit()
    assert "2 proposals found" in client.get("/proposals").get_data(as_text=True)


def test_a_statement_that_hides_a_proposal_makes_the_counts_stale(app, client, council, kept):
    with app.app_context():
        first, _second = make_proposal(), make_proposal()
        db.session.commit()
        first_id = first.id
    assert "2 proposals found" in client.get("/proposals").get_data(as_text=True)
    with app.app_context():
        db.session.execute(update(Proposal).where(Proposal.id == first_id).values(is_hidden=True))
        db.session.commit()
    assert "1 proposal found" in client.get("/proposals").get_data(as_text=True)


def test_a_vote_makes_the_kept_figures_stale(app, council, kept):
    figure = Counter()
    with app.app_context():
        proposal = make_proposal()
        db.session.commit()
        assert cache.cached(("figure",), figure) == cache.cached(("figure",), figure) == 1
        cast_vote(make_user(), proposal, 1)
        db.session.commit()
        assert cache.cached(("figure",), figure) == 2


def test_a_rolled_back_change_keeps_the_figures(app, council, kept):
    figure = Counter()
    with app.app_context():
        cache.cached(("figure",), figure)
        make_proposal()
        db.session.rollback()
        assert cache.cached(("figure",), figure) == 1


def test_nothing_is_kept_when_switched_off(app, council):
    figure = Counter()
    with app.app_context():
        cache.cached(("figure",), figure)
        assert cache.cached(("figure",), figure) == 2


def test_a_hostile_query_string_adds_no_keys(app, client, council, kept):
    client.get("/proposals")
    client.get("/proposals?sort=equity")
    client.get("/proposals?body=none")  # reads the council's slugs: one key, kept
    before = _kept_keys(app)
    for i in range(40):
        noise = f"{'x' * 50}{i}"
        for url in (
            f"/proposals?body={noise}",
            f"/proposals?district={noise}&sort=equity",
            f"/proposals?q={noise}",
            f"/proposals?tag={noise}",
            f"/proposals?status={noise}&language={noise}",
        ):
            assert client.get(url).status_code == 200
    assert _kept_keys(app) == before


def test_keys_have_a_fixed_length():
    long_key = ("proposal-count", 1, "ş" * 10_000)
    assert len(cache.key_digest(long_key)) == len(cache.key_digest(("stats", 1))) == 32
    assert cache.key_digest(long_key) != cache.key_digest(("proposal-count", 1, "ş"))


def test_an_unreachable_cache_computes_the_figures(app, council, kept, monkeypatch):
    def broken(*_args, **_kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache.cache, "get", broken)
    monkeypatch.setattr(cache.cache, "set", broken)
    with app.app_context():
        assert cache.cached(("figure",), Counter()) == 1
        cache.invalidate()  # logged, not raised


@pytest.mark.parametrize(
    ("settings", "backend"),
    [
        ({}, "SimpleCache"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "SimpleCache"),
        ({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}, "RedisCache"),
        ({"CACHE_REDIS_URL": "redis://127.0.0.1:6379/3"}, "RedisCache"),
        # set by hand (instance/config.py): taken as it is
        (
            {"CACHE_TYPE": "SimpleCache", "CACHE_REDIS_URL": "redis://127.0.0.1:6379/3"},
            "SimpleCache",
        ),
    ],
)
def test_the_backend_follows_the_settings(settings, backend):
    bare = Flask(__name__)
    bare.config.update(settings)
    cache.init_app(bare)
    assert bare.config["CACHE_TYPE"] == backend
    if not settings:
        assert bare.config["CACHE_THRESHOLD"] == cache.SIMPLE_CACHE_THRESHOLD
