"""The account behind an unsubscribe link (the link itself is made in katilim/mail/unsubscribe.py)."""

from katilim.auth.models import User
from katilim.core.tenancy import current_council_id
from katilim.extensions import db
from katilim.mail.unsubscribe import account_id_from_unsubscribe_token


def user_from_unsubscribe_token(token: str) -> User | None:
    user_id = account_id_from_unsubscribe_token(token)
    user = None if user_id is None else db.session.get(User, user_id)
    # Opened at another council's address, the link names no account there.
    return user if user is not None and user.council_id == current_council_id() else None
