"""Following proposals and bodies, and telling followers what happened."""

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from katilim.extensions import db
from katilim.notifications.models import Follow, Notification
from katilim.proposals.models import Proposal, ProposalEvent


def _insert_ignoring_duplicates(values: dict) -> None:
    """Insert a Follow unless the same one exists (the unique constraints decide)."""
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    db.session.execute(insert(Follow).values(**values).on_conflict_do_nothing())


def follow_proposal(user, proposal: Proposal) -> None:
    _insert_ignoring_duplicates({"user_id": user.id, "proposal_id": proposal.id})


def unfollow_proposal(user, proposal: Proposal) -> None:
    db.session.execute(
        Follow.__table__.delete().where(
            Follow.user_id == user.id, Follow.proposal_id == proposal.id
        )
    )


def follow_body(user, body) -> None:
    _insert_ignoring_duplicates({"user_id": user.id, "body_id": body.id})


def unfollow_body(user, body) -> None:
    db.session.execute(
        Follow.__table__.delete().where(Follow.user_id == user.id, Follow.body_id == body.id)
    )


def is_following(user, *, proposal: Proposal | None = None, body=None) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    query = select(Follow.id).where(Follow.user_id == user.id)
    if proposal is not None:
        query = query.where(Follow.proposal_id == proposal.id)
    else:
        query = query.where(Follow.body_id == body.id)
    return db.session.scalar(query.limit(1)) is not None


def follower_ids(proposal: Proposal) -> set[int]:
    """The author, the proposal's followers and the followers of its body."""
    conditions = [Follow.proposal_id == proposal.id]
    if proposal.body_id is not None:
        conditions.append(Follow.body_id == proposal.body_id)
    ids = set(db.session.scalars(select(Follow.user_id).where(db.or_(*conditions))))
    if proposal.author_id is not None:
        ids.add(proposal.author_id)
    return ids


def notify_users(
    user_ids, proposal: Proposal, kind: str, *, event: ProposalEvent | None = None
) -> list[Notification]:
    """Create one in-app notification per user, in the caller's transaction."""
    notifications = [
        Notification(
            user_id=user_id,
            proposal_id=proposal.id,
            event_id=event.id if event is not None else None,
            kind=kind,
        )
        for user_id in sorted(set(user_ids))
    ]
    db.session.add_all(notifications)
    db.session.flush()
    return notifications


def notify_event(event: ProposalEvent) -> list[Notification]:
    """Tell the author and followers about a timeline event (not the person who caused it)."""
    db.session.flush()  # the event needs its id
    recipients = follower_ids(event.proposal) - {event.actor_id}
    return notify_users(recipients, event.proposal, event.kind.value, event=event)
