"""Following proposals and bodies, telling followers what happened, and e-mailing them.

In-app notifications are always written; e-mails follow each person's choice
(User.email_frequency): one per notification at once, a daily digest, or none. Either way
the e-mail is queued in the outbox in the caller's transaction. Nothing here commits.
"""

from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload

from katilim.auth.models import User
from katilim.core.models import INSERTS, affected_rows, utcnow
from katilim.extensions import db
from katilim.meetings.models import Meeting
from katilim.notifications import emails
from katilim.notifications.models import EmailFrequency, Follow, Notification
from katilim.organization.models import Body, Council
from katilim.organization.services import reviewer_ids
from katilim.privacy import consents
from katilim.privacy.models import ConsentPurpose
from katilim.proposals.models import Proposal, ProposalEvent

NOTIFICATIONS_PER_PAGE = 20
# A digest goes out at most this often, so running the command hourly (or twice by mistake)
# still sends each person one summary a day.
DIGEST_MIN_INTERVAL = timedelta(hours=20)


def _insert_ignoring_duplicates(values: dict) -> None:
    """Insert a Follow unless the same one exists (the unique constraints decide)."""
    dialect = db.session.get_bind().dialect.name
    insert = INSERTS[dialect]
    db.session.execute(insert(Follow).values(**values).on_conflict_do_nothing())


def follow_proposal(user, proposal: Proposal) -> None:
    if proposal.id is None:  # a proposal published in the same transaction
        db.session.flush()
    _insert_ignoring_duplicates({"user_id": user.id, "proposal_id": proposal.id})


def unfollow_proposal(user, proposal: Proposal) -> None:
    db.session.execute(
        delete(Follow)
        .where(Follow.user_id == user.id, Follow.proposal_id == proposal.id)
        .execution_options(synchronize_session=False)
    )


def follow_body(user, body) -> None:
    _insert_ignoring_duplicates({"user_id": user.id, "body_id": body.id})


def unfollow_body(user, body) -> None:
    db.session.execute(
        delete(Follow)
        .where(Follow.user_id == user.id, Follow.body_id == body.id)
        .execution_options(synchronize_session=False)
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
    _email_immediately(notifications)
    return notifications


def notify_meeting(user_ids, meeting, kind: str) -> list[Notification]:
    """Tell people about a meeting (scheduled, moved, cancelled, a reminder): one in-app
    notification each, and the e-mail for those who want them at once."""
    notifications = [
        Notification(user_id=user_id, meeting_id=meeting.id, kind=kind)
        for user_id in sorted(set(user_ids))
    ]
    db.session.add_all(notifications)
    db.session.flush()
    _email_immediately(notifications)
    return notifications


def notify_about_body(user_ids, body: Body, kind: str) -> list[Notification]:
    """Tell people about something in a body that is not about one proposal (a volunteer's
    application, the decision on it), in the caller's transaction."""
    notifications = [
        Notification(user_id=user_id, body_id=body.id, body=body, kind=kind)
        for user_id in sorted(set(user_ids))
    ]
    db.session.add_all(notifications)
    db.session.flush()
    _email_immediately(notifications)
    return notifications


def notify_event(event: ProposalEvent) -> list[Notification]:
    """Tell the author and followers about a timeline event (not the person who caused it)."""
    db.session.flush()  # the event needs its id
    recipients = follower_ids(event.proposal) - {event.actor_id}
    return notify_users(recipients, event.proposal, event.kind.value, event=event)


def notify_reviewers(
    proposal: Proposal,
    kind: str,
    *,
    event: ProposalEvent | None = None,
    skip: set[int] | frozenset[int] = frozenset(),
) -> list[Notification]:
    """Tell the people who review the proposal's body (its moderators and chairs; the admins
    while it has none) that something needs them: a new proposal, a report, the threshold, a
    deadline near (docs/rules.md#staffing). ``skip``: people already told, and the actor."""
    return notify_users(reviewer_ids(proposal.body) - set(skip), proposal, kind, event=event)


def toggle_proposal_follow(user, proposal: Proposal) -> bool:
    """Follow the proposal, or stop following it; returns whether the user now follows it."""
    if is_following(user, proposal=proposal):
        unfollow_proposal(user, proposal)
        return False
    follow_proposal(user, proposal)
    return True


def toggle_body_follow(user, body) -> bool:
    """Follow the body (its new proposals and their news), or stop; returns the new state."""
    if is_following(user, body=body):
        unfollow_body(user, body)
        return False
    follow_body(user, body)
    return True


# --- e-mail -------------------------------------------------------------------------------


def _can_receive_email(user: User) -> bool:
    # An unconfirmed address may belong to someone else: only the verification goes there.
    return user.is_active_account and user.email_verified_at is not None


def _email_immediately(notifications: list[Notification]) -> None:
    """Queue one e-mail per notification for the recipients who asked for e-mails at once."""
    if not notifications:
        return
    users = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(
                User.id.in_({n.user_id for n in notifications}),
                User.email_frequency == EmailFrequency.IMMEDIATE.value,
            )
        )
        if _can_receive_email(u)
    }
    if not users:
        return
    bodies = emails.bodies_named_in(notifications)
    now = utcnow()
    for notification in notifications:
        user = users.get(notification.user_id)
        if user is not None:
            emails.queue_notification_email(user, notification, bodies)
            notification.emailed_at = now
    db.session.flush()


