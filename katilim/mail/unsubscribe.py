"""Unsubscribe links: a signed account number that works without signing in, never expiring.

It never expires on purpose: an old e-mail must still let its reader stop the e-mails. It can
only switch e-mails off, so a leaked link does no more harm than that. Every e-mail to an
account carries one, so the token lives with the mail code; the page that reads it is
``notifications.unsubscribe``.
"""

from typing import Protocol

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from katilim.core.urls import absolute_url

SALT = "katilim-unsubscribe"


class HasId(Protocol):
    id: int


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_unsubscribe_token(user: HasId) -> str:
    return _serializer().dumps(user.id)


def account_id_from_unsubscribe_token(token: str) -> int | None:
    try:
        user_id = _serializer().loads(token)
    except BadSignature:
        return None
    # A signed token is ours, but stay strict: PostgreSQL refuses ids beyond its integer range.
    if type(user_id) is not int or not 0 < user_id < 2**31:
        return None
    return user_id


def unsubscribe_url(user: HasId) -> str:
    return absolute_url("notifications.unsubscribe", token=make_unsubscribe_token(user))
