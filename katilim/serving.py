"""Serving behind a reverse proxy, with several processes: see docs/deploy.md.

- ``KATILIM_PROXY_COUNT=N`` trusts the last N proxies' ``X-Forwarded-For`` and
  ``X-Forwarded-Proto`` (werkzeug's ProxyFix), so that ``request.remote_addr`` is the visitor's
  address (rate limits, logs) and ``request.is_secure`` knows the page came over HTTPS.
  ``X-Forwarded-Host`` is not trusted: nginx passes the Host header itself.
- Rate limits are counted in ``RATELIMIT_STORAGE_URI``: ``memory://`` counts per process, so
  with several gunicorn workers or machines it must be shared: ``redis://host:6379/0``.
- A database or a Redis that stops answering must not hold a page for minutes: connections to
  PostgreSQL give up after ``DATABASE_CONNECT_TIMEOUT_SECONDS`` (the page then gets the 503
  page), Redis calls after ``REDIS_TIMEOUT_SECONDS`` (the process then counts rate limits in
  its own memory until Redis answers again, which flask-limiter checks now and then).
"""

import os
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy.engine import make_url
from werkzeug.middleware.proxy_fix import ProxyFix

REDIS_SCHEMES = ("redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")
REDIS_TIMEOUT_SECONDS = 0.5  # when the setting is missing (an application built by hand)
DATABASE_CONNECT_TIMEOUT_SECONDS = 5


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    _bound_database_waits(app)
    if _redis_uri(app):
        timeout = float(app.config.get("REDIS_TIMEOUT_SECONDS") or REDIS_TIMEOUT_SECONDS)
        options = app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {})
        options.setdefault("socket_connect_timeout", timeout)
        options.setdefault("socket_timeout", timeout)
    elif _counts_per_process(app) and serving_processes() > 1:
        app.logger.warning(
            "Rate limits are counted in memory, separately by each of %d worker processes: "
            "set KATILIM_RATELIMIT_STORAGE_URI=redis://HOST:6379/0 so that they are shared "
            "(docs/deploy.md).",
            serving_processes(),
        )


def _bound_database_waits(app: Flask) -> None:
    """PostgreSQL: libpq waits 130 s for a server that does not answer, and an open connection
    whose server vanished waits for TCP to give up (minutes). Both are bounded, unless the
    settings already name them."""
    uri = app.config.get("SQLALCHEMY_DATABASE_URI") or ""
    try:
        if make_url(uri).get_backend_name() != "postgresql":
            return
    except Exception:  # a malformed URL fails later with a clearer message
        return
    seconds = int(
        app.config.get("DATABASE_CONNECT_TIMEOUT_SECONDS") or DATABASE_CONNECT_TIMEOUT_SECONDS
    )
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})  # never the class's
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("connect_timeout", max(seconds, 2))  # libpq's minimum is 2
    # Unacknowledged data (a query sent to a server that vanished) fails after this long.
    connect_args.setdefault("tcp_user_timeout", max(seconds, 2) * 1000)
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def uses_redis(app: Flask) -> bool:
    """Whether the site depends on Redis (today: rate limits are on and counted there)."""
    return app.config.get("RATELIMIT_ENABLED", True) and _redis_uri(app)


def _redis_uri(app: Flask) -> bool:
    uri = app.config.get("RATELIMIT_STORAGE_URI") or ""
    return urlsplit(uri).scheme in REDIS_SCHEMES


def _counts_per_process(app: Flask) -> bool:
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    return app.config["ENV_NAME"] == "production" and uri.startswith("memory://")


def serving_processes() -> int:
    """How many worker processes serve the site: gunicorn.conf.py tells its workers, and no
    one else (a command such as send-mail is one process whatever KATILIM_WORKERS says)."""
    try:
        return int(os.environ.get("KATILIM_GUNICORN_WORKERS") or 1)
    except ValueError:
        return 1
