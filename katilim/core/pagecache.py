"""Whole pages for anonymous visitors, kept for a few seconds and shared by every worker.

Most visits are anonymous and read the same few pages (home, the list, a proposal, /stats).
A view marked ``@shared_with_visitors`` has its page kept, and a visitor without any cookie
gets the kept copy without the application running at all: no session, no query, no template.

Where it sits: a WSGI middleware around the whole application (``app.wsgi_app``, installed
last by ``create_app``), so that a hit costs neither Flask's request context nor the
extensions' hooks. The application decides what may be kept (an ``after_request`` hook marks
the request); the middleware decides what may be served.

The rules, each proven in tests/core/test_pagecache.py:

- **Only what nobody owns.** Looked up only for GET and HEAD without ``Cookie``,
  ``Authorization``, ``If-None-Match``, ``If-Modified-Since`` or ``Range``. Kept only when
  the view is marked, the answer is 200, it sets no cookie, the session is empty (no CSRF
  token, no flash message, nobody signed in) and the body is at most ``MAX_BODY``. A person
  who signs in, votes or comments carries a session cookie from then on and is never served
  a kept page: they see their change at once.
- **Keys**: the host (one installation may serve several councils, one per address), the
  scheme, the path, the query string and the language the site would choose for the visitor
  (``Accept-Language`` among the configured languages: one copy per language, not per
  header). Keys are digests: a visitor's query string never becomes a key as it is.
- **Fresh within seconds.** Every committed write to a table a page shows moves the page
  generation of the council(s) it wrote in (katilim/core/cache.py); a copy kept under an
  older generation, or older than ``PAGE_CACHE_SECONDS``, is stale. The generation of the
  council the host is for and the page are read in one round trip. Which council a host is
  for, each process learns from the pages the application made for it (no query here: a
  hanging database must not hold up a request the cache cannot answer). For a host not
  known yet, the installation's part of the generation is read with the page, and the
  council's part by the view itself before it reads anything (``shared_with_visitors``); a
  page the application made for another council than the one learned is not kept, and the
  host is learned again.
- **Stale while remade.** A stale copy stays ``STALE_SECONDS`` more: one request takes a lock
  (``<key>:remaking``, ``REMAKE_LOCK_SECONDS``) and makes the page again; the others get the
  stale copy meanwhile instead of all asking the database at once.
- **Per-process copy.** In front of a shared Redis each process keeps the copies it read for
  ``PAGE_CACHE_LOCAL_SECONDS`` (1 s, at most ``LOCAL_ENTRIES`` pages), so that at high rates
  most hits cost no network round trip. It adds at most that long to what a visitor may see
  late. With the per-process default cache (no Redis) there is nothing to save and it is off.
- **Never a failure.** An unreachable cache serves the page uncached; after a failure the
  process does not ask the cache again for ``PAUSE_AFTER_FAILURE`` seconds.
"""

import hashlib
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, g, request, session
from flask_login import current_user
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from katilim.core import cache as figures_cache
from katilim.core.tenancy import current_council_id
from katilim.i18n import current_locale
from katilim.logs import REQUEST_ID_HEADER, new_request_id

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

PREFIX = "page:"
STALE_SECONDS = 30
REMAKE_LOCK_SECONDS = 10
MAX_BODY = 512 * 1024
LOCAL_ENTRIES = 256
PAUSE_AFTER_FAILURE = 5.0
MARK = "shared_with_visitors"
KEEP = "katilim.pagecache.keep"  # in the WSGI environ: the language the page was made in
COUNCIL = "katilim.pagecache.council"  # in the WSGI environ: the council it was made for
# In the WSGI environ, for a host whose council is not known yet: asked of the marked view
# (``WANT_GENERATION``), which answers the council's part of the page generation, read
# before the view reads anything (``COUNCIL_GENERATION``).
WANT_GENERATION = "katilim.pagecache.want_generation"
COUNCIL_GENERATION = "katilim.pagecache.council_generation"
HOSTS = 256  # hosts whose council a process remembers
STATUS_HEADER = "X-Page-Cache"
BYPASS_HEADERS = (
    "HTTP_COOKIE",
    "HTTP_AUTHORIZATION",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_RANGE",
)


def shared_with_visitors(view: F) -> F:
    """Marks a view whose page is the same for every anonymous visitor, so it may be kept."""

    @wraps(view)
    def marked(*args, **kwargs):
        g.setdefault(MARK, True)
        if request.environ.pop(WANT_GENERATION, False):
            _read_council_generation(request.environ)
        return view(*args, **kwargs)

    return marked  # type: ignore[return-value]