def send_digests(council: Council, now: datetime | None = None) -> int:
    """Queue one summary e-mail per person of ``council`` who chose a daily digest and has news.

    Each digest lists every notification of that person not e-mailed yet, which are then
    marked as e-mailed. Returns the number of digests queued; the caller commits.
    """
    now = now or utcnow()
    due_users = (
        select(User.id)
        .where(
            User.council_id == council.id,
            User.email_frequency == EmailFrequency.DAILY.value,
            User.is_active_account.is_(True),
            User.email_verified_at.is_not(None),
            (User.last_digest_at.is_(None)) | (User.last_digest_at <= now - DIGEST_MIN_INTERVAL),
        )
        .scalar_subquery()
    )
    pending = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.emailed_at.is_(None), Notification.user_id.in_(due_users))
            .options(
                joinedload(Notification.proposal).joinedload(Proposal.body),
                joinedload(Notification.event),
                joinedload(Notification.meeting).joinedload(Meeting.body),
                joinedload(Notification.body),
            )
            .order_by(Notification.user_id, Notification.id)
        )
    )
    if not pending:
        return 0
    users = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_({n.user_id for n in pending})))
    }
    bodies = emails.bodies_named_in(pending)
    count = 0
    for user_id, group in groupby(pending, key=lambda n: n.user_id):
        notifications = list(group)
        user = users[user_id]
        emails.queue_digest_email(user, notifications, bodies)
        for notification in notifications:
            notification.emailed_at = now
        user.last_digest_at = now
        count += 1
    db.session.flush()
    return count


def set_email_frequency(user: User, frequency: EmailFrequency | str) -> None:
    """Choose how often e-mails come. E-mails need explicit consent (KVKK açık rıza): choosing
    them records it with the current notice version; choosing "never" withdraws it (the record
    stays, with the time of withdrawal; giving it again adds a new record)."""
    frequency = EmailFrequency(frequency)
    user.email_frequency = frequency.value
    if frequency == EmailFrequency.NEVER:
        consents.withdraw(user, ConsentPurpose.EMAIL_UPDATES)
    else:
        consents.give(user, ConsentPurpose.EMAIL_UPDATES)
    db.session.flush()


def unsubscribe(user: User) -> None:
    """Stop every e-mail about proposals (from the link in an e-mail, without signing in)."""
    set_email_frequency(user, EmailFrequency.NEVER)


# --- the notifications page ---------------------------------------------------------------


def unread_count(user) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ).scalar_one()


def list_notifications(user, page: int):
    """The user's notifications, newest first, with what describing them needs."""
    return db.paginate(
        select(Notification)
        .where(Notification.user_id == user.id)
        .options(
            joinedload(Notification.proposal).joinedload(Proposal.body),
            joinedload(Notification.event),
            joinedload(Notification.meeting).joinedload(Meeting.body),
            joinedload(Notification.body),
        )
        .order_by(Notification.id.desc()),
        page=page,
        per_page=NOTIFICATIONS_PER_PAGE,
        error_out=False,
        count=True,
    )


def mark_read(user, notification: Notification) -> None:
    if notification.user_id == user.id and notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(user) -> int:
    """Mark every unread notification of the user as read; returns how many."""
    return affected_rows(
        db.session.execute(
            update(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    )
