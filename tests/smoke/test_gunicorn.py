"""Smoke test of the production setup: gunicorn with the repository's gunicorn.conf.py, in
production mode, against PostgreSQL and Redis, behind a (pretended) reverse proxy.

It runs in the PostgreSQL phase of scripts/test (KATILIM_TEST_DATABASE_URL names a PostgreSQL
server): on that server it creates its own database, katilim_smoke_<pid>, runs
``flask --app katilim setup`` into it, serves it with gunicorn on a free port, drives a few
requests, stops gunicorn and drops the database. Rate limits go to Redis database 15 on
127.0.0.1:6379. Without PostgreSQL or Redis it is skipped with the reason, except in CI
(CI=true), where it fails.
"""

import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie

import pytest
from sqlalchemy.engine import make_url

from katilim.config import ROOT

pytestmark = pytest.mark.smoke

REDIS_URL = "redis://127.0.0.1:6379/15"
VISITOR = f"198.51.100.{secrets.randbelow(250) + 1}"  # TEST-NET-2: a fresh rate-limit key per run
SITE_HOST = "katilim.example.org"
# As nginx passes them: the site's Host, the visitor's address, HTTPS.
PROXY_HEADERS = {"Host": SITE_HOST, "X-Forwarded-For": VISITOR, "X-Forwarded-Proto": "https"}


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must run the gunicorn smoke test)")
    pytest.skip(reason)


def _postgres_server():
    """The PostgreSQL server of the test run, as a SQLAlchemy URL (its database aside)."""
    url = os.environ.get("KATILIM_TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip(
            "the gunicorn smoke test runs in the PostgreSQL phase: set "
            "KATILIM_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test "
            "(scripts/test does when PostgreSQL answers)"
        )
    return make_url(url)


def _admin_connection(server):
    import psycopg

    try:
        return psycopg.connect(
            host=server.host or "127.0.0.1",
            port=server.port or 5432,
            user=server.username,
            password=server.password,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        )
    except psycopg.Error as error:
        _unavailable(f"PostgreSQL is not reachable at {server.host}:{server.port}: {error}")


def _check_redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        _unavailable(f"Redis is not reachable at {REDIS_URL}: {error}")


