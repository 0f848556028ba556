"""Signed, expiring tokens for e-mail verification and password reset."""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from katilim.auth.models import User
from katilim.extensions import db


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"katilim-{purpose}")


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def make_verify_token(user: User) -> str:
    # Bound to the address: a token sent to an old address stops working after a change.
    return _serializer("verify").dumps({"u": user.id, "e": _fingerprint(user.email)})


def make_reset_token(user: User) -> str:
    # Bound to the password hash: once the password changes, the token is spent.
    return _serializer("reset").dumps({"u": user.id, "p": _fingerprint(user.password_hash)})


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
    user = db.session.get(User, data["u"])
    if user is None or data.get("e") != _fingerprint(user.email):
        return None
    return user


def user_from_reset_token(token: str) -> User | None:
    data = _load("reset", token, current_app.config["RESET_TOKEN_MAX_AGE"])
    if not data or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or data.get("p") != _fingerprint(user.password_hash):
        return None
    return user
