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

**Signed-in residents** (a view also marked ``@shared_with_residents``) read the same page as
everyone with the same roles, but for a few personal parts: the CSRF token of their forms, the
number of unread notifications, whether they voted on or follow the proposal. Such a page is
kept as a *shell* with those parts left as holes: values (``hole_value``) and choices among
every possible variant, each rendered in advance (``templates/_macros/holes.html``). A request
whose signed session cookie names a live session of a plain resident (verified, no role, see
katilim/readers.py) gets the shell filled with their own parts, found in one query, without the
application running. The rules, proven in tests/core/test_member_pages.py:

- **Only a plain resident, only what Flask would send.** The cookie is checked as Flask and
  Flask-Login check it (signature, age, the session-protection identifier); a session holding
  anything else (a flash message, a remember-me change, another language than the account's)
  goes to the application. The session row, the account and its council are checked in the
  database on every request, so signing out ends it at once.
- **A shell is made from a neutral reader**: never from the author of the proposal or of a
  comment on the page (their page has edit links), and those readers are never served one.
- **Holes are unforgeable**: their markers carry a secret derived from the site's key, so no
  text a person writes can become a hole.
"""

import hashlib
import hmac
import logging
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, g, request, session
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_cookie

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
MEMBER_PREFIX = "shell:"
MEMBER_MARK = "shared_with_residents"
SHELL = "katilim.pagecache.shell"  # in the environ: this request may render holes
FILLED = "katilim.pagecache.filled"  # in the environ: the render's own values for its holes
KEEP_SHELL = "katilim.pagecache.keep_shell"  # in the environ: what a kept shell needs
LEARN_COUNCIL = "katilim.pagecache.learn"  # in the environ: tell the middleware the council
COUNCIL = "katilim.pagecache.council"  # in the environ: the council a kept page was made for
# In the environ, for a host whose council is not known yet: asked of the marked view
# (``WANT_GENERATION``), which answers the council's part of the page generation, read
# before the view reads anything (``COUNCIL_GENERATION``).
WANT_GENERATION = "katilim.pagecache.want_generation"
COUNCIL_GENERATION = "katilim.pagecache.council_generation"
# What a plain resident's session may hold for the page to be served from a shell: anything
# else (a flash message, a remember-me change) needs the application.
SHELL_SESSION_KEYS = frozenset(
    {"_user_id", "_fresh", "_id", "csrf_token", "account_id", "locale", "chosen_locale"}
)
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


def _shared_with(readers: str) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def marked(*args, **kwargs):
            g.setdefault(MEMBER_MARK, readers)
            return view(*args, **kwargs)

        marked.shared_with = readers  # type: ignore[attr-defined]  # read by the middleware
        return marked  # type: ignore[return-value]

    return decorate


# A view whose page is the same for every plain signed-in resident but for its holes
# (``hole_value``, ``templates/_macros/holes.html``), so it may be kept as a shell.
shared_with_residents = _shared_with("residents")
# The same for every moderator of the same bodies (and no other role).
shared_with_moderators = _shared_with("moderators")


@dataclass(frozen=True)
class Reader:
    """A signed-in person, as a kept shell needs them (katilim/readers.py finds them)."""

    user_id: int
    locale: str | None
    # Who else sees the same page: "resident" (verified, no role), "moderator:<body ids>",
    # or None (everyone else: no shell).
    roles: str | None
    values: dict[str, str]  # for hole_value: e.g. {"unread": "3"}
    choices: dict[str, str]  # for the choices: e.g. {"vote": "1", "follow": "no"}


class ReaderLookup:
    """How the middleware finds a session's reader; katilim/readers.py gives the real one."""

    def find(self, token: str, council_id: int, proposal_id: int | None) -> Reader | None:
        return None

    def roles(self, user) -> str | None:
        return None


def may_share(view_readers: str | None, roles: str | None) -> bool:
    """May a view marked for ``view_readers`` be kept as a shell for readers with ``roles``?"""
    if roles is None:
        return False
    if view_readers == "residents":
        return roles == "resident"
    return view_readers == "moderators" and roles.startswith("moderator:")


def in_shell() -> bool:
    """Is this request rendering a shell (holes instead of personal parts)?"""
    return bool(request.environ.get(SHELL) and g.get(MEMBER_MARK))


def not_kept() -> None:
    """This answer is the reader's own (e.g. a filter on "mine"): no other reader gets it."""
    g.hole_not_kept = True


def hole_secret(app: Flask) -> str:
    """The part of every marker nobody can type: derived from the site's secret key."""
    key = str(app.secret_key or "").encode()
    return hmac.new(key, b"katilim-page-holes", hashlib.sha256).hexdigest()[:20]


def hole_value(name: str, value: Any) -> Any:
    """``value`` as it is, or in a shell a marker the middleware fills for each reader."""
    if not in_shell():
        return value
    g.setdefault("hole_values", {})[name] = str(value)
    return Markup(f"[hole-{_secret()}={name}]")


def hole_choice_start(name: str, current: Any) -> Markup:
    g.setdefault("hole_choices", {})[name] = str(current)
    return Markup("")


def hole_variant(name: str, state: Any) -> Markup:
    return Markup(f"[hole-{_secret()}?{name}={state}]")


def hole_end(name: str) -> Markup:
    return Markup(f"[hole-{_secret()}/{name}]")


def not_for(user_ids: Iterable[int | None]) -> None:
    """People who must never get this page's shell nor make it: their page differs (the
    author of the proposal, the people whose comments are on it, who see edit links)."""
    if in_shell():
        g.hole_not_for = {user_id for user_id in user_ids if user_id is not None}


def _secret() -> str:
    return str(request.environ[SHELL])


def init_app(app: Flask, readers: ReaderLookup | None = None) -> None:
    """Install the middleware (last, around everything) and the hook that marks keepable
    answers. Whatever a later hook does, the middleware still refuses an answer that sets a
    cookie."""
    lookup = readers or ReaderLookup()
    app.jinja_env.globals.update(
        page_shell=in_shell,
        hole_choice_start=hole_choice_start,
        hole_variant=hole_variant,
        hole_end=hole_end,
    )

    @app.after_request
    def _mark_keepable(response):
        if LEARN_COUNCIL in request.environ:
            try:
                middleware.learn_council(request.environ, current_council_id())
            except Exception:  # noqa: BLE001 — no council loaded: nothing to learn
                pass
        if request.environ.get(SHELL):
            return _shell_answer(response, lookup)
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

    middleware = PageCache(app, app.wsgi_app, lookup)
    app.wsgi_app = middleware  # type: ignore[method-assign]


def _shell_answer(response, lookup: ReaderLookup):
    """A page rendered with holes: the holes' own values go with it (the middleware fills them
    for this reader), and if every rule allows, the shell is kept for other residents."""
    if not in_shell() or response.direct_passthrough or response.is_streamed:
        return response
    values = dict(g.get("hole_values", {}))
    token = g.get("csrf_token")
    if token:  # Flask-WTF's signed token for this request, in every form of the page
        data = response.get_data()
        marker = f"[hole-{_secret()}=csrf]".encode()
        response.set_data(data.replace(token.encode(), marker))
        values["csrf"] = token
    request.environ[FILLED] = (values, dict(g.get("hole_choices", {})))
    user = current_user
    not_for = g.get("hole_not_for", set())
    roles = lookup.roles(user) if user.is_authenticated else None
    if (
        response.status_code == 200
        and request.method == "GET"
        and not response.headers.get("Set-Cookie")
        and may_share(g.get(MEMBER_MARK), roles)
        and user.id not in not_for
        and not g.get("hole_not_kept")
        and set(session.keys()) <= SHELL_SESSION_KEYS
    ):
        request.environ[KEEP_SHELL] = (current_locale(), roles, frozenset(not_for))
    return response


_HOLE = re.compile(rb"\[hole-([0-9a-f]{20})([=?/])([a-z0-9_-]+)(?:=([^\]]*))?\]")


def parse_shell(body: bytes, secret: str) -> list | None:
    """A shell's bytes as segments: bytes, ("value", name) or ("choice", name, {state:
    segments}). None if its markers do not nest as the macro writes them."""
    top: list = []
    out = top
    choice: tuple | None = None
    position = 0
    for match in _HOLE.finditer(body):
        if match.group(1).decode() != secret:
            continue  # somebody's text that looks like a marker: kept as text
        out.append(body[position : match.start()])
        position = match.end()
        kind, name = match.group(2), match.group(3).decode()
        if kind == b"=":
            out.append(("value", name))
        elif kind == b"?":
            state = (match.group(4) or b"").decode()
            if choice is None:
                choice = ("choice", name, {})
                top.append(choice)
            elif choice[1] != name:
                return None
            out = choice[2].setdefault(state, [])
        else:
            if choice is None or choice[1] != name:
                return None
            choice, out = None, top
    if choice is not None:
        return None
    out.append(body[position:])
    return [segment for segment in top if segment != b""]


READER_IS = "reader-is-"  # a choice "yes"/"no": is the reader the person with this id?


def fill_shell(
    segments: list, values: dict[str, str], choices: dict[str, str], reader_id: int | None = None
) -> bytes:
    """The page for one reader. A hole without a value or a state raises KeyError."""
    parts: list[bytes] = []
    for segment in segments:
        if isinstance(segment, bytes):
            parts.append(segment)
        elif segment[0] == "value":
            parts.append(str(Markup.escape(values[segment[1]])).encode())
        else:
            name = segment[1]
            if name in choices:
                state = choices[name]
            elif name.startswith(READER_IS) and reader_id is not None:
                state = "yes" if name == f"{READER_IS}{reader_id}" else "no"
            else:
                raise KeyError(name)
            parts.append(fill_shell(segment[2][state], values, choices, reader_id))
    return b"".join(parts)


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

    def __init__(self, app: Flask, wsgi_app: Callable, readers: ReaderLookup | None = None):
        self.flask_app = app
        self.wsgi_app = wsgi_app
        self.readers = readers or ReaderLookup()
        self._signers: dict[Any, tuple] = {}
        # Host → council id, learnt from the application's answers: a host names one council.
        self.councils: dict[str, int] = {}
        self.local = _Local(LOCAL_ENTRIES)
        self.paused_until = 0.0
        self.clock: Callable[[], float] = time.time  # tests move it

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
        if self.seconds and "HTTP_COOKIE" in environ and self._eligible(environ, member=True):
            return self._member(environ, start_response)
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
        council = self.councils.get(_host(environ))
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

    def _eligible(self, environ: dict, member: bool = False) -> bool:
        if member:  # a signed-in reader: a GET with a cookie, nothing else of the kind
            return environ.get("REQUEST_METHOD") == "GET" and not any(
                header in environ for header in BYPASS_HEADERS if header != "HTTP_COOKIE"
            )
        return environ.get("REQUEST_METHOD") in ("GET", "HEAD") and not any(
            header in environ for header in BYPASS_HEADERS
        )

    # -- signed-in residents: shells with holes
    def _member(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        view = self._view(environ)
        if view is None:
            return self.wsgi_app(environ, start_response)
        view_readers, proposal_id = view
        state = self._session_state(environ)
        if state is None:
            return self.wsgi_app(environ, start_response)
        secret = self._signer()[0]
        council_id = self.councils.get(_host(environ))
        if council_id is None:
            environ[LEARN_COUNCIL] = True  # the application tells (``learn_council``)
        reader = None
        if council_id is not None:
            try:
                reader = self.readers.find(state.token, council_id, proposal_id)
            except Exception:  # noqa: BLE001 — the application says what is wrong
                log.warning("reader lookup failed; the application answers", exc_info=True)
                return self.wsgi_app(environ, start_response)
            if reader is None or not may_share(view_readers, reader.roles):
                # A council moved to another host since (a stale entry) is learnt again.
                environ[LEARN_COUNCIL] = True
                return self.wsgi_app(environ, start_response)
        environ[SHELL] = secret
        if reader is None:  # the host's council is not known yet: the application tells
            return self._render_shell(environ, start_response, None, None, None)
        key = self._key(environ, state.language, MEMBER_PREFIX, reader.roles)
        now = self.clock()
        generation: Any = None
        generation_keys = _generation_keys(council_id)
        entry: Any = self.local.get(key, now)
        if entry is None and now >= self.paused_until:
            try:
                *parts, entry = self.backend.get_many(*generation_keys, key)
                generation = tuple(parts)
            except Exception:  # noqa: BLE001 — a page never fails because of the cache
                log.warning("page cache unavailable; serving pages uncached", exc_info=True)
                self.paused_until = now + PAUSE_AFTER_FAILURE
                entry = None
            if not _usable_shell(entry) or entry[0] != generation or now >= entry[1]:
                entry = None
            else:
                self._keep_locally(key, entry, now)
        if entry is not None:
            body = self._filled_for(state, reader, entry)
            if body is not None:
                _generation, _until, status, headers, _segments, _meta = entry
                return self._serve(environ, start_response, (0, 0, status, headers, body), "hit")
        made = (generation_keys, generation)
        return self._render_shell(environ, start_response, key, made, reader)

    def _run_application(self, environ: dict) -> tuple[dict[str, Any], Iterable[bytes]]:
        """The application's answer, its status and headers held back for a decision."""
        answer: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info=None):
            answer.update(status=status, headers=headers, exc_info=exc_info)
            return lambda data: answer.setdefault("written", []).append(data)

        return answer, self.wsgi_app(environ, capture)

    def learn_council(self, environ: dict, council_id: int) -> None:
        """The council the request's host names, as the application found it."""
        if len(self.councils) > 10_000:  # only served hosts get here: never this many
            self.councils.clear()
        self.councils[_host(environ)] = council_id

    def _view(self, environ: dict) -> tuple[str, int | None] | None:
        """The readers the request's view may be shared with, and the proposal it names;
        None when it names no view marked for signed-in readers."""
        app = self.flask_app
        try:
            endpoint, args = app.url_map.bind_to_environ(environ).match(method="GET")
        except Exception:  # noqa: BLE001 — 404, a redirect…: the application answers
            return None
        readers = getattr(app.view_functions.get(endpoint), "shared_with", None)
        if readers is None:
            return None
        proposal_id = args.get("proposal_id")
        return readers, proposal_id if isinstance(proposal_id, int) else None

    def _signer(self) -> tuple[str, URLSafeTimedSerializer, Any]:
        """The holes' secret, the CSRF token's signer and the session cookie's, made once per
        secret key."""
        app = self.flask_app
        secret_key = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        found = self._signers.get((app.secret_key, secret_key))
        if found is None:
            found = (
                hole_secret(app),
                URLSafeTimedSerializer(str(secret_key), salt="wtf-csrf-token"),
                _cookie_serializer(app),
            )
            self._signers = {(app.secret_key, secret_key): found}
        return found

    def _session_state(self, environ: dict) -> "_SessionState | None":
        """The signed session as Flask would read it, if it may be served from a shell."""
        app = self.flask_app
        cookies = parse_cookie(environ)
        value = cookies.get(app.config["SESSION_COOKIE_NAME"])
        if not value:
            return None
        serializer = self._signer()[2]
        if serializer is None:
            return None
        try:
            data = serializer.loads(
                value, max_age=int(app.permanent_session_lifetime.total_seconds())
            )
        except BadData:  # a forged, old or broken cookie: the application answers
            return None
        if not isinstance(data, dict) or not set(data) <= SHELL_SESSION_KEYS:
            return None
        token, raw_csrf = data.get("_user_id"), data.get("csrf_token")
        if not isinstance(token, str) or not isinstance(raw_csrf, str):
            return None
        if data.get("_id") != _login_identifier(environ):
            return None  # Flask-Login would mark the session, which sets a cookie
        supported = app.config["LANGUAGES"]
        chosen, kept = data.get("chosen_locale"), data.get("locale")
        if chosen in supported:
            language = chosen
        elif kept in supported:
            language = kept
        else:
            language = self._language(environ)
        return _SessionState(
            token=token,
            account_id=data.get("account_id"),
            raw_csrf=raw_csrf,
            chosen=chosen if chosen in supported else None,
            kept=kept,
            language=str(language),
        )

    def _filled_for(self, state: "_SessionState", reader: Reader, entry: tuple) -> bytes | None:
        """The shell filled for this reader, or None when the application must answer."""
        _generation, _until, _status, _headers, segments, meta = entry
        language, roles, not_for = meta
        if roles != reader.roles or reader.user_id in not_for:
            return None
        if reader.user_id != state.account_id:
            return None  # the application would name the account in the cookie
        supported = self.flask_app.config["LANGUAGES"]
        if state.chosen is None and reader.locale in supported and reader.locale != state.kept:
            return None  # the application would keep the account's language in the cookie
        if state.language != language:
            return None
        signer = self._signer()[1]
        values = {**reader.values, "csrf": signer.dumps(state.raw_csrf)}
        try:
            return fill_shell(segments, values, reader.choices, reader.user_id)
        except KeyError:
            return None

    def _render_shell(
        self,
        environ: dict,
        start_response: Callable,
        key: str | None,
        made: tuple[list[str], Any] | None,
        reader: Reader | None,
    ) -> Iterable[bytes]:
        """The application renders the page with holes; they are filled with this reader's
        own values, and the shell is kept if the application said it may be."""
        answer, body_iter = self._run_application(environ)
        filled = environ.get(FILLED)
        if filled is None or "written" in answer:
            return _pass_on(start_response, answer, body_iter)
        shell = _read_all(body_iter)
        segments = parse_shell(shell, environ[SHELL])
        if segments is None:
            raise RuntimeError("a page's holes do not nest as templates/_macros/holes.html writes")
        values, choices = filled
        body = fill_shell(segments, values, choices)  # the render's own states, by name
        status = answer["status"]
        headers = [(n, v) for n, v in answer["headers"] if n.lower() != "content-length"]
        kept = environ.get(KEEP_SHELL)
        if (
            kept is not None
            and key is not None
            and reader is not None
            and kept[1] == reader.roles  # made by a reader with the roles of the key
            and status.startswith("200")
            and not any(name.lower() == "set-cookie" for name, _ in headers)
            and len(shell) <= MAX_BODY
        ):
            generation_keys, generation = made or ([], None)
            self._store(key, generation_keys, generation, status, headers, segments, kept)
        start_response(
            status,
            [*headers, ("Content-Length", str(len(body))), (STATUS_HEADER, "miss")],
            answer.get("exc_info"),
        )
        return [body]

    def _language(self, environ: dict) -> str:
        """The language the site chooses for a visitor without a session
        (katilim/i18n.py ``select_locale``)."""
        config = self.flask_app.config
        accept = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
        return accept.best_match(config["LANGUAGES"]) or config["BABEL_DEFAULT_LOCALE"]

    def _key(
        self, environ: dict, language: str, prefix: str = PREFIX, roles: str | None = None
    ) -> str:
        parts = (
            environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""),
            environ.get("wsgi.url_scheme", ""),
            environ.get("HTTP_X_FORWARDED_PROTO", ""),
            environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            language,
            roles,
        )
        return prefix + hashlib.sha256(repr(parts).encode()).hexdigest()[:40]

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
        _generation, _until, status, headers, body = entry[:5]
        if len(entry) > 5 or not any(n.lower() == "content-length" for n, _ in headers):
            headers = [*headers, ("Content-Length", str(len(body)))]
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
        answer, body_iter = self._run_application(environ)
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
            self.learn_council(environ, made_for)
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
            return _pass_on(start_response, answer, body_iter)
        body = _read_all(body_iter)
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
        generation: tuple | None,
        status: str,
        headers: list,
        body: bytes | list,
        meta: tuple | None = None,
    ) -> None:
        kept_headers = [(n, v) for n, v in headers if n.lower() != REQUEST_ID_HEADER.lower()]
        seconds = self.seconds
        try:
            if generation is None:
                generation = tuple(None for _ in generation_keys)
            if None in generation:  # no page kept yet since the cache was emptied
                for name, part in zip(generation_keys, generation, strict=True):
                    if part is None:
                        self.backend.add(name, secrets.token_hex(8), timeout=0)
                generation = tuple(self.backend.get_many(*generation_keys))
            entry: tuple = (generation, self.clock() + seconds, status, kept_headers, body)
            if meta is not None:
                entry = (*entry, meta)
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