def _read_council_generation(environ: dict) -> None:
    """The council's part of its page generation, read before the view reads the page's data
    (a write committed after this moves it: the page kept under it is then stale)."""
    try:
        council = current_council_id()
        name = figures_cache.council_page_generation_key(council)
        backend = figures_cache.cache
        generation = backend.get(name)
        if generation is None:
            backend.add(name, secrets.token_hex(8), timeout=0)
            generation = backend.get(name)
    except Exception:  # noqa: BLE001 — no council, no cache: the page is not kept
        return
    if generation is not None:
        environ[COUNCIL_GENERATION] = (council, generation)


def init_app(app: Flask) -> None:
    """Install the middleware (last, around everything) and the hook that marks keepable
    answers. Whatever a later hook does, the middleware still refuses an answer that sets a
    cookie."""

    @app.after_request
    def _mark_keepable(response):
        if (
            g.get(MARK)
            and response.status_code == 200
            and request.method in ("GET", "HEAD")
            and not session
            and not current_user.is_authenticated
            and not response.headers.get("Set-Cookie")
        ):
            request.environ[KEEP] = current_locale()
            try:
                request.environ[COUNCIL] = current_council_id()
            except Exception:  # noqa: BLE001 — no council loaded: the page is not kept
                request.environ.pop(KEEP, None)
        return response

    app.wsgi_app = PageCache(app, app.wsgi_app)  # type: ignore[method-assign]


