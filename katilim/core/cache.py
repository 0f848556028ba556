"""Figures that are costly to compute, kept in Flask-Caching until the data under them changes.

Production keeps them in Redis (``CACHE_REDIS_URL``, or the rate limits' Redis), shared by every
worker; development and tests in a bounded per-process ``SimpleCache``. Every value is kept at
most ``STATS_CACHE_SECONDS`` (0: not kept at all), and none outlives a committed change to what
the figures read: a commit that touches a proposal, its events, votes, comments, bodies,
districts or demographics moves the cache generation of the council(s) it wrote in, and every
key carries the generation it was computed under.

Generations are per council: one installation may serve several councils, and a vote in one
must not make another's figures and pages stale. A council's generation has two parts, the
installation's (``GENERATION_KEY``) and its own (``generation:c<id>``), read together in one
round trip. A commit moves the own part of each council its rows belong to and of the
councils above them (katilim/core/touched.py); a commit whose council cannot be told (a row of
the councils table, a statement that names no row) moves the installation's part, which makes
every council's figures stale. Pages (katilim/core/pagecache.py) have generations of their own,
built the same way (``PAGE_GENERATION_KEY``, ``page-generation:c<id>``).
"""

import hashlib
import logging
import secrets
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context
from flask_caching import Cache
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from katilim.core import touched
from katilim.core.tenancy import current_council_id

log = logging.getLogger(__name__)
cache = Cache()

T = TypeVar("T")
GENERATION_KEY = "generation"  # the installation's part of every council's generation
SIMPLE_CACHE_THRESHOLD = 500  # values kept per process in development; the oldest go first
# The tables every cached figure is computed from; a commit that writes any of them (through
# the unit of work or an INSERT/UPDATE/DELETE statement) makes the kept figures of the
# council(s) it wrote in stale.
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
# They carry a generation of their own (per council, as the figures'), moved by a commit that
# writes any table but these, which no page shared with visitors shows (sessions, logs, mail,
# personal records).
PAGE_GENERATION_KEY = "page-generation"  # the installation's part
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

    def full_key() -> str:
        council_id = _council()
        return f"{_council_part(council_id)}:{_generation(council_id)}:{key_digest(key)}"

    return _fetch(full_key, compute, seconds)


def kept(key: tuple, compute: Callable[[], T], seconds: int) -> T:
    """``compute()``, kept ``seconds`` whatever changes meanwhile (0: not kept).

    For answers that may lag a little behind the data but cost too much to compute on every
    page view, and that would be recomputed far too often if every vote made them stale (the
    generation of :func:`cached` moves with every vote). ``key`` may hold free text: only its
    digest is used.
    """
    if not seconds:
        return compute()
    return _fetch(lambda: f"{_council_part(_council())}:kept:{key_digest(key)}", compute, seconds)


def council_generation_key(council_id: int) -> str:
    """The council's own part of its figures' generation."""
    return f"{GENERATION_KEY}:c{council_id}"


def council_page_generation_key(council_id: int) -> str:
    """The council's own part of its pages' generation."""
    return f"{PAGE_GENERATION_KEY}:c{council_id}"


def _council() -> int | None:
    """The council the request or command is for, or None when none is loaded."""
    try:
        return current_council_id()
    except Exception:  # noqa: BLE001 — no council loaded: nothing council-specific is kept
        return None


def _council_part(council_id: int | None) -> str:
    """Every key names the council the request is for: on an installation serving several
    councils, one council's figures are never another's."""
    return "c-" if council_id is None else f"c{council_id}"


def _fetch(full_key: Callable[[], str], compute: Callable[[], T], seconds: int) -> T:
    """The kept value under the key, else ``compute()`` kept ``seconds``. An unreachable
    cache must not fail the page: the value is then computed and not kept."""
    try:
        name = full_key()  # may read the cache too (the generation)
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


def _generation(council_id: int | None) -> str:
    """The generation of the council's figures: the installation's part and the council's,
    read in one round trip. Random tokens, not counters: a generation key that was evicted
    (or a Redis that was emptied) starts a new generation and can never bring back values
    kept under an old one."""
    keys = [GENERATION_KEY]
    if council_id is not None:
        keys.append(council_generation_key(council_id))
    parts = list(cache.get_many(*keys))
    if any(part is None for part in parts):
        for name, part in zip(keys, parts, strict=True):
            if part is None:
                cache.add(name, secrets.token_hex(8), timeout=0)  # the first worker's wins
        parts = list(cache.get_many(*keys))
    return ".".join(str(part) for part in parts)


