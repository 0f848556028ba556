"""Serving behind a reverse proxy, with several processes: see docs/deploy.md.

- ``KATILIM_PROXY_COUNT=N`` trusts the last N proxies' ``X-Forwarded-For`` and
  ``X-Forwarded-Proto`` (werkzeug's ProxyFix), so that ``request.remote_addr`` is the visitor's
  address (rate limits, logs) and ``request.is_secure`` knows the page came over HTTPS.
  ``X-Forwarded-Host`` is not trusted: nginx passes the Host header itself.
- Rate limits are counted in ``RATELIMIT_STORAGE_URI``: ``memory://`` counts per process, so
  with several gunicorn workers or machines it must be shared: ``redis://host:6379/0``.
"""

import os
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

REDIS_SCHEMES = ("redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster")
# A Redis that stops answering must not hang a page (or /health) for minutes.
REDIS_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    if _redis_uri(app):
        options = app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {})
        for name, value in REDIS_OPTIONS.items():
            options.setdefault(name, value)
    elif _counts_per_process(app) and serving_processes() > 1:
        app.logger.warning(
            "Rate limits are counted in memory, separately by each of %d worker processes: "
            "set KATILIM_RATELIMIT_STORAGE_URI=redis://HOST:6379/0 so that they are shared "
            "(docs/deploy.md).",
            serving_processes(),
        )


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
