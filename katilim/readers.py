"""Who reads a page kept as a shell (katilim/core/pagecache.py): one query per request finds
the live session's account and the few things its page shows of that person.

It sits above the domains (it reads accounts, sessions, roles, notifications, votes and
follows) and below nothing: the page cache, in core, is given it by ``create_app``.

A *plain* resident sees what every other plain resident sees: verified, no site role (a
facilitator or an admin has more links), no role in a body (a moderator sees moderation
links and hidden content). Everyone else is served by the application as before.
"""

from flask import Flask
from sqlalchemy import and_, exists, func, select

from katilim.auth.models import SiteRole, User, UserSession
from katilim.auth.sessions import token_digest
from katilim.core.models import utcnow
from katilim.core.pagecache import Reader, ReaderLookup
from katilim.extensions import db
from katilim.notifications.models import Follow, Notification
from katilim.organization.models import Membership
from katilim.voting.models import Vote


def is_plain_resident(user) -> bool:
    """The rule in Python; ``_PLAIN`` below is the same rule in SQL."""
    return bool(
        user.is_authenticated
        and user.is_verified
        and user.site_role == SiteRole.RESIDENT
        and not user.memberships
    )


_PLAIN = and_(
    User.email_verified_at.is_not(None),
    User.site_role == SiteRole.RESIDENT,
    ~exists().where(Membership.user_id == User.id),
)


class Readers(ReaderLookup):
    def __init__(self, app: Flask):
        self.app = app
        self._engine = None

    def is_plain(self, user) -> bool:
        return is_plain_resident(user)

    def find(self, token: str, council_id: int, proposal_id: int | None) -> Reader | None:
        if not token or len(token) > 100:
            return None
        unread = (
            select(func.count())
            .where(Notification.user_id == User.id, Notification.read_at.is_(None))
            .scalar_subquery()
        )
        columns = [User.id, User.locale, _PLAIN.label("plain"), unread.label("unread")]
        if proposal_id is not None:
            my_vote = (
                select(Vote.value)
                .where(Vote.user_id == User.id, Vote.proposal_id == proposal_id)
                .limit(1)
                .scalar_subquery()
            )
            following = exists().where(Follow.user_id == User.id, Follow.proposal_id == proposal_id)
            columns += [my_vote.label("my_vote"), following.label("following")]
        # The same conditions as katilim/auth/sessions.py ``load``: a live session of an
        # active account of this council.
        query = (
            select(*columns)
            .join(UserSession, UserSession.user_id == User.id)
            .where(
                UserSession.token_digest == token_digest(token),
                UserSession.expires_at > utcnow(),
                User.is_active_account.is_(True),
                User.council_id == council_id,
            )
        )
        with self.engine().connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        choices = {}
        if proposal_id is not None:
            choices = {"vote": str(row.my_vote or 0), "follow": "yes" if row.following else "no"}
        return Reader(
            user_id=row.id,
            locale=row.locale,
            plain=bool(row.plain),
            values={"unread": str(row.unread)},
            choices=choices,
        )

    def engine(self):
        if self._engine is None:
            with self.app.app_context():
                self._engine = db.engine
        return self._engine