def _moves(installation_key: str, council_key: Callable[[int], str], councils) -> dict[str, str]:
    """New generations for these councils, or for every council (``councils`` None or
    holding :data:`touched.ALL`)."""
    if councils is None or touched.ALL in councils:
        return {installation_key: secrets.token_hex(8)}
    return {council_key(c): secrets.token_hex(8) for c in councils}


def _move(installation_key: str, council_key: Callable[[int], str], councils) -> None:
    values = _moves(installation_key, council_key, councils)
    if values:
        cache.set_many(values, timeout=0)


def invalidate(councils=None) -> None:
    """Make the kept figures of these councils (ids; None: of every council) stale: the next
    reader computes them afresh."""
    try:
        _move(GENERATION_KEY, council_generation_key, councils)
    except Exception:  # noqa: BLE001 — the values then expire after STATS_CACHE_SECONDS
        log.warning("cache unavailable; kept figures expire on their own", exc_info=True)


def pages_enabled() -> bool:
    return bool(current_app.config.get("PAGE_CACHE_SECONDS", 0))


def invalidate_pages(councils=None) -> None:
    """Make the kept pages of these councils (ids; None: of every council) stale
    (katilim/core/pagecache.py)."""
    try:
        _move(PAGE_GENERATION_KEY, council_page_generation_key, councils)
    except Exception:  # noqa: BLE001 — the pages then expire after PAGE_CACHE_SECONDS
        log.warning("cache unavailable; kept pages expire on their own", exc_info=True)


def clear() -> None:
    cache.clear()


def _note(session: Session, tables: Any, councils: Callable[[], touched.Councils]) -> None:
    """Add the councils a write touches to what the commit will make stale: its figures when
    it writes a table they read, its pages when it writes a table a page shows."""
    names = {getattr(table, "name", None) for table in tables}
    figures = bool(names & WATCHED_TABLES)
    pages = bool(names - PAGE_UNWATCHED_TABLES)
    if not (figures or pages) or not _caching():
        return
    kinds = ([_DIRTY] if figures else []) + ([_PAGES_DIRTY] if pages else [])
    if all(touched.ALL in session.info.get(kind, ()) for kind in kinds):
        return  # every council already: nothing to look up
    try:
        found = councils()
        found = touched.ALL if found is None else touched.with_parents(session, found)
    except Exception:  # noqa: BLE001 — never fail a write for the cache's sake
        log.warning("could not tell the councils of a write; all made stale", exc_info=True)
        found = touched.ALL
    for kind in kinds:
        marked = session.info.setdefault(kind, set())
        if found is touched.ALL:
            marked.add(touched.ALL)
        else:
            marked.update(found)


def _caching() -> bool:
    """Whether anything is kept: figures or pages (no application: nothing to make stale)."""
    return has_app_context() and (enabled() or pages_enabled())


@event.listens_for(Session, "before_flush")
def _note_flushed_changes(session: Session, _context: Any, _instances: Any) -> None:
    for instance in (*session.new, *session.dirty, *session.deleted):
        tables = type(instance).__mapper__.tables
        _note(session, tables, partial(touched.of_instance, session, instance))


@event.listens_for(Session, "do_orm_execute")
def _note_statement_changes(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if table is not None:
            _note(
                state.session,
                [table],
                lambda: touched.of_statement(state.session, state.statement, state.parameters),
            )


@event.listens_for(Session, "after_commit")
def _invalidate_after_commit(session: Session) -> None:
    figures = session.info.pop(_DIRTY, set())
    pages = session.info.pop(_PAGES_DIRTY, set())
    touched.clear(session)
    if not has_app_context():
        return
    stale: dict[str, str] = {}
    if figures and enabled():
        stale.update(_moves(GENERATION_KEY, council_generation_key, figures))
    if (figures or pages) and pages_enabled():
        stale.update(_moves(PAGE_GENERATION_KEY, council_page_generation_key, figures | pages))
    if stale:
        _new_generations(stale)


def _new_generations(values: dict[str, str]) -> None:
    """Move these generations in one round trip to the cache (a vote moves two)."""
    try:
        cache.set_many(values, timeout=0)
    except Exception:  # noqa: BLE001 — the values then expire after their seconds
        log.warning("cache unavailable; kept values expire on their own", exc_info=True)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_DIRTY, None)
    session.info.pop(_PAGES_DIRTY, None)
    touched.clear(session)
