"""Sign-in lockout with back-off that slows guessing without letting a stranger lock the owner
out (OWASP's "device cookies").

Failed sign-ins are counted per *source* and per *e-mail address typed*:

- a **known device** is a browser that signed in to this address before: it carries a signed
  ``katilim_device`` cookie naming the address (by a keyed hash) and a random id. Its attempts
  are judged only by its own count, so the owner's phone signs in whatever strangers do
  elsewhere; a password reset or an e-mail confirmation makes the browser known too;
- any **other browser** is judged by the count of its visitor address for this e-mail address
  (LOGIN_LOCKOUT_AFTER failures), and by the count of the e-mail address from everywhere
  (LOGIN_LOCKOUT_ACCOUNT_AFTER, much higher), which slows guessing spread over many addresses.

After the threshold, signing in from that source is refused for LOGIN_LOCKOUT_BASE_MINUTES,
then twice as long after each further failure (1, 2, 4 … minutes), at most
LOGIN_LOCKOUT_MAX_MINUTES. While locked, the password is not even checked, and the attempt
does not lengthen the lock. A success clears its source's count; a password reset clears the
address's count; failures older than LOGIN_FAILURES_FORGOTTEN_AFTER_HOURS are forgotten.

The counts are kept in the database (one row per key, a keyed hash), so every process shares
them, and they are kept for unknown addresses too: without a device cookie, which only a
successful sign-in gives, the answers never tell whether an account exists.
"""

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, exc, select

from katilim.auth.models import LoginThrottle
from katilim.core.models import utcnow
from katilim.core.tenancy import current_council_id
from katilim.extensions import db

DEVICE_COOKIE = "katilim_device"
DEVICE_COOKIE_PATH = "/auth/"  # sent only to the sign-in pages
DEVICES_PER_BROWSER = 5  # accounts remembered by one browser (a family's shared computer)


def _normal(email: str) -> str:
    # Accounts are per council: the same address on two councils is two accounts, locked apart.
    return f"{current_council_id()}\x00{email.strip().lower()}"


def _digest(*parts: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()


def _account_tag(email: str) -> str:
    """Names the address inside the device cookie without writing it there."""
    return _digest("device-account", _normal(email))[:16]


@dataclass(frozen=True)
class _Key:
    digest: str
    after: int  # failures before the first lock


def _account_key(email: str) -> _Key:
    return _Key(
        _digest("account", _normal(email)), current_app.config["LOGIN_LOCKOUT_ACCOUNT_AFTER"]
    )


def _source_key(email: str, device: str | None) -> _Key:
    if device is not None:
        digest = _digest("device", _normal(email), device)
    else:
        digest = _digest("address", _normal(email), request.remote_addr or "")
    return _Key(digest, current_app.config["LOGIN_LOCKOUT_AFTER"])


def _judged_by(email: str, device: str | None) -> list[_Key]:
    if device is not None:
        return [_source_key(email, device)]
    return [_source_key(email, None), _account_key(email)]


# --- the device cookie -----------------------------------------------------------------------


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="katilim-device")


def _device_max_age() -> int:
    return int(current_app.config["LOGIN_DEVICE_DAYS"]) * 24 * 3600


def _devices() -> list[list[str]]:
    value = request.cookies.get(DEVICE_COOKIE)
    if not value or len(value) > 2000:
        return []
    try:
        entries = _device_serializer().loads(value, max_age=_device_max_age())
    except BadSignature:  # also covers an expired cookie
        return []
    if not isinstance(entries, list):
        return []
    return [
        e
        for e in entries
        if isinstance(e, list) and len(e) == 2 and all(isinstance(p, str) for p in e)
    ]


def known_device(email: str) -> str | None:
    """This browser's id for ``email`` if it signed in to that address before, else None."""
    tag = _account_tag(email)
    return next((device for account, device in _devices() if account == tag), None)


def known_device_in_form() -> bool:
    """Whether the sign-in form being posted comes from a known browser of its address."""
    email = request.form.get("email") or ""
    return bool(email) and known_device(email) is not None


