"""Figures that are costly to compute, kept in Flask-Caching until the data under them changes.

Production keeps them in Redis (``CACHE_REDIS_URL``, or the rate limits' Redis), shared by every
worker; development and tests in a bounded per-process ``SimpleCache``. Every value is kept at
most ``STATS_CACHE_SECONDS`` (0: not kept at all), and none outlives a committed change to what
the figures read: a commit that touches a proposal, its events, votes, comments, bodies,
districts or demographics moves the site's cache generation, and every key carries the
generation it was computed under.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context
from flask_caching import Cache
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from katilim.core.tenancy import current_council_id

log = logging.getLogger(__name__)
cache = Cache()

T = TypeVar("T")
GENERATION_KEY = "generation"
SIMPLE_CACHE_THRESHOLD = 500  # values kept per process in development; the oldest go first
# The tables every cached figure is computed from; a commit that writes any of them (through
# the unit of work or an UPDATE/DELETE statement) makes every kept figure stale.
WATCHED_TABLES = frozenset(
    {
        "proposals",
        "proposal_events",
        "proposal_tags",
        "votes",
        "comments",
        "bodies",
        "districts",
        "councils",
        "demographics",
    }
)
_DIRTY = "katilim_cache_dirty"
# Whole pages (katilim/core/pagecache.py) show more than the figures: meetings, photos, names.
# They carry a generation of their own, moved by a commit that writes any table but these,
# which no page shared with visitors shows (sessions, logs, mail, personal records).
PAGE_GENERATION_KEY = "page-generation"
PAGE_UNWATCHED_TABLES = frozenset(
    {
        "user_sessions",
        "login_throttles",
        "audit_log",
        "outbox_messages",
        "notifications",
        "traffic_records",
        "traffic_seals",
        "consents",
    }
)
_PAGES_DIRTY = "katilim_pages_dirty"


def init_app(app: Flask) -> None:
    """Choose the backend from the settings; Redis if any Redis is configured."""
    redis_url = app.config.get("CACHE_REDIS_URL") or _redis_rate_limit_url(app)
    if app.config.get("CACHE_TYPE"):
        pass  # set by hand (instance config or a test): taken as it is
    elif redis_url:
        timeout = float(app.config.get("REDIS_TIMEOUT_SECONDS") or 0.5)
        app.config.update(
            CACHE_TYPE="RedisCache",
            CACHE_REDIS_URL=redis_url,
            # A hung Redis costs a page at most this long; the figures are then computed.
            CACHE_OPTIONS={"socket_connect_timeout": timeout, "socket_timeout": timeout},
        )
    else:
        app.config.update(CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=SIMPLE_CACHE_THRESHOLD)
    app.config.setdefault("CACHE_KEY_PREFIX", f"katilim:{app.config.get('COUNCIL_SLUG', '')}:")
    cache.init_app(app)


def _redis_rate_limit_url(app: Flask) -> str | None:
    uri = app.config.get("RATELIMIT_STORAGE_URI") or ""
    return uri if uri.startswith(("redis://", "rediss://")) else None


def key_digest(parts: tuple) -> str:
    """A fixed-length key whatever the parts hold (a slug from a query string, a number)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def enabled() -> bool:
    return bool(current_app.config.get("STATS_CACHE_SECONDS", 0))


