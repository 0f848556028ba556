"""Sign-in sessions that the server can end.

Flask's session is a signed cookie: on its own the server cannot take it back, so a copy
(a shared computer, a synced profile, malware) would stay signed in after "sign out", and a
remember-me cookie would outlive a password reset for a year. Each sign-in therefore gets a
row in ``user_sessions`` and a random token; Flask-Login keeps the token (``User.get_id``) in
the session and in the remember-me cookie, and the user loader accepts a cookie only while its
row exists, has not expired, and the account is active. The rows live in the database, so every
process and machine agrees at once.

- signing out deletes this browser's row: a copied cookie opens nothing, other devices stay;
- a password reset, "sign out on every device", deactivation and deletion delete every row.

Only the SHA-256 of a token is stored: a copy of the table or a backup signs no one in. The
rows hold no address or browser name (nothing to protect under KVKK beyond the times); the
retention command removes expired ones.
"""

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from flask import current_app, has_request_context, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import Integer, Select, String, bindparam, delete, select

from katilim.auth import lockout
from katilim.auth.models import User, UserSession
from katilim.core.models import TZDateTime, utcnow
from katilim.core.outage import ACCOUNT_ID_KEY
from katilim.core.tenancy import current_council_id
from katilim.extensions import db


def token_digest(token: str) -> str:
    """What ``user_sessions`` keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _lifetime(remember: bool) -> timedelta:
    # As long as the cookie that carries the token is accepted: Flask signs a browser session
    # for PERMANENT_SESSION_LIFETIME, Flask-Login keeps remember-me REMEMBER_COOKIE_DURATION.
    if remember:
        duration = current_app.config.get("REMEMBER_COOKIE_DURATION", timedelta(days=365))
        return duration if isinstance(duration, timedelta) else timedelta(seconds=duration)
    return current_app.permanent_session_lifetime


def start(user: User, *, remember: bool = False) -> str:
    """Record a new session for ``user`` and return its token (the caller commits)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        UserSession(
            user_id=user.id,
            token_digest=token_digest(token),
            remember=remember,
            created_at=now,
            expires_at=now + _lifetime(remember),
        )
    )
    db.session.flush()
    user.session_token = token
    return token


def sign_in(user: User, *, remember: bool = False) -> None:
    """Start a session and sign this browser in with it (the caller commits). The browser
    becomes a known device of the address, which strangers' failures cannot lock out."""
    start(user, remember=remember)
    login_user(user, remember=remember)
    _name_account_in_cookie(user)
    lockout.remember_device(user.email)


@cache
def _live_session_account() -> Select:
    """Built once (every signed-in request runs it; building it cost as much as running it)."""
    return (
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_digest == bindparam("digest", type_=String()),
            UserSession.expires_at > bindparam("now", type_=TZDateTime()),
            User.is_active_account.is_(True),
            # A cookie of one council's site opens nothing on another's.
            User.council_id == bindparam("council", type_=Integer()),
        )
    )


def load(token: str) -> User | None:
    """The active account of a live session, for Flask-Login's user loader."""
    if not token or len(token) > 100:
        return None
    user = db.session.scalar(
        _live_session_account(),
        {"digest": token_digest(token), "now": utcnow(), "council": current_council_id()},
    )
    if user is not None:
        user.session_token = token
        _name_account_in_cookie(user)
    return user


def _name_account_in_cookie(user: User) -> None:
    # The signed cookie also names the account number, read only for the Law 5651 record of a
    # request refused while the database is down (katilim/core/outage.py): never to sign in.
    if has_request_context() and session.get(ACCOUNT_ID_KEY) != user.id:
        session[ACCOUNT_ID_KEY] = user.id


def forget_browser() -> None:
    """Sign this browser out without touching the database (the session rows are gone)."""
    logout_user()
    session.pop(ACCOUNT_ID_KEY, None)


def end(token: str | None) -> None:
    if token:
        _execute(delete(UserSession).where(UserSession.token_digest == token_digest(token)))


def end_all(user: User) -> int:
    """End every session of ``user``, on every device (the caller commits)."""
    return _execute(delete(UserSession).where(UserSession.user_id == user.id)).rowcount


def end_others(user: User, keep_token: str | None) -> int:
    """End every session of ``user`` except the one with ``keep_token`` (the caller commits):
    after a password change the person stays signed in here, and nowhere else."""
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_token:
        statement = statement.where(UserSession.token_digest != token_digest(keep_token))
    return _execute(statement).rowcount


def sign_out() -> None:
    """End this browser's session and forget it here (the caller commits); other devices stay
    signed in."""
    if current_user.is_authenticated:
        end(current_user.session_token)
    forget_browser()


def sign_out_everywhere(user: User) -> None:
    """End every session of ``user``, this browser's too (the caller commits)."""
    end_all(user)
    forget_browser()


def _execute(statement):
    return db.session.execute(statement, execution_options={"synchronize_session": False})
