"""Sign-in lockout with back-off: per visitor address and per known browser, plus a higher
count per e-mail address from everywhere; the same for addresses without an account; kept in
the database; a stranger failing from elsewhere never keeps the owner out."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

import katilim.auth.lockout
from katilim.auth import services
from katilim.auth.models import LoginThrottle
from katilim.extensions import db
from tests.factories import PASSWORD, make_user

EMAIL = "ayse@example.org"
UNKNOWN = "nobody@example.org"
LOCKED = "signing in with it is paused"
NEW_PASSWORD = "a brand new long password"
OWNER_ADDRESS = "192.0.2.10"


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


def browser(app, address="203.0.113.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(app, email, password="wrong password", address="203.0.113.1", client=None):
    client = client or browser(app, address)
    response = client.post("/auth/login", data={"email": email, "password": password})
    return response, client


def signed_in(client) -> bool:
    return client.get("/me").status_code == 200


def fail(app, email, times: int, first: int = 0):
    """Failures from as many visitor addresses (a guesser spread over many)."""
    for n in range(first, first + times):
        attempt(app, email, address=f"198.51.{n // 250}.{n % 250 + 1}")


def fail_from(app, email, times: int, address="203.0.113.1"):
    for _ in range(times):
        attempt(app, email, address=address)


def lock_minutes_left(app, email, clock, address="203.0.113.1") -> float:
    with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        until = katilim.auth.lockout.locked_until(email)
        return 0 if until is None else (until - clock.now).total_seconds() / 60


def account_after(app) -> int:
    """Failures from everywhere that lock an address for browsers it does not know."""
    return app.config.get("LOGIN_LOCKOUT_ACCOUNT_AFTER", 20)


def owners_browser(app):
    """The owner's phone: it signed in once (so it is known), then signed out."""
    response, phone = attempt(app, EMAIL, PASSWORD, address=OWNER_ADDRESS)
    assert response.status_code == 302
    phone.post("/auth/logout")
    return phone


# --- one visitor address ----------------------------------------------------------------------


def test_after_five_failures_from_one_address_even_the_right_password_is_refused_there(
    app, account, clock
):
    fail_from(app, EMAIL, 4)
    response, _ = attempt(app, EMAIL)
    assert response.status_code == 429 and LOCKED in response.get_data(as_text=True)
    response, client = attempt(app, EMAIL, PASSWORD)
    assert response.status_code == 429
    assert "Try again in 1 min." in response.get_data(as_text=True)
    assert not signed_in(client)
    # From another address the owner still gets in.
    response, client = attempt(app, EMAIL, PASSWORD, address=OWNER_ADDRESS)
    assert response.status_code == 302 and signed_in(client)