def remember_device(email: str) -> None:
    """Mark this browser as known for ``email`` (after a successful sign-in): the cookie is
    set on the response."""
    tag = _account_tag(email)
    entries = [e for e in _devices() if e[0] != tag]
    device = known_device(email) or secrets.token_urlsafe(12)
    entries = [[tag, device], *entries][:DEVICES_PER_BROWSER]
    value = _device_serializer().dumps(entries)

    @after_this_request
    def set_cookie(response):
        response.set_cookie(
            DEVICE_COOKIE,
            value,
            max_age=_device_max_age(),
            path=DEVICE_COOKIE_PATH,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
        return response


# --- counting ----------------------------------------------------------------------------


def _row(digest: str, *, for_update: bool = False) -> LoginThrottle | None:
    query = select(LoginThrottle).where(LoginThrottle.key_digest == digest)
    if for_update:
        query = query.with_for_update()
    return db.session.scalar(query)


def _locked(row: LoginThrottle | None, now: datetime) -> datetime | None:
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return row.locked_until


def locked_until(email: str, device: str | None = None) -> datetime | None:
    """When this browser may try to sign in with ``email`` again, or None if it may now."""
    now = utcnow()
    ends = [_locked(_row(key.digest), now) for key in _judged_by(email, device)]
    return max((end for end in ends if end is not None), default=None)


def minutes_left(until: datetime) -> int:
    return max(1, math.ceil((until - utcnow()).total_seconds() / 60))


def lock_minutes(failures: int, after: int | None = None) -> int:
    """How long the lock after this many failures lasts (0: no lock yet)."""
    config = current_app.config
    over = failures - (config["LOGIN_LOCKOUT_AFTER"] if after is None else after)
    if over < 0:
        return 0
    return min(
        config["LOGIN_LOCKOUT_BASE_MINUTES"] * 2 ** min(over, 30),
        config["LOGIN_LOCKOUT_MAX_MINUTES"],
    )


def _count_failure(key: _Key, now: datetime) -> LoginThrottle:
    row = _row(key.digest, for_update=True)  # concurrent failures are counted one by one
    if row is None:
        try:
            with db.session.begin_nested():
                row = LoginThrottle(key_digest=key.digest, failures=0, last_failure_at=now)
                db.session.add(row)
        except exc.IntegrityError:  # another process inserted it meanwhile
            row = _row(key.digest, for_update=True)
    if row is None:  # inserted by another process and forgotten again within the same instant
        raise RuntimeError("the sign-in failure count could not be read back")
    if _locked(row, now):  # a running lock is not lengthened
        return row
    forget_before = now - timedelta(
        hours=current_app.config["LOGIN_FAILURES_FORGOTTEN_AFTER_HOURS"]
    )
    if row.failures and row.last_failure_at < forget_before:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    minutes = lock_minutes(row.failures, key.after)
    row.locked_until = now + timedelta(minutes=minutes) if minutes else None
    if minutes:  # for the operators: a run of locks is a guessing attack under way
        current_app.logger.warning(
            "Sign-in paused for %d min after %d failures (key %s…)",
            minutes,
            row.failures,
            row.key_digest[:8],
        )
    return row


def record_failure(email: str, device: str | None = None) -> datetime | None:
    """Count a failed sign-in from this browser; return the end of the lock that now applies
    to it, if any. Every failure also counts for the address from everywhere."""
    now = utcnow()
    keys = {key.digest: key for key in (_source_key(email, device), _account_key(email))}
    for key in keys.values():
        _count_failure(key, now)
    db.session.flush()
    return locked_until(email, device)


def succeeded(email: str, device: str | None = None) -> None:
    """A success clears the count of its source (this device, or this visitor address). The
    address's count from everywhere stays: strangers elsewhere are still slowed."""
    _clear(_source_key(email, device).digest)


def clear(email: str) -> None:
    """The owner proved the address (a password reset): its count from everywhere is cleared."""
    _clear(_account_key(email).digest)


def _clear(digest: str) -> None:
    db.session.execute(
        delete(LoginThrottle).where(LoginThrottle.key_digest == digest),
        execution_options={"synchronize_session": False},
    )
