"""No server error on odd input, anywhere: every route of the URL map, as every role.

Each query parameter and each form field that a route reads gets a fixed list of odd values
(superscript, circled and Arabic-Indic digits, a 400-digit number, blanks, a NUL byte, invalid
UTF-8, a right-to-left override, zero-width characters, a very long string, the key twice),
the other fields keeping valid values so that the odd one travels as deep as a real form
would take it. Every path variable gets odd values too, every form route gets JSON and raw
invalid bytes instead of a form, and every route answers a method it does not accept with a
405 that names the ones it does (``Allow``). No answer may be a 5xx.

Nothing here lists the routes or their fields, so a new route, parameter or field is covered
without a change to this file:

- the pages are crawled as each role; their forms give each form route its fields with valid
  values (from the page itself), their links give real path values and query keys;
- every request records which query and form keys the view read (``RecordingRequest``), so
  keys that no page shows (``?reply=``, ``?template=``, a field read only on submit) are
  sent odd values too;
- each endpoint is tried against the freshly seeded world (restored from a copy on SQLite),
  and the world is restored again when a request changed who the roles are (a deleted
  account, a changed site role), so that what one request did cannot hide another's error;
- the world has a district council too, at its own address: its moderator opens the pages
  of its proposal there, and a form that only they are shown (the referral to the provincial
  council) is swept as them as well, at that address.

CSRF is off in the tests (conftest) and rate limits are off unless a test turns them on, so
every form is read past both. The test prints how many requests it sent and how long it took.
"""

import json
import sqlite3
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from flask import Request, url_for
from sqlalchemy import event, select
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from katilim.auth.models import User
from katilim.core.converters import IdConverter, SlugConverter
from katilim.extensions import db, limiter
from katilim.proposals.models import Proposal
from tests.factories import (
    PASSWORD,
)
from tests.world import DISTRICT_SESSION, FORM_EMAIL, World, memberships_of, seed_world

ROLES = ("anonymous", "resident", "facilitator", "moderator", "admin")
# The district council's moderator, at its address: for the forms only they are shown.
DISTRICT = "district moderator"


class _Invalid:
    """Marker: the bytes FF FE, which are not UTF-8 (%FF%FE in a query, raw in a body)."""

    def __repr__(self) -> str:
        return "<invalid UTF-8>"


class _Repeated:
    """Marker: the key sent twice (``?page=1&page=2``), the second time with an odd value."""

    def __repr__(self) -> str:
        return "<key twice>"


INVALID_UTF8 = _Invalid()
REPEATED = _Repeated()
ODD_VALUES = (
    "²",
    "①",
    "٣",  # an Arabic-Indic digit: Python's int() reads it, the database does not
    "9" * 400,
    "-1",
    "0",
    " ",
    "",
    "\x00",
    INVALID_UTF8,
    "\u202eexe.fdp",  # a right-to-left override
    "a\u200b\u200c\u200d\u2060\ufeffb",  # zero-width characters
    "x" * 10_000,
    REPEATED,
)
# A key that an earlier role already had every odd value in, at the same endpoint, gets
# these (its parsing does not change with the role; the page around it may).
SHORT_VALUES = ("²", "9" * 400, INVALID_UTF8)
# A free-text field (a title, a reason) is never read as a number: the digit variants and the
# small numbers add nothing to what "²" and the 400 digits show.
TEXT_VALUES = tuple(v for v in ODD_VALUES if v not in ("①", "٣", "-1", "0"))
# Path variables: a converter that lets one of these through must still give a 4xx.
ODD_PATH_VALUES = ("²", "٣", "9" * 400, "0", "-1", "%00", "%FF%FE", "%E2%80%AE1", "x" * 100)
SENTINEL = 987654321  # stands for the path variable being replaced
# Sent to every route as well: array syntax, a key no route knows.
EXTRA_QUERY = "x%5B%5D=1&x%5B%5D=2"
SENTENCE = "Otobüs durağına rampa yapılsın ki herkes rahatça binebilsin. "

# --- recording which keys a view reads ------------------------------------------------------

READS: dict[str, set[str]] = {"args": set(), "form": set()}


