"""/health answers within a fraction of a second whatever hangs, and says which part failed;
pages go on while Redis hangs (rate limits counted per process meanwhile) and answer 503,
not hang, while the database hangs.

"Hangs" is a TCP server that accepts connections and never answers (tests/network.py).
"""

import logging
import threading
import time

import pytest

from katilim import create_app
from katilim.config import DefaultConfig
from katilim.extensions import db
from katilim.organization.services import load_council
from tests.conftest import TEST_DATABASE_URL
from tests.network import HangingServer, closed_port

HEALTH_BUDGET = 1.0  # seconds: the checks get 0.3 s; the rest is room for a loaded machine


@pytest.fixture
def hanging():
    with HangingServer() as server:
        yield server


def working_database_url(tmp_path) -> str:
    return TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'health.sqlite'}"


def build_app(database_url: str, redis_url: str | None = None, **config):
    app = create_app(
        {
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": redis_url is not None,
            "RATELIMIT_STORAGE_URI": redis_url or "memory://",
            "MAIL_BACKEND": "memory",
            **config,
        }
    )
    return app


def timed(call, budget: float):
    """(result, seconds) of call(), failing when it takes longer than ``budget`` seconds
    (it runs in a thread, so that a call that would hang for minutes cannot hang the test)."""
    outcome = {}

    def run():
        started = time.perf_counter()
        outcome["result"] = call()
        outcome["seconds"] = time.perf_counter() - started

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(budget)
    assert "seconds" in outcome, f"no answer within {budget} s"
    return outcome["result"], outcome["seconds"]


def test_health_answers_at_once_when_redis_hangs(tmp_path, hanging, keep_limiter):
    app = build_app(working_database_url(tmp_path), f"redis://127.0.0.1:{hanging.port}/4")
    client = app.test_client()
    for _ in range(3):  # the hung check of the first call is not started again meanwhile
        response, seconds = timed(lambda: client.get("/health"), budget=10)
        assert seconds < HEALTH_BUDGET
        assert response.status_code == 503
        assert response.json == {"status": "error", "database": "ok", "redis": "timeout"}


def test_health_answers_at_once_when_the_database_hangs(hanging, keep_limiter):
    url = f"postgresql+psycopg://katilim@127.0.0.1:{hanging.port}/katilim"
    app = build_app(url, DATABASE_CONNECT_TIMEOUT_SECONDS=2)
    client = app.test_client()
    for _ in range(2):
        response, seconds = timed(lambda: client.get("/health"), budget=10)
        assert seconds < HEALTH_BUDGET
        assert (response.status_code, response.json) == (
            503,
            {"status": "error", "database": "timeout"},
        )


def test_health_names_the_part_that_refuses(tmp_path, keep_limiter, caplog):
    app = build_app(working_database_url(tmp_path), f"redis://127.0.0.1:{closed_port()}/4")
    with caplog.at_level(logging.ERROR):
        response, seconds = timed(lambda: app.test_client().get("/health"), budget=10)
    assert seconds < HEALTH_BUDGET
    assert (response.status_code, response.json) == (
        503,
        {"status": "error", "database": "ok", "redis": "unavailable"},
    )
    assert "Health check: Redis is unavailable" in caplog.text


def test_a_page_answers_503_when_the_database_hangs(hanging, keep_limiter):
    """libpq would wait 130 s for the server's first answer: gunicorn would kill the worker
    at 30 s and nginx show its own 502 page. The connection gives up after the setting."""
    url = f"postgresql+psycopg://katilim@127.0.0.1:{hanging.port}/katilim"
    app = build_app(url, DATABASE_CONNECT_TIMEOUT_SECONDS=2)
    client = app.test_client()
    response, seconds = timed(
        lambda: client.get("/proposals", headers={"Accept-Language": "en"}), budget=15
    )
    assert seconds < 5
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Temporarily unavailable" in response.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_postgresql_connections_get_bounded_waits(keep_limiter):
    app = build_app("postgresql+psycopg://katilim@db.internal/katilim")
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {
        "connect_timeout": 5,
        "tcp_user_timeout": 5000,
    }
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    own = build_app(
        "postgresql+psycopg://katilim@db.internal/katilim",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 12}},
    )
    assert own.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["connect_timeout"] == 12
    sqlite = build_app("sqlite://")
    assert "connect_args" not in sqlite.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert DefaultConfig.SQLALCHEMY_ENGINE_OPTIONS == {"pool_pre_ping": True}  # not changed


def test_pages_go_on_when_redis_hangs_with_limits_counted_in_memory(
    tmp_path, hanging, keep_limiter, caplog
):
    """While Redis hangs each process counts in its own memory (flask-limiter's fallback):
    the site stays usable and still limited. A request pays at most the Redis timeout
    (twice on the first: the call that fails, then flask-limiter's check) instead of 2 s
    twice."""
    # A database of its own (SQLite), as this is about Redis.
    app = build_app(f"sqlite:///{tmp_path / 'pages.sqlite'}", f"redis://127.0.0.1:{hanging.port}/4")
    with app.app_context():
        db.create_all()
        load_council(app.config["COUNCIL_DATA_FILE"])  # accounts are looked up per council
        db.session.commit()
    client = app.test_client()
    form = {"email": "someone@example.org"}
    statuses, slowest = [], 0.0
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            response, seconds = timed(lambda: client.post("/auth/reset", data=form), budget=15)
            statuses.append(response.status_code)
            slowest = max(slowest, seconds)
    # reset_account: 3 an hour for one e-mail address, counted in this process's memory.
    assert statuses == [200] * 3 + [429] * 2
    assert slowest < 1.6
    assert "falling back to in-memory storage" in caplog.text
