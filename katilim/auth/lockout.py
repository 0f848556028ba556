"""Sign-in lockout with back-off, per e-mail address and from any visitor address.

After LOGIN_LOCKOUT_AFTER failed sign-ins for one address, signing in with it is refused
for LOGIN_LOCKOUT_BASE_MINUTES, then twice as long after each further failure (1, 2, 4 …
minutes), at most LOGIN_LOCKOUT_MAX_MINUTES. While locked, the password is not even checked,
so guessing cannot go on. A success (or a password reset) clears the count; failures
older than LOGIN_FAILURES_FORGOTTEN_AFTER_HOURS are forgotten.

The count is kept in the database (one row per address typed), so several app processes
share it, and it is kept for unknown addresses too: the answer never tells whether an
account exists.
"""

import hashlib
import hmac
import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, exc, select

from katilim.auth.models import LoginThrottle
from katilim.core.models import utcnow
from katilim.extensions import db


def _digest(email: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _row(email: str, *, for_update: bool = False) -> LoginThrottle | None:
    query = select(LoginThrottle).where(LoginThrottle.email_digest == _digest(email))
    if for_update:
        query = query.with_for_update()
    return db.session.scalar(query)


def locked_until(email: str) -> datetime | None:
    """When signing in with this address is allowed again, or None if it is now."""
    row = _row(email)
    if row is None or row.locked_until is None or row.locked_until <= utcnow():
        return None
    return row.locked_until


def minutes_left(until: datetime) -> int:
    return max(1, math.ceil((until - utcnow()).total_seconds() / 60))


def lock_minutes(failures: int) -> int:
    """How long the lock after this many failures lasts (0: no lock yet)."""
    config = current_app.config
    over = failures - config["LOGIN_LOCKOUT_AFTER"]
    if over < 0:
        return 0
    return min(
        config["LOGIN_LOCKOUT_BASE_MINUTES"] * 2 ** min(over, 30),
        config["LOGIN_LOCKOUT_MAX_MINUTES"],
    )


def record_failure(email: str) -> datetime | None:
    """Count a failed sign-in; return the end of the lock it starts, if it starts one."""
    now = utcnow()
    row = _row(email, for_update=True)  # concurrent failures are counted one after another
    if row is None:
        try:
            with db.session.begin_nested():
                row = LoginThrottle(email_digest=_digest(email), failures=0, last_failure_at=now)
                db.session.add(row)
        except exc.IntegrityError:  # another process inserted it meanwhile
            row = _row(email, for_update=True)
    forget_before = now - timedelta(
        hours=current_app.config["LOGIN_FAILURES_FORGOTTEN_AFTER_HOURS"]
    )
    if row.failures and row.last_failure_at < forget_before:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    minutes = lock_minutes(row.failures)
    row.locked_until = now + timedelta(minutes=minutes) if minutes else None
    if minutes:  # for the operators: a run of locks is a guessing attack under way
        current_app.logger.warning(
            "Sign-in paused for %d min after %d failures (address key %s…)",
            minutes,
            row.failures,
            row.email_digest[:8],
        )
    db.session.flush()
    return row.locked_until


def clear(email: str) -> None:
    db.session.execute(
        delete(LoginThrottle).where(LoginThrottle.email_digest == _digest(email)),
        execution_options={"synchronize_session": False},
    )
