"""Sign-in lockout with back-off: per e-mail address, from any visitor address, the same for
addresses without an account, kept in the database, cleared by a success or a reset."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import katilim.auth.lockout
from katilim.auth import services
from katilim.auth.models import LoginThrottle
from katilim.extensions import db
from tests.factories import PASSWORD, make_user

EMAIL = "ayse@example.org"
UNKNOWN = "nobody@example.org"
LOCKED = "signing in with it is paused"


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(katilim.auth.lockout, "utcnow", clock)
    return clock


@pytest.fixture
def account(app, council):
    with app.app_context():
        make_user(email=EMAIL)
        db.session.commit()


def attempt(app, email, password="wrong password", address="203.0.113.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    response = client.post("/auth/login", data={"email": email, "password": password})
    return response, client


def signed_in(client) -> bool:
    return client.get("/me").status_code == 200


def fail(app, email, times: int):
    for n in range(times):
        attempt(app, email, address=f"203.0.113.{n % 250}")


def lock_minutes_left(app, email, clock) -> float:
    with app.app_context():
        until = katilim.auth.lockout.locked_until(email)
        return 0 if until is None else (until - clock.now).total_seconds() / 60


def test_after_five_failures_from_many_addresses_even_the_right_password_is_refused(
    app, account, clock
):
    fail(app, EMAIL, 4)
    response, _ = attempt(app, EMAIL)
    assert response.status_code == 429 and LOCKED in response.get_data(as_text=True)
    response, client = attempt(app, EMAIL, PASSWORD, address="198.51.100.7")
    assert response.status_code == 429
    assert "Try again in 1 min." in response.get_data(as_text=True)
    assert not signed_in(client)


def test_the_lock_ends_and_the_right_password_works_again(app, account, clock):
    fail(app, EMAIL, 5)
    clock.advance(seconds=61)
    response, client = attempt(app, EMAIL, PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_each_failure_after_a_lock_doubles_the_wait_up_to_the_cap(app, account, clock):
    app.config["LOGIN_LOCKOUT_MAX_MINUTES"] = 8
    try:
        fail(app, EMAIL, 5)
        waits = [lock_minutes_left(app, EMAIL, clock)]
        for _ in range(5):
            clock.advance(minutes=waits[-1], seconds=1)
            fail(app, EMAIL, 1)
            waits.append(lock_minutes_left(app, EMAIL, clock))
    finally:
        app.config["LOGIN_LOCKOUT_MAX_MINUTES"] = 60
    assert waits == [1, 2, 4, 8, 8, 8]


def test_attempts_during_a_lock_do_not_lengthen_it(app, account, clock):
    fail(app, EMAIL, 5)
    fail(app, EMAIL, 10)
    assert lock_minutes_left(app, EMAIL, clock) == 1


def test_unknown_address_gets_the_same_answers_as_an_account(app, account, clock):
    def pages(email):
        texts = []
        for _ in range(6):
            response, _ = attempt(app, email)
            page = response.get_data(as_text=True).replace(email, "EMAIL")
            texts.append((response.status_code, re.sub(r'nonce="[^"]*"', "", page)))
        return texts

    known, unknown = pages(EMAIL), pages(UNKNOWN)
    assert [code for code, _ in known] == [200, 200, 200, 200, 429, 429]
    assert known == unknown


def test_a_success_clears_the_count(app, account, clock):
    fail(app, EMAIL, 4)
    response, _ = attempt(app, EMAIL, PASSWORD)
    assert response.status_code == 302
    fail(app, EMAIL, 4)
    assert lock_minutes_left(app, EMAIL, clock) == 0
    with app.app_context():
        assert db.session.scalar(select(LoginThrottle.failures)) == 4


def test_old_failures_are_forgotten(app, account, clock):
    fail(app, EMAIL, 4)
    clock.advance(hours=25)
    fail(app, EMAIL, 1)
    assert lock_minutes_left(app, EMAIL, clock) == 0


def test_a_password_reset_lifts_the_lock(app, account, clock):
    fail(app, EMAIL, 5)
    with app.app_context():
        services.reset_password(services.find_user_by_email(EMAIL), "a brand new long password")
        db.session.commit()
    response, client = attempt(app, EMAIL, "a brand new long password")
    assert response.status_code == 302 and signed_in(client)


def test_no_address_is_stored_in_clear(app, account, clock):
    fail(app, UNKNOWN, 1)
    with app.app_context():
        digest = db.session.scalar(select(LoginThrottle.email_digest))
    assert "@" not in digest and len(digest) == 64


def test_unknown_address_costs_a_password_check_too(app, council, monkeypatch):
    """A quick refusal for unknown addresses would tell which ones have accounts."""
    checks = []
    original = katilim.auth.models.check_password_hash
    monkeypatch.setattr(
        katilim.auth.models,
        "check_password_hash",
        lambda *args: checks.append(1) or original(*args),
    )
    with app.app_context():
        assert services.authenticate(UNKNOWN, "anything at all") is None
    assert checks == [1]
