"""The checks behind /health: each part with its own short timeout, all side by side.

A check runs in a thread of its own and is given HEALTH_CHECK_TIMEOUT_SECONDS; the answer
never waits longer than that, whatever hangs. A check that hangs goes on in its thread until
the part's own timeout ends it (REDIS_TIMEOUT_SECONDS, DATABASE_CONNECT_TIMEOUT_SECONDS), and
until then the next /health of that process waits for the same check instead of starting
another one: a hung Redis or database costs at most one thread per part and process.
"""

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from flask import Flask

OK, UNAVAILABLE, TIMEOUT = "ok", "unavailable", "timeout"

_lock = threading.RLock()  # _start holds it while _pool may create the executor
_executor: tuple[int, ThreadPoolExecutor] | None = None  # (pid, executor): one per process


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None or _executor[0] != os.getpid():  # a forked worker starts afresh
            _executor = (os.getpid(), ThreadPoolExecutor(4, thread_name_prefix="health"))
        return _executor[1]


def _start(app: Flask, name: str, check: Callable[[], str]) -> Future:
    running: dict[str, Future] = app.extensions.setdefault("katilim_health_checks", {})
    with _lock:
        future = running.get(name)
        if future is None or future.done():
            future = running[name] = _pool().submit(check)
        return future


def run_checks(app: Flask, checks: dict[str, Callable[[], str]]) -> dict[str, str]:
    """{"database": "ok" | "unavailable" | "timeout", …} within the health timeout; each
    check returns one of those itself (a part's own timeout is a "timeout" too)."""
    timeout = float(app.config.get("HEALTH_CHECK_TIMEOUT_SECONDS") or 0.3)
    futures = {name: _start(app, name, check) for name, check in checks.items()}
    deadline = time.monotonic() + timeout
    results = {}
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            results[name] = TIMEOUT
        except Exception:  # the check itself failed: the part is not usable
            app.logger.exception("Health check: %s failed", name)
            results[name] = UNAVAILABLE
    return results


def database_status(app: Flask) -> str:
    """SELECT 1 on a connection of the application's pool (in the check's thread)."""
    from sqlalchemy import text

    from katilim.extensions import db

    with app.app_context():
        try:
            db.session.execute(text("SELECT 1"))
            return OK
        except Exception as error:  # any database failure means "not ready"
            reason = (str(error).strip().splitlines() or [""])[0][:300]
            app.logger.error("Health check: the database is unavailable: %s", reason)
            return UNAVAILABLE
        finally:
            db.session.remove()


def redis_status(storage) -> str:
    """PING through the rate limiter's own Redis connection (its timeouts: serving.py)."""
    if not hasattr(storage, "get_connection"):  # a storage that can only say yes or no
        return OK if storage.check() else UNAVAILABLE
    import redis

    try:
        return OK if storage.get_connection().ping() else UNAVAILABLE
    except redis.TimeoutError:
        return TIMEOUT
    except Exception:
        return UNAVAILABLE