def cached(key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, kept until the data under it changes or ``STATS_CACHE_SECONDS`` pass.

    The figures read every proposal of the council (100,000 at a city's scale, a second of
    work). ``key`` names what was computed; its parts must come from a small fixed set (a
    council, a body, a choice among known values), never from free text a visitor typed.
    """
    seconds = current_app.config.get("STATS_CACHE_SECONDS", 0)
    if not seconds:
        return compute()
    return _fetch(lambda: f"{_generation()}:{key_digest(key)}", compute, seconds)


def kept(key: tuple, compute: Callable[[], T], seconds: int) -> T:
    """``compute()``, kept ``seconds`` whatever changes meanwhile (0: not kept).

    For answers that may lag a little behind the data but cost too much to compute on every
    page view, and that would be recomputed far too often if every vote made them stale (the
    generation of :func:`cached` moves with every vote). ``key`` may hold free text: only its
    digest is used.
    """
    if not seconds:
        return compute()
    return _fetch(lambda: f"kept:{key_digest(key)}", compute, seconds)


def _council_part() -> str:
    """Every key names the council the request is for: on an installation serving several
    councils, one council's figures are never another's."""
    try:
        return f"c{current_council_id()}"
    except Exception:  # noqa: BLE001 — no council loaded: nothing council-specific is kept
        return "c-"


def _fetch(full_key: Callable[[], str], compute: Callable[[], T], seconds: int) -> T:
    """The kept value under the key, else ``compute()`` kept ``seconds``. An unreachable
    cache must not fail the page: the value is then computed and not kept."""
    try:
        name = f"{_council_part()}:{full_key()}"  # may read the cache too (the generation)
        hit = cache.get(name)
    except Exception:  # noqa: BLE001
        log.warning("cache unavailable; computing the value", exc_info=True)
        return compute()
    if hit is not None:
        return hit
    value = compute()
    try:
        cache.set(name, value, timeout=seconds)
    except Exception:  # noqa: BLE001
        log.warning("cache unavailable; the value is not kept", exc_info=True)
    return value


def _generation() -> str:
    """A random token, not a counter: a generation key that was evicted (or a Redis that was
    emptied) starts a new generation and can never bring back values kept under an old one."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, secrets.token_hex(8), timeout=0)  # the first worker's wins
        generation = cache.get(GENERATION_KEY)
    return str(generation)


def invalidate() -> None:
    """Make every kept figure stale (the next reader computes it afresh)."""
    try:
        cache.set(GENERATION_KEY, secrets.token_hex(8), timeout=0)
    except Exception:  # noqa: BLE001 — the values then expire after STATS_CACHE_SECONDS
        log.warning("cache unavailable; kept figures expire on their own", exc_info=True)


def pages_enabled() -> bool:
    return bool(current_app.config.get("PAGE_CACHE_SECONDS", 0))


def invalidate_pages() -> None:
    """Make every kept page stale (katilim/core/pagecache.py)."""
    try:
        cache.set(PAGE_GENERATION_KEY, secrets.token_hex(8), timeout=0)
    except Exception:  # noqa: BLE001 — the pages then expire after PAGE_CACHE_SECONDS
        log.warning("cache unavailable; kept pages expire on their own", exc_info=True)


def clear() -> None:
    cache.clear()


def _touches_watched(tables: Any) -> bool:
    return any(getattr(table, "name", None) in WATCHED_TABLES for table in tables)


def _touches_pages(tables: Any) -> bool:
    return any(getattr(table, "name", None) not in PAGE_UNWATCHED_TABLES for table in tables)


def _note(session: Session, tables: Any) -> None:
    if _touches_watched(tables):
        session.info[_DIRTY] = True
    if _touches_pages(tables):
        session.info[_PAGES_DIRTY] = True


@event.listens_for(Session, "before_flush")
def _note_flushed_changes(session: Session, _context: Any, _instances: Any) -> None:
    for instance in (*session.new, *session.dirty, *session.deleted):
        _note(session, type(instance).__mapper__.tables)


@event.listens_for(Session, "do_orm_execute")
def _note_statement_changes(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if table is not None:
            _note(state.session, [table])


@event.listens_for(Session, "after_commit")
def _invalidate_after_commit(session: Session) -> None:
    figures = session.info.pop(_DIRTY, False)
    pages = session.info.pop(_PAGES_DIRTY, False)
    if not has_app_context():
        return
    stale = []
    if figures and enabled():
        stale.append(GENERATION_KEY)
    if (figures or pages) and pages_enabled():
        stale.append(PAGE_GENERATION_KEY)
    if stale:
        _new_generations(stale)


def _new_generations(keys: list[str]) -> None:
    """Move these generations in one round trip to the cache (a vote moves both)."""
    try:
        cache.set_many({key: secrets.token_hex(8) for key in keys}, timeout=0)
    except Exception:  # noqa: BLE001 — the values then expire after their seconds
        log.warning("cache unavailable; kept values expire on their own", exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_DIRTY, None)
    session.info.pop(_PAGES_DIRTY, None)