class _Local:
    """A small per-process map with expiry, oldest dropped first."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict[str, tuple[float, tuple]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str, now: float) -> tuple | None:
        with self.lock:
            item = self.items.get(key)
            if item is None:
                return None
            if item[0] <= now:
                del self.items[key]
                return None
            return item[1]

    def put(self, key: str, until: float, entry: tuple) -> None:
        with self.lock:
            self.items[key] = (until, entry)
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


class PageCache:
    """The WSGI middleware (see the module's description)."""

    def __init__(self, app: Flask, wsgi_app: Callable):
        self.flask_app = app
        self.wsgi_app = wsgi_app
        self.local = _Local(LOCAL_ENTRIES)
        self.paused_until = 0.0
        self.clock: Callable[[], float] = time.time  # tests move it
        # Host → the council the application made its pages for, as learned by this process.
        self.councils: OrderedDict[str, int] = OrderedDict()

    def forget_councils(self) -> None:
        """Learn again which council each host is for."""
        self.councils.clear()

    # -- settings, read on every request: a test may change them
    @property
    def seconds(self) -> int:
        return int(self.flask_app.config.get("PAGE_CACHE_SECONDS") or 0)

    @property
    def local_seconds(self) -> float:
        setting = self.flask_app.config.get("PAGE_CACHE_LOCAL_SECONDS")
        if setting is not None:
            return float(setting)
        # The per-process default cache is already local: a second copy would save nothing.
        return 0.0 if self.flask_app.config.get("CACHE_TYPE") == "SimpleCache" else 1.0

    @property
    def backend(self):
        return self.flask_app.extensions["cache"][figures_cache.cache]

    # -- the request
    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not self.seconds or not self._eligible(environ):
            return self.wsgi_app(environ, start_response)
        now = self.clock()
        if now < self.paused_until:
            return self.wsgi_app(environ, start_response)
        language = self._language(environ)
        key = self._key(environ, language)
        entry = self.local.get(key, now)
        if entry is not None:
            return self._serve(environ, start_response, entry, "hit")
        host = _host(environ)
        council = self.councils.get(host)
        generation_keys = _generation_keys(council)
        try:
            *generation, entry = self.backend.get_many(*generation_keys, key)
        except Exception:  # noqa: BLE001 — a page never fails because of the cache
            return self._unavailable(environ, start_response)
        locked = False
        if council is None:  # the copy cannot be checked: made again, and the host learned
            environ[WANT_GENERATION] = True
        elif _usable(entry):
            if entry[0] == tuple(generation) and now < entry[1]:
                self._keep_locally(key, entry, now)
                return self._serve(environ, start_response, entry, "hit")
            if not self._take_lock(key):  # someone else is remaking it
                return self._serve(environ, start_response, entry, "stale")
            locked = True
        made = (council, generation_keys, tuple(generation))
        return self._remake(environ, start_response, key, language, made, locked)

    def _learn(self, host: str, council: int) -> None:
        self.councils[host] = council
        self.councils.move_to_end(host)
        while len(self.councils) > HOSTS:
            self.councils.popitem(last=False)

    def _eligible(self, environ: dict) -> bool:
        return environ.get("REQUEST_METHOD") in ("GET", "HEAD") and not any(
            header in environ for header in BYPASS_HEADERS
        )

    def _language(self, environ: dict) -> str:
        """The language the site chooses for a visitor without a session
        (katilim/i18n.py ``select_locale``)."""
        config = self.flask_app.config
        accept = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
        return accept.best_match(config["LANGUAGES"]) or config["BABEL_DEFAULT_LOCALE"]

    def _key(self, environ: dict, language: str) -> str:
        parts = (
            environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""),
            environ.get("wsgi.url_scheme", ""),
            environ.get("HTTP_X_FORWARDED_PROTO", ""),
            environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            language,
        )
        return PREFIX + hashlib.sha256(repr(parts).encode()).hexdigest()[:40]

    def _keep_locally(self, key: str, entry: tuple, now: float) -> None:
        seconds = self.local_seconds
        if seconds > 0:
            self.local.put(key, min(now + seconds, entry[1]), entry)

    def _take_lock(self, key: str) -> bool:
        try:
            return bool(self.backend.add(f"{key}:remaking", 1, timeout=REMAKE_LOCK_SECONDS))
        except Exception:  # noqa: BLE001
            return True

    def _unavailable(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        log.warning("page cache unavailable; serving pages uncached", exc_info=True)
        self.paused_until = self.clock() + PAUSE_AFTER_FAILURE
        return self.wsgi_app(environ, start_response)

    def _serve(
        self, environ: dict, start_response: Callable, entry: tuple, how: str
    ) -> Iterable[bytes]:
        _generation, _until, status, headers, body = entry
        request_id = new_request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        start_response(status, [*headers, (REQUEST_ID_HEADER, request_id), (STATUS_HEADER, how)])
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _remake(
        self,
        environ: dict,
        start_response: Callable,
        key: str,
        language: str,
        made: tuple[int | None, list[str], tuple],
        locked: bool,
    ) -> Iterable[bytes]:
        council, generation_keys, generation = made
        answer: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info=None):
            answer.update(status=status, headers=headers, exc_info=exc_info)
            return lambda data: answer.setdefault("written", []).append(data)

        body_iter = self.wsgi_app(environ, capture)
        status, headers = answer["status"], answer["headers"]
        keepable = (
            environ.get(KEEP) == language
            and environ["REQUEST_METHOD"] == "GET"
            and status.startswith("200")
            and "written" not in answer
            and not any(name.lower() == "set-cookie" for name, _ in headers)
        )
        made_for = environ.get(COUNCIL)
        read_by_view = environ.get(COUNCIL_GENERATION, (None, None))
        if keepable and council is None and made_for is not None and read_by_view[0] == made_for:
            # A host not known yet: the view read its council's part of the generation.
            self._learn(_host(environ), made_for)
            generation_keys = _generation_keys(made_for)
            generation = (generation[0], read_by_view[1])
        elif keepable and made_for != council:
            # The host is another council's now (an operator changed an address), or the
            # view read no generation: not kept, and the host is learned again.
            keepable = False
            self.councils.pop(_host(environ), None)
        if not keepable:
            if locked:
                self._release(key)
            start_response(status, headers, answer.get("exc_info"))
            if "written" in answer:
                return [*answer["written"], *body_iter]
            return body_iter
        try:
            body = b"".join(body_iter)
        finally:
            close = getattr(body_iter, "close", None)
            if close is not None:
                close()
        if len(body) <= MAX_BODY:
            self._store(key, generation_keys, generation, status, headers, body)
        elif locked:
            self._release(key)
        start_response(status, [*headers, (STATUS_HEADER, "miss")])
        return [body]

    def _store(
        self,
        key: str,
        generation_keys: list[str],
        generation: tuple,
        status: str,
        headers: list,
        body: bytes,
    ) -> None:
        kept_headers = [(n, v) for n, v in headers if n.lower() != REQUEST_ID_HEADER.lower()]
        seconds = self.seconds
        try:
            if None in generation:  # no page kept yet since the cache was emptied
                for name, part in zip(generation_keys, generation, strict=True):
                    if part is None:
                        self.backend.add(name, secrets.token_hex(8), timeout=0)
                generation = tuple(self.backend.get_many(*generation_keys))
            entry = (generation, self.clock() + seconds, status, kept_headers, body)
            self.backend.set(key, entry, timeout=seconds + STALE_SECONDS)
            self.backend.delete(f"{key}:remaking")
        except Exception:  # noqa: BLE001
            log.warning("page cache unavailable; the page is not kept", exc_info=True)
            self.paused_until = self.clock() + PAUSE_AFTER_FAILURE

    def _release(self, key: str) -> None:
        try:
            self.backend.delete(f"{key}:remaking")
        except Exception:  # noqa: BLE001
            pass


def _host(environ: dict) -> str:
    return environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")


def _generation_keys(council: int | None) -> list[str]:
    """The keys of the generation of a council's pages: the installation's part, and the
    council's own (none when no council is loaded)."""
    keys = [figures_cache.PAGE_GENERATION_KEY]
    if council is not None:
        keys.append(figures_cache.council_page_generation_key(council))
    return keys


def _usable(entry: Any) -> bool:
    return isinstance(entry, tuple) and len(entry) == 5
