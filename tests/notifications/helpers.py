"""Small builders for notification tests (call inside an app context)."""

from sqlalchemy import select

from katilim.extensions import db
from katilim.mail.models import OutboxMessage
from katilim.notifications.models import Notification
from katilim.notifications.services import notify_event
from katilim.proposals.models import EventKind, ProposalEvent
from tests.factories import make_user


def make_reader(name: str = "Okur", *, frequency: str = "never", **kw):
    user = make_user(name, **kw)
    user.email_frequency = frequency
    db.session.flush()
    return user


def add_event(proposal, kind: EventKind, actor=None, **values) -> ProposalEvent:
    """A timeline event, with its notifications, as the moderation services write them."""
    event = ProposalEvent(
        proposal=proposal, actor_id=actor.id if actor else None, kind=kind, **values
    )
    db.session.add(event)
    notify_event(event)
    return event


def notifications_of(user) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def queued(recipient: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if recipient is not None:
        query = query.where(OutboxMessage.recipient == recipient)
    return list(db.session.scalars(query))
