"""Unsubscribe links: a signed user id that works without signing in and never expires.

It never expires on purpose: an old e-mail must still let its reader stop the e-mails. It can
only switch e-mails off, so a leaked link does no more harm than that.
"""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from katilim.auth.models import User
from katilim.core.urls import absolute_url
from katilim.extensions import db

SALT = "katilim-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_unsubscribe_token(user: User) -> str:
    return _serializer().dumps(user.id)


def user_from_unsubscribe_token(token: str) -> User | None:
    try:
        user_id = _serializer().loads(token)
    except BadSignature:
        return None
    # A signed token is ours, but stay strict: PostgreSQL refuses ids beyond its integer range.
    if type(user_id) is not int or not 0 < user_id < 2**31:
        return None
    return db.session.get(User, user_id)


def unsubscribe_url(user: User) -> str:
    return absolute_url("notifications.unsubscribe", token=make_unsubscribe_token(user))
