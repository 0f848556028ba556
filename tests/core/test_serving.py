"""Serving in production: the reverse proxy, rate-limit storage, and /health."""

import logging

import pytest
from flask import Flask, request
from sqlalchemy.exc import OperationalError

from katilim import create_app, serving
from katilim.extensions import db, limiter


def _app_behind(proxies: int) -> Flask:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "test-secret",
            "RATELIMIT_ENABLED": False,
            "PROXY_COUNT": proxies,
        }
    )

    @app.route("/_whoami")
    def whoami():
        return {"addr": request.remote_addr, "secure": request.is_secure}

    return app


FORWARDED = {"X-Forwarded-For": "198.51.100.4, 203.0.113.7", "X-Forwarded-Proto": "https"}


def test_behind_one_proxy_the_visitor_address_and_https_are_known():
    client = _app_behind(1).test_client()
    assert client.get("/_whoami", headers=FORWARDED).json == {
        "addr": "203.0.113.7",  # the address our proxy saw; the one before it could be forged
        "secure": True,
    }


def test_without_a_proxy_count_forwarded_headers_are_not_believed():
    client = _app_behind(0).test_client()
    assert client.get("/_whoami", headers=FORWARDED).json == {"addr": "127.0.0.1", "secure": False}


def _bare(**config) -> Flask:
    app = Flask("serving_test")
    app.config.update(
        {"ENV_NAME": "production", "SITE_URL": "https://katilim.example.org", **config}
    )
    return app


@pytest.mark.parametrize(
    ("uri", "redis"),
    [
        ("redis://127.0.0.1:6379/0", True),
        ("rediss://:secret@cache.internal:6380/1", True),
        ("redis+sentinel://s1:26379/mymaster", True),
        ("memory://", False),
        (None, False),
    ],
)
def test_redis_storage_is_recognised_and_given_timeouts(uri, redis):
    app = _bare(RATELIMIT_STORAGE_URI=uri)
    serving.init_app(app)
    assert serving.uses_redis(app) is redis
    app.config["RATELIMIT_ENABLED"] = False  # then nothing uses Redis
    assert serving.uses_redis(app) is False
    options = app.config.get("RATELIMIT_STORAGE_OPTIONS", {})
    assert (options.get("socket_timeout") == serving.REDIS_TIMEOUT_SECONDS) is redis


def test_own_redis_options_are_kept():
    app = _bare(
        RATELIMIT_STORAGE_URI="redis://r/0", RATELIMIT_STORAGE_OPTIONS={"socket_timeout": 9}
    )
    serving.init_app(app)
    assert app.config["RATELIMIT_STORAGE_OPTIONS"] == {
        "socket_timeout": 9,
        "socket_connect_timeout": serving.REDIS_TIMEOUT_SECONDS,
    }


@pytest.mark.parametrize(
    ("env", "workers", "enabled", "refused"),
    [
        ("production", "4", True, True),
        ("production", "1", True, False),
        ("production", None, True, False),
        ("production", "4", False, False),  # no limits at all (the benchmark): nothing to share
        ("development", "4", True, False),
    ],
)
def test_production_refuses_to_count_rate_limits_in_memory_with_several_workers(
    monkeypatch, env, workers, enabled, refused
):
    if workers:
        monkeypatch.setenv("KATILIM_GUNICORN_WORKERS", workers)
    else:
        monkeypatch.delenv("KATILIM_GUNICORN_WORKERS", raising=False)
    app = _bare(
        ENV_NAME=env,
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_ENABLED=enabled,
        SITE_URL="https://katilim.example.org",
    )
    if refused:
        with pytest.raises(RuntimeError, match="KATILIM_RATELIMIT_STORAGE_URI=redis://"):
            serving.init_app(app)
    else:
        serving.init_app(app)


def test_several_workers_with_redis_start(monkeypatch):
    monkeypatch.setenv("KATILIM_GUNICORN_WORKERS", "4")
    app = _bare(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0", SITE_URL="https://k.example")
    serving.init_app(app)
    assert serving.uses_redis(app)


def test_health_checks_the_database(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}  # no Redis configured


def test_health_is_503_when_the_database_fails(client, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    with caplog.at_level(logging.ERROR):
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unavailable"}
    assert "the database is unavailable" in caplog.text


class FakeStorage:
    def __init__(self, answers: bool):
        self.answers = answers

    def check(self) -> bool:
        return self.answers


@pytest.mark.parametrize(("answers", "status"), [(True, 200), (False, 503)])
def test_health_checks_redis_when_rate_limits_live_there(client, monkeypatch, answers, status):
    monkeypatch.setattr("katilim.core.routes.uses_redis", lambda app: True)
    # The test app keeps rate limiting off, so the limiter has no storage of its own.
    monkeypatch.setattr(limiter, "_storage", FakeStorage(answers))
    response = client.get("/health")
    assert response.status_code == status
    assert response.json == {
        "status": "ok" if answers else "error",
        "database": "ok",
        "redis": "ok" if answers else "unavailable",
    }