@pytest.fixture(scope="module")
def smoke_database():
    """A database of its own on the test run's PostgreSQL server; dropped afterwards."""
    server = _postgres_server()
    _check_redis()
    name = f"katilim_smoke_{os.getpid()}"
    with _admin_connection(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with _admin_connection(server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    port: int
    log_path: object
    secret_key: str

    def request(self, method: str, path: str, headers=None, body: str | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response, response.read().decode()
        finally:
            connection.close()

    def get(self, path: str, headers=None):
        return self.request("GET", path, headers)

    def log_lines(self) -> list[dict]:
        lines = self.log_path.read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]


@pytest.fixture(scope="module")
def server(smoke_database, tmp_path_factory):
    """gunicorn -c gunicorn.conf.py wsgi:app, set up as docs/deploy.md says."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KATILIM_")}
    env.pop("DATABASE_URL", None)
    secret_key = secrets.token_urlsafe(36)  # 48 characters
    env.update(
        KATILIM_ENV="production",
        KATILIM_SITE_URL=f"https://{SITE_HOST}",
        KATILIM_SECRET_KEY=secret_key,
        KATILIM_DATABASE_URL=smoke_database,
        KATILIM_RATELIMIT_STORAGE_URI=REDIS_URL,
        KATILIM_PROXY_COUNT="1",
        KATILIM_BIND=f"127.0.0.1:{port}",
        KATILIM_WORKERS="2",
        KATILIM_MAIL_BACKEND="log",
    )
    setup = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "katilim", "setup"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    running = Server(port, log_path, secret_key)
    try:
        _wait_until_healthy(running, process)
        yield running
    finally:
        process.send_signal(signal.SIGTERM)  # graceful: finish requests, stop workers
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_healthy(server: Server, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"gunicorn exited with {process.returncode}:\n{server.log_path.read_text()}"
            )
        try:
            response, _ = server.get("/health")
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not become healthy in 60 s:\n{server.log_path.read_text()}")


def test_health_reports_database_and_redis(server):
    response, body = server.get("/health")
    assert response.status == 200
    assert json.loads(body) == {"status": "ok", "database": "ok", "redis": "ok"}


def test_home_page_behind_https_proxy_has_security_headers_and_a_secure_cookie(server):
    response, body = server.get("/", PROXY_HEADERS)
    assert response.status == 200
    assert "Kocaeli" in body
    headers = response.headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
    # The home page sets no cookie (anonymous pages are kept for every visitor); the sign-in
    # form, which prints a CSRF token, starts the session whose cookie is checked.
    login, _ = server.get("/auth/login", PROXY_HEADERS)
    cookies = login.headers.get_all("Set-Cookie") or []
    session_cookie = next(c for c in cookies if c.startswith("session="))
    attributes = {part.strip().lower() for part in session_cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax"} <= attributes


@pytest.mark.parametrize(
    ("path", "expected"), [("/proposals", "/proposals"), ("/bodies", "ulasim")]
)
def test_public_pages_answer(server, path, expected):
    response, body = server.get(path, PROXY_HEADERS)
    assert response.status == 200
    assert expected in body


def test_another_host_gets_the_400_page_but_health_answers_the_load_balancer(server):
    response, body = server.get("/proposals", {**PROXY_HEADERS, "Host": "evil.example"})
    assert response.status == 400
    assert "<html" in body and "evil.example" not in body
    response, _ = server.get("/health")  # http.client sends Host: 127.0.0.1:PORT
    assert response.status == 200


def test_unknown_page_is_a_404_page(server):
    response, body = server.get("/no-such-page", PROXY_HEADERS)
    assert response.status == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<html" in body


def test_rate_limits_are_counted_in_redis_across_workers(server):
    """Two sign-in attempts, whichever workers answer, count against one shared limit."""
    import redis

    page, body = server.get("/auth/login", PROXY_HEADERS)
    cookie = SimpleCookie(page.headers["Set-Cookie"])["session"].value
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body)[1]
    headers = {
        **PROXY_HEADERS,
        "Cookie": f"session={cookie}",
        "Content-Type": "application/x-www-form-urlencoded",
        # CSRF protection checks the referrer on HTTPS, which ProxyFix makes this request.
        "Referer": f"https://{SITE_HOST}/auth/login",
    }
    # An address of this run only: login_account counts per address typed, in the shared
    # Redis, and another run within the minute must not have used up its allowance.
    form = f"csrf_token={token}&email=nobody-{secrets.token_hex(4)}%40example.org&password=wrong"
    remaining = []
    for _ in range(2):
        response, _ = server.request("POST", "/auth/login", headers, form)
        assert response.status == 200  # the form again, with "wrong e-mail or password"
        remaining.append(int(response.headers["X-RateLimit-Remaining"]))
    # The tightest limit is reported: 5 a minute for one e-mail address (login_account),
    # counted in Redis, so the second answer knows of the first whichever worker gave it.
    assert remaining == [4, 3]
    keys = redis.Redis.from_url(REDIS_URL).keys(f"LIMITS:*{VISITOR}*")
    assert keys, "no rate-limit counter in Redis for this visitor"


def test_logs_are_json_with_the_visitors_address_from_the_proxy(server):
    # A page the page cache never keeps: the application itself answers and logs it.
    response, _ = server.get("/privacy", {**PROXY_HEADERS, "X-Request-ID": "smoke-proposals"})
    assert response.headers["X-Request-ID"] == "smoke-proposals"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        access = [
            line
            for line in server.log_lines()
            if line["logger"] == "gunicorn.access" and line.get("request_id") == "smoke-proposals"
        ]
        if access:
            break
        time.sleep(0.1)
    assert access, server.log_path.read_text()
    assert {key: access[0][key] for key in ("method", "path", "status", "remote_addr")} == {
        "method": "GET",
        "path": "/privacy",
        "status": 200,
        "remote_addr": VISITOR,  # ProxyFix took it from X-Forwarded-For
    }
    assert any(line["logger"] == "gunicorn.error" for line in server.log_lines())


def _session_cookie(secret_key: str, **values) -> str:
    """A session cookie signed as the site signs it (what a signed-in browser sends)."""
    from flask import Flask

    signer = Flask("smoke-cookie")
    signer.secret_key = secret_key
    return signer.session_interface.get_signing_serializer(signer).dumps(values)


def _traffic_line(server: Server, path: str, status: int) -> dict | None:
    for line in server.log_lines():
        if line["logger"] == "katilim.traffic" and (line.get("path"), line.get("status")) == (
            path,
            status,
        ):
            return line
    return None


def test_database_outage_gets_the_sites_503_page_and_the_site_recovers(server, smoke_database):
    """Last in this module: PostgreSQL stops letting the site into its database and cuts the
    workers' connections (as a restart or a failover would), then lets it in again."""
    url = make_url(smoke_database)
    cookie = _session_cookie(
        server.secret_key, _user_id="a-session-token", account_id=1, _fresh=True, locale="ar"
    )
    signed_in = {**PROXY_HEADERS, "Cookie": f"session={cookie}"}
    form = {**signed_in, "Content-Type": "application/x-www-form-urlencoded"}
    with _admin_connection(url) as admin:
        admin.execute(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS false')
        try:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                [url.database],
            )
            english = {**PROXY_HEADERS, "Accept-Language": "en"}
            for headers, language in ((signed_in, "ar"), (english, "en")):
                response, body = server.get("/proposals", headers)
                assert response.status == 503, body
                assert response.headers["Retry-After"] == "30"
                assert response.headers["Content-Type"].startswith("text/html")
                assert f'<html lang="{language}"' in body and "Kocaeli" in body
            assert "Temporarily unavailable" in body
            response, body = server.get("/api/v1/proposals", PROXY_HEADERS)
            assert response.status == 503 and json.loads(body)["error"]
            # Refused before its view (no CSRF token), by a signed-in person: still recorded.
            response, body = server.request("POST", "/auth/login", form, "email=a%40b.org")
            assert response.status == 400 and '<html lang="ar"' in body
            started = time.monotonic()
            response, body = server.get("/health")
            assert time.monotonic() - started < 1
            assert (response.status, json.loads(body)) == (
                503,
                {"status": "error", "database": "unavailable", "redis": "ok"},
            )
        finally:
            admin.execute(f'ALTER DATABASE "{url.database}" ALLOW_CONNECTIONS true')

    deadline = time.monotonic() + 5
    while (
        line := _traffic_line(server, "/auth/login", 400)
    ) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert line, server.log_path.read_text()
    assert {key: line.get(key) for key in ("method", "status", "address", "user_id")} == {
        "method": "POST",
        "status": 400,
        "address": VISITOR,
        "user_id": 1,
    }
    assert line["stored"] is False
    # Back by itself: each worker's pool replaces the connections that were cut.
    deadline = time.monotonic() + 10
    while server.get("/health")[0].status != 200:
        assert time.monotonic() < deadline, "the site did not come back"
        time.sleep(0.2)
    assert server.get("/proposals", PROXY_HEADERS)[0].status == 200
