"""Signed, expiring tokens for e-mail verification and password reset."""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from katilim.auth.models import User
from katilim.core.tenancy import current_council_id
from katilim.extensions import db


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"katilim-{purpose}")


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def make_verify_token(user: User) -> str:
    # Bound to the address: a token sent to an old address stops working after a change.
    return _serializer("verify").dumps({"u": user.id, "e": _fingerprint(user.email)})


def make_reset_token(user: User) -> str:
    # Bound to the password hash: once the password changes, the token is spent. Bound to the
    # address too: a link sent to the old address stops working once the owner changes it
    # (whoever still reads the old mailbox must not be able to take the account).
    return _serializer("reset").dumps(
        {"u": user.id, "p": _fingerprint(user.password_hash), "e": _fingerprint(user.email)}
    )


def make_email_change_token(user: User, new_email: str) -> str:
    # Bound to the current address: once the address changes (by this link or another), the
    # link is spent.
    return _serializer("email-change").dumps(
        {"u": user.id, "e": _fingerprint(user.email), "n": new_email}
    )


def _load(purpose: str, token: str, max_age: int) -> dict | None:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:  # also covers SignatureExpired
        return None
    return data if isinstance(data, dict) else None


def user_from_verify_token(token: str) -> User | None:
    data = _load("verify", token, current_app.config["VERIFY_TOKEN_MAX_AGE"])
    if not data or not isinstance(data.get("u"), int):
        return None
    user = _account(data["u"])
    if user is None or data.get("e") != _fingerprint(user.email):
        return None
    return user


def user_from_reset_token(token: str) -> User | None:
    data = _load("reset", token, current_app.config["RESET_TOKEN_MAX_AGE"])
    if not data or not isinstance(data.get("u"), int):
        return None
    user = _account(data["u"])
    if (
        user is None
        or data.get("p") != _fingerprint(user.password_hash)
        or data.get("e") != _fingerprint(user.email)
    ):
        return None
    return user


def email_change_from_token(token: str) -> tuple[User, str] | None:
    """The account and its new address, while the link is fresh and the address unchanged."""
    data = _load("email-change", token, current_app.config["EMAIL_CHANGE_TOKEN_MAX_AGE"])
    if not data or not isinstance(data.get("u"), int) or not isinstance(data.get("n"), str):
        return None
    user = _account(data["u"])
    if user is None or not user.is_active or data.get("e") != _fingerprint(user.email):
        return None
    return user, data["n"]


def _account(user_id: int) -> User | None:
    """The account a link names, if it belongs to the council whose address the link was
    opened at: one council's link opens nothing on another's."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.council_id == current_council_id() else None
