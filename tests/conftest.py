"""Shared fixtures: one database per test session, emptied after every test.

The suite runs on SQLite by default and on PostgreSQL when KATILIM_TEST_DATABASE_URL is set
(as .ci/run does). The schema is created once per session; each test starts from empty tables.
"""

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, text

from katilim import create_app
from katilim.config import ROOT
from katilim.extensions import db

TEST_DATABASE_URL = os.environ.get("KATILIM_TEST_DATABASE_URL", "")
# The pybabel of the interpreter running the tests: .venv/bin/pytest works without activation.
PYBABEL = shutil.which("pybabel", path=str(Path(sys.executable).parent)) or "pybabel"


def _compile_catalogues() -> None:
    """Compile .po to .mo when a catalogue is newer than its compiled file."""
    for po in Path(ROOT, "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(
                [PYBABEL, "compile", "-d", str(ROOT / "translations")],
                check=True,
                capture_output=True,
            )
            return


def _database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


class EnglishClient(FlaskClient):
    """A test client whose browser asks for English, so that tests read the message ids.

    The application's default language is Turkish; without this, every assertion on English
    text would break as soon as the Turkish catalogue is complete. A test about the default
    language drops the header: ``client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """scrypt takes about 0.1 s per hash on purpose; tests use one PBKDF2 round instead.

    Only the cost changes: the same werkzeug functions hash and check every password.
    """
    from functools import partial

    from werkzeug.security import generate_password_hash

    import katilim.auth.models

    fast = partial(generate_password_hash, method="pbkdf2:sha256:1")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(katilim.auth.models, "generate_password_hash", fast)
        yield


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """One application for the session; its test clients ask for English (see EnglishClient)."""
    _compile_catalogues()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
            "WTF_CSRF_ENABLED": False,  # switched on in tests/core/test_errors.py
            # Set up (hooks, memory storage) but switched off: the rate_limits fixture turns
            # it on for tests about limits.
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "STATS_CACHE_SECONDS": 0,  # figures recomputed on every request (see tests/stats)
            "PAGE_CACHE_SECONDS": 0,  # pages made on every request (tests/core/test_pagecache.py)
            "RELATED_CACHE_SECONDS": 0,  # kept ids tested in tests/proposals/test_similar.py
            "MAIL_BACKEND": "memory",
            "SERVER_NAME": "localhost",
            "SITE_URL": "http://localhost",  # every absolute link (katilim/core/urls.py)
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),  # photos (katilim/photos)
        }
    )
    app.test_client_class = EnglishClient
    _switch_rate_limits(app, on=False)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _switch_rate_limits(app, *, on: bool) -> None:
    from katilim.extensions import limiter

    limiter.enabled = on
    app.config["RATELIMIT_ENABLED"] = on
    limiter.reset()  # every test starts with full allowances


@pytest.fixture
def keep_limiter():
    """For tests that build an application of their own: the limiter is one object for every
    application of the process, and another app's init_app changes its storage and switches
    (on, Redis, fallen back to memory); they are put back afterwards."""
    from katilim.extensions import limiter

    saved, options = dict(vars(limiter)), dict(limiter._storage_options)
    limiter._storage_dead = False  # the new application starts as a new process would
    yield
    vars(limiter).clear()
    vars(limiter).update(saved)
    limiter._storage_options.clear()
    limiter._storage_options.update(options)


@pytest.fixture
def rate_limits(app):
    """Rate limits on, with empty counters, for this test only."""
    _switch_rate_limits(app, on=True)
    yield app.config["RATE_LIMITS"]
    _switch_rate_limits(app, on=False)


@pytest.fixture(autouse=True)
def _clean_database(app):
    """Empty every table after each test, and the mail outbox; rate limits off again."""
    yield
    app.extensions["mail_outbox"] = []
    app.config["WTF_CSRF_ENABLED"] = False
    # The limiter is one object for every app: a test that creates an app of its own
    # (tests/core/test_config.py) switches it on for the suite's app too.
    _switch_rate_limits(app, on=False)
    forget_councils = getattr(app.wsgi_app, "forget_councils", None)
    if forget_councils is not None:  # the page cache read which council each host is for
        forget_councils()
    with app.app_context():
        empty_tables()


def empty_tables() -> None:
    """Every row deleted, children first, and every id counting from 1 again.

    DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of the 30-odd tables takes 100-300 ms (it
    swaps each table's files), which over two thousand tests was most of the suite's time;
    deleting the few rows a test wrote takes about 10 ms, and one setval per table puts the
    ids back to 1 as RESTART IDENTITY did.
    """
    db.session.remove()
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        for table in tables:
            conn.execute(table.delete())
        if conn.dialect.name == "postgresql":
            counted = [t.name for t in tables if "id" in t.c and t.c.id.autoincrement is not False]
            conn.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(name, 'id'), 1, false)"
                    " FROM unnest(CAST(:tables AS text[])) AS name"
                ),
                {"tables": counted},
            )


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def ctx(app):
    """An app context around setup code and assertions (never around client calls)."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def council(app):
    """The Kocaeli council with its 24 bodies and 12 districts, loaded from the data file."""
    from katilim.organization.services import load_council

    with app.app_context():
        load_council(app.config["COUNCIL_DATA_FILE"])
        db.session.commit()


OTHER_COUNCIL_FILE = ROOT / "tests/data/ornekkent.yaml"


@pytest.fixture
def other_council(app):
    """Another council (tests/data/ornekkent.yaml: nothing in it names Kocaeli), loaded and
    configured as the one this instance serves, for this test only."""
    from katilim.organization.services import load_council

    saved = app.config["COUNCIL_SLUG"], app.config["COUNCIL_DATA_FILE"]
    app.config["COUNCIL_SLUG"], app.config["COUNCIL_DATA_FILE"] = (
        "ornekkent",
        str(OTHER_COUNCIL_FILE),
    )
    with app.app_context():
        load_council(OTHER_COUNCIL_FILE)
        db.session.commit()
    yield
    app.config["COUNCIL_SLUG"], app.config["COUNCIL_DATA_FILE"] = saved


@pytest.fixture
def login(app):
    """login(user_id) → a test client signed in as that user (a session started on the
    server, its token in the client's session, as signing in does)."""
    from katilim.auth import sessions
    from katilim.auth.models import User

    def _login(user_id: int) -> FlaskClient:
        with app.app_context():
            user = db.session.get(User, user_id)
            token = sessions.start(user) if user is not None else "no-such-session"
            db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
        return client

    return _login


@pytest.fixture
def outbox(app):
    """The e-mails sent during the test (see SentMail: reading it runs the mail worker)."""
    app.extensions["mail_outbox"] = []
    return SentMail(app)


class SentMail(Sequence):
    """The memory backend's list, read like a list; each read first runs the send-mail
    worker (deliver_due) in its own app context, as the worker process would.

    Requests only queue e-mails in the outbox table, so a test sees what a committed
    request queued; read it outside ``ctx`` or after committing.
    """

    def __init__(self, app):
        self.app = app

    def _messages(self) -> list:
        from katilim.notifications.outbox import deliver_due

        with self.app.app_context():
            while deliver_due(batch=100):
                pass
        return self.app.extensions.setdefault("mail_outbox", [])

    def __getitem__(self, index):
        return self._messages()[index]

    def __len__(self) -> int:
        return len(self._messages())

    def __eq__(self, other) -> bool:
        return list(self._messages()) == list(other)

    def __repr__(self) -> str:
        return repr(self._messages())


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ... → counter.count SQL statements ran."""
    from contextlib import contextmanager

    @contextmanager
    def _count():
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)

    return _count


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match[1]