class _RecordingMultiDict(ImmutableMultiDict):
    """A request's args or form that notes every key the view asks for."""

    def __init__(self, mapping, kind: str):
        super().__init__(mapping)
        self._kind = kind

    def _note(self, key) -> None:
        if isinstance(key, str):
            READS[self._kind].add(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        self._note(key)
        return super().getlist(key, type)


class RecordingRequest(Request):
    @property
    def args(self):
        cache = self.__dict__
        if "_recording_args" not in cache:
            cache["_recording_args"] = _RecordingMultiDict(Request.args.__get__(self), "args")
        return cache["_recording_args"]

    def _load_form_data(self) -> None:
        loaded = "form" in self.__dict__
        super()._load_form_data()
        if not loaded:
            self.__dict__["form"] = _RecordingMultiDict(self.__dict__["form"], "form")


# --- the pages' forms and links -------------------------------------------------------------


@dataclass
class FormField:
    name: str
    kind: str  # input type, "textarea", "select" or "button"
    value: str = ""
    attrs: dict = field(default_factory=dict)
    options: list[str] = field(default_factory=list)
    selected: str | None = None


@dataclass
class PageForm:
    method: str
    action: str
    fields: list[FormField] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self.links: list[str] = []
        self._form: PageForm | None = None
        self._textarea: FormField | None = None
        self._select: FormField | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.selected = a.get("value", "")
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = PageForm(a.get("method", "get").upper(), a.get("action", ""))
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input":
            kind = a.get("type", "text").lower()
            self._form.fields.append(FormField(a["name"], kind, a.get("value", ""), a))
        elif tag == "button":
            self._form.fields.append(FormField(a["name"], "button", a.get("value", ""), a))
        elif tag == "textarea":
            self._textarea = FormField(a["name"], "textarea", "", a)
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = FormField(a["name"], "select", "", a)
            self._form.fields.append(self._select)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def close(self):
        super().close()
        for form in self.forms:
            for f in form.fields:
                if f.kind == "textarea":  # HTML drops the line break after <textarea>
                    f.value = f.value.removeprefix("\r\n").removeprefix("\n")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _fill(f: FormField) -> str:
    """A valid value for a field, as a person would fill it in."""
    if f.attrs.get("tabindex") == "-1":
        return ""  # a trap that people never reach (core.forms.HoneypotForm)
    if f.kind == "checkbox":
        return f.value or "y"
    if f.kind == "select":
        if f.selected:
            return f.selected
        return next((o for o in f.options if o), f.selected or "")
    if f.kind in ("submit", "button", "hidden", "radio") or f.value.strip():
        return f.value
    if f.kind == "email":
        return FORM_EMAIL
    if f.kind == "password":
        return PASSWORD
    if f.kind == "number":
        return f.attrs.get("min") or "1"
    if f.kind == "date":
        # A meeting's day must be to come; other dates (a forwarding) may be any day.
        return (date.today() + timedelta(days=7 if f.name == "day" else 0)).isoformat()
    if f.kind == "time":
        return "20:30" if f.name.startswith("end") else "18:30"
    if f.kind == "url" or f.name.endswith("_url"):
        return "https://toplanti.example.org/ulasim"
    if "slug" in f.name:
        return "yeni-grup"
    low = int(f.attrs.get("minlength") or 1)
    high = int(f.attrs.get("maxlength") or 10_000)
    return (SENTENCE * (low // len(SENTENCE) + 1))[:high].strip()[:high]


def _baseline(form: PageForm) -> dict[str, str]:
    """The values a browser sends for this form: one button, the first choice of each radio."""
    values: dict[str, str] = {}
    button_sent = False
    for f in form.fields:
        if f.kind in ("submit", "button"):
            if not button_sent:
                values[f.name] = f.value
                button_sent = True
            continue
        if f.kind == "radio":
            if f.name not in values or "checked" in f.attrs:
                values[f.name] = f.value
            continue
        if f.kind == "checkbox" and f.name in values:
            continue
        values.setdefault(f.name, _fill(f))
    return values


# --- the seeded world (tests/world.py), restored between endpoints -----------------------


class Database:
    """The seeded world, restored before each endpoint when something was written since: on
    SQLite from a copy kept in memory (milliseconds), elsewhere by seeding again."""

    def __init__(self, app):
        self.app = app
        with app.app_context():
            self.engine = db.engine
        self.world = seed_world(app, district_council=True)
        self.copy = None
        if self.engine.dialect.name == "sqlite":
            self.copy = sqlite3.connect(":memory:")
            raw = self.engine.raw_connection()
            try:
                raw.driver_connection.backup(self.copy)
            finally:
                raw.close()
        self.changed = False
        event.listen(self.engine, "before_cursor_execute", self._note_write)

    def _note_write(self, _conn, _cursor, statement, *_args) -> None:
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.changed = True

    def restore(self) -> World:
        if not self.changed:
            return self.world
        if self.copy is None:
            self.world = seed_world(self.app, district_council=True)
        else:
            with self.app.app_context():
                db.session.remove()
                raw = self.engine.raw_connection()
                try:
                    self.copy.backup(raw.driver_connection)
                finally:
                    raw.close()
        self.changed = False
        return self.world

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._note_write)


def _world_intact(app, world: World) -> bool:
    """The roles are still who they were (no account deleted, no site role or membership
    changed): else the next requests would test another role than they say."""
    with app.app_context():
        roles = dict(
            db.session.execute(
                select(User.id, User.site_role).where(User.id.in_(list(world.roles)))
            ).all()
        )
        intact = roles == world.roles and memberships_of(world.roles) == world.memberships
        if world.district is not None:  # its proposal not referred away
            council = db.session.scalar(
                select(Proposal.council_id).where(
                    Proposal.id == world.district.path_values["proposal_id"]
                )
            )
            intact = intact and council == world.district.council_id
        db.session.remove()
        return intact


# --- the sweep --------------------------------------------------------------------------------


def _encode_query(pairs) -> str:
    parts = []
    for key, value in pairs:
        encoded = "%FF%FE" if value is INVALID_UTF8 else quote(str(value), safe="")
        parts.append(f"{quote(key, safe='')}={encoded}")
    return "&".join(parts)


def _encode_body(pairs) -> bytes:
    parts = []
    for key, value in pairs:
        if value is INVALID_UTF8:
            parts.append(quote(key, safe="").encode() + b"=\xff\xfe")
        else:
            parts.append(urlencode([(key, value)]).encode())
    return b"&".join(parts)


def _with_odd(baseline: dict, key: str, odd) -> list[tuple[str, object]]:
    pairs = [(k, v) for k, v in baseline.items() if k != key]
    if odd is REPEATED:
        return pairs + [(key, baseline.get(key) or "1"), (key, "²")]
    return pairs + [(key, odd)]


class Sweep:
    def __init__(self, app, database: Database):
        self.app = app
        self.database = database
        self.world = database.world
        self.adapter = app.url_map.bind("localhost")
        self.sent = 0
        self.failures: list[str] = []
        self.cookies: dict[str, str] = {}
        for role in self.world.users:
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = f"sweep-{role}"
                session["_fresh"] = True
            self.cookies[role] = client.get_cookie("session").value
        district = self.world.district
        self.district_host = urlsplit(district.base_url).hostname if district else None
        if district is not None:
            client = app.test_client()
            with client.session_transaction(base_url=district.base_url) as session:
                session["_user_id"] = DISTRICT_SESSION
                session["_fresh"] = True
            self.cookies[DISTRICT] = client.get_cookie("session", domain=self.district_host).value
        # endpoint → (path values, form values) of the forms only the district's moderator saw
        self.district_forms: dict[str, tuple[dict, dict[str, str]]] = {}
        # What the crawl found, per endpoint.
        self.query_keys: dict[str, set[str]] = defaultdict(set)
        self.form_fields: dict[str, dict[str, str]] = defaultdict(dict)
        self.found_values: dict[str, dict] = {}
        self.fuzzed: dict[tuple, set] = defaultdict(set)
        self.accepted: set[str] = set()
        self.found_form_values: dict[str, dict] = {}
        self.prefer_found: set[str] = set()

    # one request
    def send(self, role: str, method: str, url: str, what: str, **kwargs):
        client = self.app.test_client()
        if role == DISTRICT:
            assert self.world.district is not None and self.district_host
            client.set_cookie("session", self.cookies[role], domain=self.district_host)
            kwargs["base_url"] = self.world.district.base_url
        elif role in self.cookies:
            client.set_cookie("session", self.cookies[role], domain="localhost")
        READS["args"].clear()
        READS["form"].clear()
        self.sent += 1
        try:
            response = client.open(url, method=method, **kwargs)
            body = response.get_data()  # a streamed answer (the CSV) fails while it is read
            status = response.status_code
        except Exception as error:  # the app's own handlers should have answered
            self.failures.append(f"{role} {method} {url[:120]} [{what}]: raised {error!r}")
            return None, b""
        if status >= 500:
            self.failures.append(f"{role} {method} {url[:120]} [{what}]: {status}")
        elif status == 405 and not response.headers.get("Allow"):
            self.failures.append(f"{role} {method} {url[:120]} [{what}]: 405 without Allow")
        return response, body

    # URLs
    def values_for(self, rule) -> dict:
        values = {arg: self.world.path_values.get(arg, 1) for arg in rule.arguments}
        values.update(self.world.endpoint_values.get(rule.endpoint, {}))
        if rule.endpoint in self.prefer_found:
            values.update(self.found_values.get(rule.endpoint, {}))
        return {k: v for k, v in values.items() if k in rule.arguments}

    def url_for_rule(self, rule, values: dict | None = None) -> str:
        with self.app.test_request_context():
            return url_for(
                rule.endpoint, **(values if values is not None else self.values_for(rule))
            )

    def _match(self, url: str, method: str):
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            return None
        try:
            endpoint, values = self.adapter.match(parts.path, method=method)
        except (HTTPException, RequestRedirect):
            return None
        return endpoint, values, parts

    # crawling
    def learn_page(self, page_url: str, body: bytes) -> None:
        parser = _PageParser()
        parser.feed(body.decode("utf-8", "replace"))
        parser.close()
        for href in parser.links:
            found = self._match(href, "GET")
            if found:
                endpoint, values, parts = found
                self.found_values.setdefault(endpoint, values)
                for key, _value in parse_qsl(parts.query, keep_blank_values=True):
                    self.query_keys[endpoint].add(key)
        for form in parser.forms:
            action = form.action or urlsplit(page_url).path
            found = self._match(action, form.method)
            if not found:
                continue
            endpoint, values, _parts = found
            self.found_values.setdefault(endpoint, values)
            self.found_form_values.setdefault(endpoint, values)
            baseline = _baseline(form)
            if form.method == "GET":
                self.query_keys[endpoint].update(baseline)
            else:
                for key, value in baseline.items():
                    self.form_fields[endpoint].setdefault(key, value)

    def crawl(self, rules) -> None:
        """Every page as every role. A page that is not found with the seeded path values (a
        district's edit page, given a body's slug) is crawled again with values from links."""
        missing = set()
        for rule in rules:
            if "GET" in rule.methods:
                statuses = self._crawl(rule)
                if 404 in statuses and min(statuses) >= 300:  # nobody saw the page
                    missing.add(rule.endpoint)
        for rule in rules:
            if rule.endpoint not in missing:
                continue
            tries = [self.found_values.get(rule.endpoint)] + [
                {arg: value}
                for arg in rule.arguments
                for value in self.world.alternatives.get(arg, [])
            ]
            for values in filter(None, tries):
                self.found_values[rule.endpoint] = values
                self.prefer_found.add(rule.endpoint)
                if min(self._crawl(rule)) < 300:  # someone sees the page now
                    break
        for endpoint in self.found_form_values:
            rule = next(r for r in rules if r.endpoint == endpoint)
            if "GET" not in rule.methods:  # a form's own action beats a made-up path
                self.prefer_found.add(endpoint)
                self.found_values[endpoint] = self.found_form_values[endpoint]
        self.crawl_district(rules)

    def crawl_district(self, rules) -> None:
        """The pages of the district council's proposal, as its moderator at its address: the
        forms there that no role of the main council was shown are swept as them too."""
        district = self.world.district
        if district is None:
            return
        for rule in rules:
            if "GET" not in rule.methods or "proposal_id" not in rule.arguments:
                continue
            values = {**self.values_for(rule), **district.path_values}
            url = self.url_for_rule(rule, values)
            response, body = self.send(DISTRICT, "GET", url, "crawl")
            if response is None or response.mimetype != "text/html":
                continue
            parser = _PageParser()
            parser.feed(body.decode("utf-8", "replace"))
            parser.close()
            for form in parser.forms:
                found = self._match(form.action or urlsplit(url).path, form.method)
                if found and form.method == "POST" and found[0] not in self.found_form_values:
                    self.district_forms.setdefault(found[0], (found[1], _baseline(form)))

    def _crawl(self, rule) -> set[int]:
        url = self.url_for_rule(rule)
        statuses = set()
        for role in ROLES:
            response, body = self.send(role, "GET", url, "crawl")
            self.query_keys[rule.endpoint].update(READS["args"])
            if response is not None:
                statuses.add(response.status_code)
                if response.mimetype == "text/html":
                    self.learn_page(url, body)
        return statuses

    # fuzzing one endpoint
    def fuzz(self, rule, method: str) -> None:
        url = self.url_for_rule(rule)
        baseline = dict(self.form_fields.get(rule.endpoint, {})) if method == "POST" else {}
        for role in ROLES:
            self._fuzz_as(role, rule, method, url, baseline)
        if method == "POST" and rule.endpoint in self.district_forms:
            values, district_baseline = self.district_forms[rule.endpoint]
            district_url = self.url_for_rule(rule, values)
            self._fuzz_as(DISTRICT, rule, method, district_url, district_baseline)
        if method != sorted(rule.methods & {"GET", "POST"})[0]:
            return  # the converters answer before the method matters
        # Odd path variables: the converter answers 404 before any view runs, whoever asks; a
        # variable that the view reads itself (a token) is tried as a visitor and as an admin.
        for arg in sorted(rule.arguments):
            values = self.values_for(rule)
            values[arg] = SENTINEL if isinstance(values[arg], int) else str(SENTINEL)
            marked = self.url_for_rule(rule, values)
            converter = rule._converters[arg]
            checked = isinstance(converter, IdConverter | SlugConverter)
            for odd in ODD_PATH_VALUES:
                odd_url = marked.replace(str(SENTINEL), odd, 1)
                for role in ("anonymous",) if checked else ("anonymous", "admin"):
                    self.send(role, method, odd_url, f"path {arg}={odd[:20]!r}", **_form(baseline))

    def _fuzz_as(self, role, rule, method, url, baseline) -> None:
        first, page = self.send(role, method, url, "baseline", **_form(baseline))
        if method == "POST" and first is not None and _accepted(first, page):
            self.accepted.add(rule.endpoint)
        self._reseed_if_needed(method, first)
        query_keys = set(READS["args"]) | self.query_keys.get(rule.endpoint, set())
        form_keys = set(READS["form"]) | set(baseline) if method == "POST" else set()
        if not READS["args"] and not READS["form"]:
            # Refused before reading anything (sign in first, not allowed): one request with
            # every key odd shows that the refusal does not start reading them.
            odd = {key: "²" for key in form_keys}
            query = _encode_query((key, "9" * 400) for key in sorted(query_keys))
            self.send(role, method, f"{url}?{query}&{EXTRA_QUERY}", "all odd", **_form(odd))
            return
        done = self.fuzzed[(method, rule.endpoint)]
        first_reader = not done  # the first role to read this endpoint's input
        for key in sorted(query_keys):
            for odd in SHORT_VALUES if ("?", key) in done else ODD_VALUES:
                query = _encode_query(_with_odd({}, key, odd))
                response, _ = self.send(
                    role, method, f"{url}?{query}", f"?{key}={odd!r:.30}", **_form(baseline)
                )
                self._reseed_if_needed(method, response)
        for key in sorted(form_keys):
            if key in done:
                values = SHORT_VALUES
            elif _is_free_text(baseline.get(key, "")):
                values = TEXT_VALUES
            else:
                values = ODD_VALUES
            for odd in values:
                pairs = _with_odd(baseline, key, odd)
                response, _ = self.send(
                    role,
                    method,
                    url,
                    f"form {key}={odd!r:.30}",
                    data=_encode_body(pairs),
                    content_type="application/x-www-form-urlencoded",
                )
                self._reseed_if_needed(method, response)
        done.update(("?", key) for key in query_keys)
        done.update(form_keys)
        self.send(role, method, f"{url}?{EXTRA_QUERY}", "x[]=", **_form(baseline))
        if method == "POST":
            # Instead of a form: JSON of every shape (once per endpoint: the form reads the
            # body before any rule of the role), and bytes that are not UTF-8.
            nested = {key: [{"a": 1}] for key in baseline}
            payloads = (baseline, list(baseline.items()), nested, "text", 12)
            for payload in payloads if first_reader else payloads[-2:-1]:
                response, _ = self.send(
                    role,
                    method,
                    url,
                    f"JSON {type(payload).__name__}",
                    data=json.dumps(payload),
                    content_type="application/json",
                )
                self._reseed_if_needed(method, response)
            response, _ = self.send(
                role,
                method,
                url,
                "raw bytes",
                data=b"\xff\xfe=\xff&\x00=\x00",
                content_type="application/x-www-form-urlencoded",
            )
            self._reseed_if_needed(method, response)

    def _reseed_if_needed(self, method, response) -> None:
        if method == "POST" and response is not None and response.status_code < 400:
            if not _world_intact(self.app, self.world):
                self.world = self.database.restore()

    def not_allowed(self, rule) -> None:
        """A method that no route at this address takes: 405, naming the ones they take."""
        url = self.url_for_rule(rule)
        accepted = set(self.adapter.allowed_methods(urlsplit(url).path))
        method = next(m for m in ("GET", "POST", "PUT") if m not in accepted)
        response, _ = self.send("anonymous", method, url, "method not allowed")
        if response is None:
            return
        allowed = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
        if response.status_code != 405 or allowed != accepted:
            self.failures.append(
                f"{method} {url}: {response.status_code}, Allow: {sorted(allowed)}, "
                f"expected 405 with {sorted(accepted)}"
            )


def _accepted(response, page: bytes) -> bool:
    """The form was taken: a redirect onwards (not to sign in), or a page without errors."""
    if 300 <= response.status_code < 400:
        return "/auth/login" not in response.headers.get("Location", "")
    return (
        response.status_code == 200 and b"notice-error" not in page and b"aria-invalid" not in page
    )


def _is_free_text(value: str) -> bool:
    return " " in value.strip() and not value.replace(" ", "").isdigit()


def _form(baseline: dict) -> dict:
    if not baseline:
        return {}
    return {
        "data": _encode_body(baseline.items()),
        "content_type": "application/x-www-form-urlencoded",
    }


@contextmanager
def _sweep_setup(app):
    """Record the keys each view reads, and commit without waiting for the disk (a crash
    would lose nothing here, and thousands of commits were the sweep's main wait)."""
    with app.app_context():
        engine = db.engine
    setting = {
        "sqlite": "PRAGMA synchronous=OFF",
        "postgresql": "SET synchronous_commit TO off",  # this connection only
    }.get(engine.dialect.name)

    def unflushed(connection, _record):
        cursor = connection.cursor()
        cursor.execute(setting)
        cursor.close()
        if engine.dialect.name == "postgresql":
            connection.commit()

    if setting:
        engine.dispose()
        event.listen(engine, "connect", unflushed)
    original = app.request_class
    # On top of the application's own request class (the photo forms' larger body limit).
    app.request_class = type("Recording", (RecordingRequest, original), {})
    try:
        yield
    finally:
        app.request_class = original
        if setting:
            event.remove(engine, "connect", unflushed)
            engine.dispose()


def test_odd_input_never_gives_a_server_error(app, capsys):
    """The whole URL map, every method, every role: no 5xx, and every 405 says what is allowed."""
    assert not limiter.enabled and not app.config["WTF_CSRF_ENABLED"]
    started = time.monotonic()
    rules = sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static"),
        key=lambda r: (r.rule, sorted(r.methods or ())),
    )
    with _sweep_setup(app):
        database = Database(app)
        try:
            sweep = Sweep(app, database)
            sweep.crawl(rules)
            for rule in rules:
                for method in ("GET", "POST"):
                    if method in (rule.methods or ()):
                        sweep.world = database.restore()
                        sweep.fuzz(rule, method)
                sweep.not_allowed(rule)
        finally:
            database.close()
    posts = {r.endpoint for r in rules if "POST" in (r.methods or ())}
    with capsys.disabled():  # the summary shows in every run, not only with -s
        print(
            f"\nodd-input sweep: {sweep.sent} requests to {len(rules)} routes as {len(ROLES)} "
            f"roles (and a district council's moderator at its address, on the forms only "
            f"they see: {', '.join(sorted(sweep.district_forms))}) in "
            f"{time.monotonic() - started:.1f} s; valid forms accepted at "
            f"{len(sweep.accepted & posts)} of {len(posts)} form routes "
            f"(not at: {', '.join(sorted(posts - sweep.accepted))})"
        )
    assert len(rules) >= 80  # the whole site, not an empty URL map
    # The crawl found working forms: nearly every form route accepted its valid baseline, so
    # the odd values reached as deep as real input does. (The rest need a state the seeded
    # world does not have: a forwarded proposal for the agenda date, a suggested routing.)
    assert len(sweep.accepted & posts) >= 0.85 * len(posts)
    # The district council's moderator was shown the referral form, and its valid baseline was
    # taken: the odd values reached it as deep as a real referral goes.
    assert "moderation.refer" in sweep.district_forms
    assert "moderation.refer" in sweep.accepted
    assert not sweep.failures, f"{len(sweep.failures)} failures:\n" + "\n".join(sweep.failures[:80])
