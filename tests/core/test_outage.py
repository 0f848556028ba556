"""When the database is unreachable every page answers with the site's own 503 page, in the
person's language and with Retry-After, without touching the database to render it; other
error pages never fail because of the database; refused requests still leave a traffic record
in the log (Law 5651).

The database is made unreachable for real: an application whose engine points at a closed
port (PostgreSQL) or at a file that cannot be opened (SQLite), and, on PostgreSQL, the test
database itself refusing connections while the application holds pooled ones.
"""

import json
import logging
import signal
from contextlib import contextmanager

import pytest
from flask_babel import force_locale
from sqlalchemy.engine import make_url

from katilim import create_app
from katilim.core.errors import ERROR_TEXTS
from katilim.core.outage import ACCOUNT_ID_KEY
from katilim.extensions import db
from katilim.logs import JsonFormatter
from katilim.organization import services as organization_services
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_proposal, make_user
from tests.network import closed_port

ON_POSTGRESQL = TEST_DATABASE_URL.startswith("postgresql")
LANGUAGES = {"tr": "ltr", "en": "ltr", "ar": "rtl", "ku": "ltr"}


def unreachable_database_url(tmp_path) -> str:
    if ON_POSTGRESQL:
        url = make_url(TEST_DATABASE_URL).set(host="127.0.0.1", port=closed_port())
        return url.render_as_string(hide_password=False)
    return f"sqlite:///{tmp_path / 'no-such-directory' / 'katilim.sqlite'}"


KOCAELI_NAMES = {
    "tr": "Kocaeli Kent Konseyi",
    "en": "Kocaeli City Council",
    "ar": "مجلس مدينة Kocaeli",
    "ku": "Encumena Bajêr a Kocaeliyê",
}


