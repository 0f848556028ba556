"""Serving behind a reverse proxy, with several processes: see docs/deploy.md.

- ``KATILIM_PROXY_COUNT=N`` trusts the last N proxies' ``X-Forwarded-For`` and
  ``X-Forwarded-Proto`` (werkzeug's ProxyFix), so that ``request.remote_addr`` is the visitor's
  address (rate limits, logs) and ``request.is_secure`` knows the page came over HTTPS.
  ``X-Forwarded-Host`` is not trusted: nginx passes the Host header itself.
- Requests for a host that is not the site's get the 400 page (``ALLOWED_HOSTS``, by default
  SITE_URL's host in production, and the host of every council loaded with its own
  ``site_url``), except ``/health``, which a load balancer may call by
  address. Links never come from the Host header anyway (katilim/core/urls.py); this keeps
  anything that reads it (a cache, a log, a later feature) from being fed a stranger's host.
- Rate limits are counted in ``RATELIMIT_STORAGE_URI``: ``memory://`` counts per process, so
  with several gunicorn workers or machines it must be shared: ``redis://host:6379/0``.
  Production refuses to start with several workers counting in memory.
- A database or a Redis that stops answering must not hold a page for minutes: connections to
  PostgreSQL give up after ``DATABASE_CONNECT_TIMEOUT_SECONDS`` (the page then gets the 503
  page), Redis calls after ``REDIS_TIMEOUT_SECONDS`` (the process then counts rate limits in
  its own memory until Redis answers again, which flask-limiter checks now and then).
"""

import os
from urllib.parse import urlsplit

from flask import Flask, abort, request
from sqlalchemy.engine import make_url
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.sansio.utils import host_is_trusted

from katilim.core.tenancy import serves_host

REDIS_SCHEMES = ("redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")
REDIS_TIMEOUT_SECONDS = 0.5  # when the setting is missing (an application built by hand)
DATABASE_CONNECT_TIMEOUT_SECONDS = 5


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    _init_allowed_hosts(app)

    _bound_database_waits(app)
    if _redis_uri(app):
        timeout = float(app.config.get("REDIS_TIMEOUT_SECONDS") or REDIS_TIMEOUT_SECONDS)
        options = app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {})
        options.setdefault("socket_connect_timeout", timeout)
        options.setdefault("socket_timeout", timeout)
    elif _counts_per_process(app) and serving_processes() > 1:
        # Each worker would count on its own: N workers, N times every allowance.
        raise RuntimeError(
            f"Rate limits are counted in memory, separately by each of {serving_processes()} "
            "worker processes, which multiplies every allowance: set "
            "KATILIM_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 (a Redis that every "
            "worker reaches; docs/deploy.md, section 4), or run one worker (KATILIM_WORKERS=1)."
        )


def allowed_hosts(app: Flask) -> list[str] | None:
    """The host names the site answers for, or None for any (see ALLOWED_HOSTS)."""
    setting = app.config.get("ALLOWED_HOSTS")
    if setting is None and app.config.get("TRUSTED_HOSTS"):
        # Flask's own check would fail before the error page could be drawn: use it here.
        setting, app.config["TRUSTED_HOSTS"] = app.config["TRUSTED_HOSTS"], None
    if isinstance(setting, str):
        setting = [name.strip() for name in setting.split(",") if name.strip()]
    if not setting:
        if app.config["ENV_NAME"] != "production":
            return None
        setting = [urlsplit(app.config["SITE_URL"]).hostname]
    return None if "*" in setting else list(setting)


def _init_allowed_hosts(app: Flask) -> None:
    hosts = allowed_hosts(app)
    app.config["ALLOWED_HOSTS"] = hosts
    if hosts is None:
        return

    @app.before_request
    def refuse_other_hosts():
        # /health is for the load balancer, which often calls by address; it has no links.
        # A council loaded with its own address (site_url) is served at that host too.
        if (
            request.path != "/health"
            and not host_is_trusted(request.host, hosts)
            and not serves_host(request.host)
        ):
            app.logger.warning("Refused a request for the host %r", request.host[:100])
            abort(400)


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
    return (
        app.config["ENV_NAME"] == "production"
        and app.config.get("RATELIMIT_ENABLED", True)
        and uri.startswith("memory://")
    )


def serving_processes() -> int:
    """How many worker processes serve the site: gunicorn.conf.py tells its workers, and no
    one else (a command such as send-mail is one process whatever KATILIM_WORKERS says)."""
    try:
        return int(os.environ.get("KATILIM_GUNICORN_WORKERS") or 1)
    except ValueError:
        return 1