def test_the_lock_ends_and_the_right_password_works_again(app, account, clock):
    fail_from(app, EMAIL, 5)
    clock.advance(seconds=61)
    response, client = attempt(app, EMAIL, PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_each_failure_after_a_lock_doubles_the_wait_up_to_the_cap(app, account, clock):
    app.config["LOGIN_LOCKOUT_MAX_MINUTES"] = 8
    try:
        fail_from(app, EMAIL, 5)
        waits = [lock_minutes_left(app, EMAIL, clock)]
        for _ in range(5):
            clock.advance(minutes=waits[-1], seconds=1)
            fail_from(app, EMAIL, 1)
            waits.append(lock_minutes_left(app, EMAIL, clock))
    finally:
        app.config["LOGIN_LOCKOUT_MAX_MINUTES"] = 60
    assert waits == [1, 2, 4, 8, 8, 8]


def test_attempts_during_a_lock_do_not_lengthen_it(app, account, clock):
    fail_from(app, EMAIL, 5)
    fail_from(app, EMAIL, 10)
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


def test_a_success_clears_the_count_of_its_address(app, account, clock):
    fail_from(app, EMAIL, 4)
    response, _ = attempt(app, EMAIL, PASSWORD)
    assert response.status_code == 302
    fail_from(app, EMAIL, 4)
    assert lock_minutes_left(app, EMAIL, clock) == 0


def test_old_failures_are_forgotten(app, account, clock):
    fail_from(app, EMAIL, 4)
    clock.advance(hours=25)
    fail_from(app, EMAIL, 1)
    assert lock_minutes_left(app, EMAIL, clock) == 0


def test_no_address_or_ip_is_stored_in_clear(app, account, clock):
    fail_from(app, UNKNOWN, 1, address="203.0.113.77")
    with app.app_context():
        digests = list(db.session.scalars(select(LoginThrottle.key_digest)))
    assert len(digests) == 2  # this visitor address, and everywhere
    for digest in digests:
        assert "@" not in digest and "203.0.113" not in digest and len(digest) == 64


# --- many visitor addresses -------------------------------------------------------------------


def test_guessing_from_many_addresses_locks_the_address_for_unknown_browsers(app, account, clock):
    after = account_after(app)
    fail(app, EMAIL, after)
    response, client = attempt(app, EMAIL, PASSWORD, address="192.0.2.99")
    assert response.status_code == 429 and LOCKED in response.get_data(as_text=True)
    assert not signed_in(client)


def test_guessing_from_many_addresses_is_slowed_to_a_trickle(app, account, clock, monkeypatch):
    """A hundred guesses from a hundred addresses within ten minutes: after the address's
    allowance, the passwords are not even checked."""
    checks = []
    original = katilim.auth.models.check_password_hash
    monkeypatch.setattr(
        katilim.auth.models,
        "check_password_hash",
        lambda *args: checks.append(1) or original(*args),
    )
    for n in range(100):
        attempt(app, EMAIL, address=f"198.51.100.{n + 1}")
        clock.advance(seconds=6)
    assert len(checks) <= account_after(app) + 3


def test_a_password_reset_lifts_the_lock_on_the_address(app, account, clock):
    fail(app, EMAIL, account_after(app))
    with app.app_context():
        services.reset_password(services.find_user_by_email(EMAIL), NEW_PASSWORD)
        db.session.commit()
    response, client = attempt(app, EMAIL, NEW_PASSWORD, address="192.0.2.99")
    assert response.status_code == 302 and signed_in(client)


# --- the owner is never kept out ------------------------------------------------------------


def test_a_stranger_failing_continuously_never_keeps_the_owner_out_of_their_browser(
    app, account, clock, rate_limits
):
    phone = owners_browser(app)
    # A day of a stranger trying, from one address and from many, with the rate limits on.
    for hour in range(24):
        fail_from(app, EMAIL, 3, address="203.0.113.66")
        fail(app, EMAIL, 3, first=hour * 3)
        clock.advance(hours=1)
    _, probe = attempt(app, EMAIL, PASSWORD, address="192.0.2.99")
    assert not signed_in(probe)  # an unknown browser is locked out by now…
    response, _ = attempt(app, EMAIL, PASSWORD, client=phone)  # …the owner's phone is not
    assert response.status_code == 302 and signed_in(phone)


def test_the_owner_gets_in_from_a_new_browser_after_a_password_reset(app, account, clock, outbox):
    from tests.auth.test_routes import link_in

    fail(app, EMAIL, account_after(app) + 5)
    laptop = browser(app, OWNER_ADDRESS)  # new: it never signed in
    response, _ = attempt(app, EMAIL, PASSWORD, client=laptop)
    assert response.status_code == 429
    laptop.post("/auth/reset", data={"email": EMAIL})
    link = link_in(outbox[-1], "/auth/reset/")
    response = laptop.post(link, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 302 and signed_in(laptop)
    laptop.post("/auth/logout")
    # The stranger goes on, and locks unknown browsers out again…
    fail(app, EMAIL, account_after(app) + 5, first=100)
    response, _ = attempt(app, EMAIL, NEW_PASSWORD, address="192.0.2.99")
    assert response.status_code == 429
    # …but the browser the owner reset from is known now.
    response, _ = attempt(app, EMAIL, NEW_PASSWORD, client=laptop)
    assert response.status_code == 302 and signed_in(laptop)


def test_a_known_browser_is_still_slowed_by_its_own_failures(app, account, clock):
    phone = owners_browser(app)
    for _ in range(5):
        attempt(app, EMAIL, client=phone)
    response, _ = attempt(app, EMAIL, PASSWORD, client=phone)
    assert response.status_code == 429
    clock.advance(minutes=1, seconds=1)
    response, _ = attempt(app, EMAIL, PASSWORD, client=phone)
    assert response.status_code == 302


def test_a_known_browser_of_one_address_is_a_stranger_for_another(app, account, clock):
    with app.app_context():
        make_user(email="mehmet@example.org")
        db.session.commit()
    phone = owners_browser(app)
    fail(app, "mehmet@example.org", account_after(app))
    response, _ = attempt(app, "mehmet@example.org", PASSWORD, client=phone)
    assert response.status_code == 429


def test_a_forged_or_copied_device_cookie_from_elsewhere_counts_for_nothing(app, account, clock):
    fail(app, EMAIL, account_after(app))
    for value in ("garbage", "W1siYWJjIiwiZGVmIl1d.forged.signature"):
        client = browser(app, "192.0.2.99")
        client.set_cookie("katilim_device", value, path="/auth/")
        response, _ = attempt(app, EMAIL, PASSWORD, client=client)
        assert response.status_code == 429, value


def test_the_device_cookie_is_for_the_sign_in_pages_only_and_unreadable_by_scripts(app, account):
    client = browser(app, OWNER_ADDRESS)
    response = client.post("/auth/login", data={"email": EMAIL, "password": PASSWORD})
    header = next(h for h in response.headers.getlist("Set-Cookie") if "katilim_device=" in h)
    flags = {part.strip().lower() for part in header.split(";")[1:]}
    assert {"httponly", "path=/auth/", "samesite=lax"} <= flags
    assert EMAIL not in header and "ayse" not in header


def test_the_owners_browser_is_not_refused_by_the_per_address_rate_limit(
    app, account, rate_limits, monkeypatch
):
    """A stranger using up the address's allowance ("5 per minute" from anywhere) must not
    turn its owner away."""
    phone = owners_browser(app)
    monkeypatch.setitem(app.config, "RATE_LIMITS", {**rate_limits, "login_account": "2 per hour"})
    for n in range(3):
        attempt(app, EMAIL, address=f"203.0.113.{n + 1}")
    response, _ = attempt(app, EMAIL, address="203.0.113.9")
    assert response.status_code == 429  # strangers are limited
    response, _ = attempt(app, EMAIL, PASSWORD, client=phone)
    assert response.status_code == 302 and signed_in(phone)


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


def test_counts_are_shared_through_the_database(app, account, clock):
    fail_from(app, EMAIL, 2)
    with app.app_context():
        total = db.session.scalar(select(func.sum(LoginThrottle.failures)))
    assert total == 4  # two for the visitor address, two for the address from everywhere