@pytest.fixture
def down_app(tmp_path, keep_limiter, monkeypatch):
    """The site as in production (rate limits on, errors not propagated), its database
    unreachable; the process read the council's names before the database went down."""
    monkeypatch.setattr(organization_services, "_names_seen", {"kocaeli": KOCAELI_NAMES})
    app = create_app(
        {
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": unreachable_database_url(tmp_path),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_BACKEND": "memory",
            "SERVER_NAME": "localhost",
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def signed_in(client, user_id: int = 1, **session_values):
    with client.session_transaction() as session:
        session["_user_id"] = "a-session-token"  # not looked up: the database is down
        session[ACCOUNT_ID_KEY] = user_id
        session["_fresh"] = True
        session.update(session_values)
    return client


def expected_title(app, code: int, language: str) -> str:
    with app.test_request_context(), force_locale(language):
        return str(ERROR_TEXTS[code][0])


def assert_site_page(app, response, code: int, language: str) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == code, page[:500]
    assert response.mimetype == "text/html"
    assert f'<html lang="{language}" dir="{LANGUAGES[language]}">' in page
    assert expected_title(app, code, language) in page
    assert "Kocaeli" in page  # the site's own header and title, with the names last read
    assert "Traceback" not in page
    return page


def assert_outage_page(app, response, language: str) -> str:
    assert response.headers["Retry-After"] == "30"
    page = assert_site_page(app, response, 503, language)
    assert "Sign out" not in page and 'action="/auth/logout"' not in page
    return page


PAGES = [
    ("GET", "/"),
    ("GET", "/proposals"),
    ("GET", "/proposals/1"),
    ("GET", "/bodies/ulasim"),
    ("GET", "/me"),
    ("POST", "/auth/login"),
    ("POST", "/proposals/1/vote"),
    ("POST", "/proposals/1/comments"),
]
# Without an account these need no database: they send the visitor to the sign-in page.
SIGN_IN_FIRST = {"/me", "/proposals/1/vote", "/proposals/1/comments"}
FORM = {"email": "a@example.org", "password": "x" * 12, "value": "1", "text": "Yorum"}


@pytest.mark.parametrize("account", ["anonymous", "signed in"])
@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_page_answers_503_with_the_site_page_in_the_persons_language(
    down_app, account, language
):
    client = down_app.test_client()
    if account == "signed in":
        signed_in(client)
    for method, path in PAGES:
        response = client.open(
            path, method=method, data=FORM, headers={"Accept-Language": language}
        )
        if account == "anonymous" and path in SIGN_IN_FIRST:
            assert response.status_code == 302
            assert "/auth/login" in response.headers["Location"]
            continue
        assert_outage_page(down_app, response, language)


def test_the_language_comes_from_the_session_then_the_browser_then_turkish(down_app):
    client = signed_in(down_app.test_client(), locale="ku")
    assert_outage_page(down_app, client.get("/proposals", headers={"Accept-Language": "en"}), "ku")
    client = down_app.test_client()
    assert_outage_page(down_app, client.get("/proposals", headers={"Accept-Language": "ar"}), "ar")
    assert_outage_page(down_app, client.get("/proposals"), "tr")


def test_a_process_that_never_read_the_council_says_city_council(down_app, monkeypatch):
    monkeypatch.setattr(organization_services, "_names_seen", {})
    response = down_app.test_client().get("/", headers={"Accept-Language": "tr"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "<small>Kent Konseyi</small>" in page and "Kocaeli" not in page


@pytest.mark.parametrize("account", ["anonymous", "signed in"])
def test_the_api_answers_503_in_json(down_app, account):
    client = down_app.test_client()
    if account == "signed in":
        signed_in(client)
    for path in ("/api/v1/proposals", "/api/v1/proposals/1", "/api/v1/bodies"):
        response = client.get(path, headers={"Accept-Language": "en"})
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "30"
        assert response.json["error"] == expected_title(down_app, 503, "en")
        assert response.json["message"]
        assert "no-store" in response.headers["Cache-Control"]


def test_other_error_pages_never_fail_when_the_database_is_down(down_app):
    client = signed_in(down_app.test_client())
    headers = {"Accept-Language": "en"}
    assert_site_page(down_app, client.get("/no/such/page", headers=headers), 404, "en")
    assert_site_page(down_app, client.put("/proposals", headers=headers), 405, "en")
    down_app.config["WTF_CSRF_ENABLED"] = True  # as in production: forms are read first
    big = {"email": "a@example.org", "password": "x" * 300_000}
    assert_site_page(down_app, client.post("/auth/login", data=big, headers=headers), 413, "en")
    refused = client.post("/auth/login", data=FORM, headers=headers)
    assert "Please reload the page and send it again" in assert_site_page(
        down_app, refused, 400, "en"
    )


def test_when_even_the_error_page_fails_a_bare_page_in_the_persons_language(
    down_app, monkeypatch, caplog
):
    def broken_template(*args, **kwargs):
        raise RuntimeError("the template is broken")

    monkeypatch.setattr("katilim.core.errors.render_template", broken_template)
    response = down_app.test_client().get("/proposals", headers={"Accept-Language": "ar"})
    page = response.get_data(as_text=True)
    assert (response.status_code, response.headers["Retry-After"]) == (503, "30")
    assert page.startswith('<!doctype html><html lang="ar" dir="rtl">')
    assert expected_title(down_app, 503, "ar") in page
    assert "The error page failed without the database too" in caplog.text


def test_the_session_keeps_the_accounts_language_for_pages_without_the_database(app, login):
    with app.app_context():
        user = make_user(email="dil@example.org")
        user.locale = "ku"
        db.session.commit()
        user_id = user.id
    client = login(user_id)
    assert '<html lang="ku"' in client.get("/me").get_data(as_text=True)
    with client.session_transaction() as session:
        assert session["locale"] == "ku"


def traffic_lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(record))
        for record in caplog.records
        if record.name == "katilim.traffic"
    ]


def test_refused_requests_leave_a_traffic_record_in_the_log(down_app, caplog):
    client = signed_in(down_app.test_client(), user_id=42)
    with caplog.at_level(logging.INFO):
        client.post(
            "/auth/reset/very-secret-token?next=/x",
            data=FORM,
            environ_base={"REMOTE_ADDR": "198.51.100.7"},
        )
        client.post("/no/such/form", environ_base={"REMOTE_ADDR": "198.51.100.7"})
        client.get("/proposals")  # page views are in the web server's access log
    lines = traffic_lines(caplog)
    assert [
        {key: line.get(key) for key in ("method", "path", "status", "address", "user_id")}
        for line in lines
    ] == [
        {
            "method": "POST",
            "path": "/auth/reset/[token]",
            "status": 503,
            "address": "198.51.100.7",
            "user_id": 42,  # from the signed session cookie: the database is not asked
        },
        {
            "method": "POST",
            "path": "/no/such/form",
            "status": 404,
            "address": "198.51.100.7",
            "user_id": 42,
        },
    ]
    assert all(line["stored"] is False and line["recorded_at"] for line in lines)
    assert "very-secret" not in caplog.text


# --- PostgreSQL itself going away under a running application ------------------------------


def _give_up(signum, frame):
    raise TimeoutError("the database stayed closed too long: reopening it")


@contextmanager
def postgresql_refusing_connections(most_seconds: int = 60):
    """The test database refuses new connections and its open ones are cut, as when the
    server restarts or fails over; reopened afterwards whatever happens, also when a request
    hangs (an alarm ends the wait, so that the finally clause runs)."""
    import psycopg

    url = make_url(TEST_DATABASE_URL)
    admin = psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname="postgres",
        autocommit=True,
    )
    previous = signal.signal(signal.SIGALRM, _give_up)
    signal.alarm(most_seconds)
    try:
        admin.execute(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [url.database],
        )
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        admin.execute(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS true')
        admin.close()


@pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL itself is stopped here")
def test_postgresql_going_away_under_a_signed_in_reader(app, council, login, caplog):
    with app.app_context():
        reader = make_user("Leyla", email="leyla@example.org")
        reader.locale = "ar"
        proposal = make_proposal()
        db.session.commit()
        reader_id, proposal_id = reader.id, proposal.id
    client = login(reader_id)
    # A normal page first: the pool holds live connections, and the session learns the
    # account's language so that it is known without the database.
    assert client.get(f"/proposals/{proposal_id}").status_code == 200

    with postgresql_refusing_connections(), caplog.at_level(logging.INFO):
        for path in ("/", "/proposals", f"/proposals/{proposal_id}", "/me"):
            assert_outage_page(app, client.get(path), "ar")
        assert_outage_page(app, client.post(f"/proposals/{proposal_id}/vote", data=FORM), "ar")
        api = client.get("/api/v1/proposals")
        assert (api.status_code, api.headers["Retry-After"]) == (503, "30")
        health = client.get("/health")
        assert health.status_code == 503
        assert health.json["database"] == "unavailable"

    (line,) = traffic_lines(caplog)
    assert (line["path"], line["status"], line["user_id"], line["stored"]) == (
        f"/proposals/{proposal_id}/vote",
        503,
        reader_id,
        False,
    )
    # Back by itself: the pool replaces the connections that were cut.
    assert client.get(f"/proposals/{proposal_id}").status_code == 200
    assert client.get("/health").status_code == 200
