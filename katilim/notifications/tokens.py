"""The account behind an unsubscribe link (the link itself is made in katilim/mail/unsubscribe.py)."""

from katilim.auth.models import User
from katilim.extensions import db
from katilim.mail.unsubscribe import account_id_from_unsubscribe_token


def user_from_unsubscribe_token(token: str) -> User | None:
    user_id = account_id_from_unsubscribe_token(token)
    return None if user_id is None else db.session.get(User, user_id)
