"""Who reads a page kept as a shell (katilim/core/pagecache.py): one query per request finds
the live session's account and the few things its page shows of that person.

It sits above the domains (it reads accounts, sessions, roles, notifications, votes and
follows) and below nothing: the page cache, in core, is given it by ``create_app``.

A reader's *roles* say who else sees the same page: a plain resident ("resident": verified,
no site role, no role in a body) sees what every other plain resident sees; a moderator
("moderator:<body ids>": verified, no site role, a role in those bodies) sees what the other
moderators of the same bodies see. Facilitators, admins and unverified accounts have none:
the application serves them as before.
"""

import threading
from collections.abc import Iterable
from typing import Any

from flask import Flask
from sqlalchemy import String, bindparam, cast, exists, func, select

from katilim.auth.models import SiteRole, User, UserSession
from katilim.auth.sessions import token_digest
from katilim.core.models import utcnow
from katilim.core.pagecache import Reader, ReaderLookup
from katilim.extensions import db
from katilim.notifications.models import Follow, Notification
from katilim.organization.models import Membership
from katilim.voting.models import Vote


def roles_of(verified: bool, site_role: str, body_ids: Iterable[int]) -> str | None:
    """The one rule, for an account read by the ORM (``reader_roles``) or by the query."""
    if not verified or site_role != SiteRole.RESIDENT:
        return None
    bodies = sorted(set(body_ids))
    return f"moderator:{','.join(map(str, bodies))}" if bodies else "resident"


def reader_roles(user) -> str | None:
    return roles_of(user.is_verified, user.site_role, (m.body_id for m in user.memberships))


_BODY_IDS = (
    select(func.aggregate_strings(cast(Membership.body_id, String), ","))
    .where(Membership.user_id == User.id)
    .scalar_subquery()
)


def _reader_query(with_proposal: bool):
    """Built once: the token's digest, the time, the council and the proposal are parameters.
    The same conditions as katilim/auth/sessions.py ``load``: a live session of an active
    account of this council."""
    unread = (
        select(func.count())
        .where(Notification.user_id == User.id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    columns = [
        User.id,
        User.locale,
        User.email_verified_at,
        User.site_role,
        _BODY_IDS.label("body_ids"),
        unread.label("unread"),
    ]
    if with_proposal:
        proposal_id: Any = bindparam("proposal_id")
        my_vote = (
            select(Vote.value)
            .where(Vote.user_id == User.id, Vote.proposal_id == proposal_id)
            .limit(1)
            .scalar_subquery()
        )
        following = exists().where(Follow.user_id == User.id, Follow.proposal_id == proposal_id)
        columns += [my_vote.label("my_vote"), following.label("following")]
    return (
        select(*columns)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_digest == bindparam("digest"),
            UserSession.expires_at > bindparam("now", type_=UserSession.expires_at.type),
            User.is_active_account.is_(True),
            User.council_id == bindparam("council_id"),
        )
    )


class Readers(ReaderLookup):
    """One connection per worker thread, kept open in autocommit: a reader costs the one
    round trip of its query (no pool check-out, ping, BEGIN or ROLLBACK)."""

    QUERIES = {True: _reader_query(True), False: _reader_query(False)}

    def __init__(self, app: Flask):
        self.app = app
        self._engine = None
        self._local = threading.local()

    def roles(self, user) -> str | None:
        return reader_roles(user)

    def find(self, token: str, council_id: int, proposal_id: int | None) -> Reader | None:
        if not token or len(token) > 100:
            return None
        params = {"digest": token_digest(token), "now": utcnow(), "council_id": council_id}
        if proposal_id is not None:
            params["proposal_id"] = proposal_id
        query = self.QUERIES[proposal_id is not None]
        connection = self._connection()
        try:
            row = connection.execute(query, params).first()
        except Exception:
            self._local.connection = None  # a broken connection is not kept
            connection.invalidate()
            raise
        if row is None:
            return None
        choices = {}
        if proposal_id is not None:
            choices = {"vote": str(row.my_vote or 0), "follow": "yes" if row.following else "no"}
        body_ids = [int(part) for part in (row.body_ids or "").split(",") if part]
        return Reader(
            user_id=row.id,
            locale=row.locale,
            roles=roles_of(row.email_verified_at is not None, row.site_role, body_ids),
            values={"unread": str(row.unread)},
            choices=choices,
        )

    def _connection(self):
        connection = getattr(self._local, "connection", None)
        if connection is None or connection.closed or connection.invalidated:
            if self._engine is None:
                with self.app.app_context():
                    self._engine = db.engine
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._local.connection = connection
        return connection