def _generation_keys(council: int | None) -> list[str]:
    """The keys of the generation of a council's pages: the installation's part, and the
    council's own (none while the host's council is not known)."""
    keys = [figures_cache.PAGE_GENERATION_KEY]
    if council is not None:
        keys.append(figures_cache.council_page_generation_key(council))
    return keys


def _usable(entry: Any) -> bool:
    return isinstance(entry, tuple) and len(entry) == 5


def _pass_on(start_response: Callable, answer: dict, body_iter: Iterable[bytes]) -> Iterable[bytes]:
    """The application's answer as it is."""
    start_response(answer["status"], answer["headers"], answer.get("exc_info"))
    if "written" in answer:
        return [*answer["written"], *body_iter]
    return body_iter


def _read_all(body_iter: Iterable[bytes]) -> bytes:
    try:
        return b"".join(body_iter)
    finally:
        close = getattr(body_iter, "close", None)
        if close is not None:
            close()


def _host(environ: dict) -> str:
    return str(environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""))


def _usable_shell(entry: Any) -> bool:
    return isinstance(entry, tuple) and len(entry) == 6


@dataclass(frozen=True)
class _SessionState:
    token: str
    account_id: Any
    raw_csrf: str
    chosen: str | None
    kept: Any
    language: str


def _cookie_serializer(app: Flask) -> Any:
    """The signer of Flask's cookie session, under any wrapper (``inner``); None if the
    sessions are kept some other way (then no shell is served)."""
    interface: Any = app.session_interface
    while interface is not None and not hasattr(interface, "get_signing_serializer"):
        interface = getattr(interface, "inner", None)
    return interface.get_signing_serializer(app) if interface is not None else None


def _login_identifier(environ: dict) -> str:
    """Flask-Login's session-protection identifier (``_create_identifier``), from the
    environ: the first X-Forwarded-For address, else the peer, and the User-Agent."""
    forwarded = environ.get("HTTP_X_FORWARDED_FOR")
    address: Any = forwarded if forwarded is not None else environ.get("REMOTE_ADDR")
    if address is not None:
        address = address.encode("utf-8").split(b",")[0].strip()
    agent: Any = environ.get("HTTP_USER_AGENT")
    if agent is not None:
        agent = agent.encode("utf-8")
    return hashlib.sha512(f"{address}|{agent}".encode()).hexdigest()
