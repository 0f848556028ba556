"""Deleting an account (KVKK art. 7 and 11/e): the person goes, the public record stays.

In one transaction (the caller commits):
- proposals and comments stay, without the link to the person (shown as "A resident"); drafts,
  which nobody else has seen, are deleted, and so are the earlier versions of the person's
  edited comments (only moderators saw them; the published text stays); the photos of all
  their proposals are deleted (files too): a photo can show the person, their family, house
  or street, and the public record of the proposal does not need it
  (katilim/photos/services.delete_photos_of_author);
- votes on proposals still open for voting are removed and the counters lowered; votes on
  closed ones are kept (the outcome was counted with them) without the link;
- follows, notifications, memberships and e-mails to the address are deleted;
- consent records are kept without the link, withdrawn, as proof of what was agreed, and the
  retention command removes them after the limitation period;
- audit entries keep the action, without the link to the actor (audit.models.detach_actor);
- traffic records are kept as Law 5651 requires (they never had a foreign key);
- every other reference to the account (reviewer, report filer, timeline actor, and whatever a
  later feature adds) is set to NULL, and rows that belong to the person (a foreign key with
  ON DELETE CASCADE) are deleted; any other non-nullable reference is a programming error.
The deletion itself is logged without personal data (no name, address or IP).
"""

from dataclasses import asdict, dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from katilim.audit.models import AuditLog, detach_actor
from katilim.auth.models import User
from katilim.auth.roles import LastAdmin, leaves_no_active_admin
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.mail.models import OutboxMessage
from katilim.notifications.models import Follow, Notification
from katilim.organization.models import Membership
from katilim.photos.services import delete_photos_of_author
from katilim.privacy.models import Consent
from katilim.proposals.models import VOTING_OPEN, Proposal, ProposalStatus
from katilim.volunteers.models import BodyVolunteer
from katilim.voting.models import Vote

# Tables whose references to users are handled one by one below; every other foreign key to
# users.id is set to NULL.
HANDLED_TABLES = frozenset(
    {"users", "votes", "follows", "notifications", "consents", "memberships", "audit_log"}
)


@dataclass
class DeletionSummary:
    votes_removed: int = 0
    votes_kept: int = 0
    drafts_deleted: int = 0
    photos_deleted: int = 0
    proposals_kept: int = 0
    comments_kept: int = 0
    comment_revisions_deleted: int = 0


def _execute(statement):
    return db.session.execute(statement, execution_options={"synchronize_session": False})


def _remove_open_votes(user_id: int) -> int:
    """Remove the votes on proposals still open, and lower their counters by what the delete
    returned (the rows as they were when removed), by SQL expressions."""
    open_proposals = select(Proposal.id).where(
        Proposal.status.in_(VOTING_OPEN), Proposal.is_hidden.is_(False)
    )
    rows = _execute(
        delete(Vote)
        .where(Vote.user_id == user_id, Vote.proposal_id.in_(open_proposals))
        .returning(Vote.proposal_id, Vote.value)
    ).all()
    supported = [proposal_id for proposal_id, value in rows if value == 1]
    opposed = [proposal_id for proposal_id, value in rows if value == -1]
    if supported:
        _execute(
            update(Proposal)
            .where(Proposal.id.in_(supported))
            .values(supports_count=Proposal.supports_count - 1)
        )
    if opposed:
        _execute(
            update(Proposal)
            .where(Proposal.id.in_(opposed))
            .values(opposes_count=Proposal.opposes_count - 1)
        )
    return len(rows)


def _delete_drafts(user_id: int) -> int:
    """Drafts nobody else has seen are deleted, with every row that hangs on them."""
    drafts = select(Proposal.id).where(
        Proposal.author_id == user_id, Proposal.status == ProposalStatus.DRAFT
    )
    ids = list(db.session.scalars(drafts))
    if not ids:
        return 0
    # Explicit, not by ON DELETE CASCADE: SQLite does not enforce foreign keys.
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name != "proposals" or table.name == "proposals":
                continue
            if (fk.ondelete or "").upper() == "CASCADE" or not fk.parent.nullable:
                _execute(delete(table).where(fk.parent.in_(ids)))
            else:
                _execute(update(table).where(fk.parent.in_(ids)).values({fk.parent.name: None}))
    _execute(update(Proposal).where(Proposal.merged_into_id.in_(ids)).values(merged_into_id=None))
    _execute(delete(Proposal).where(Proposal.id.in_(ids)))
    return len(ids)


def _unlink_other_references(user_id: int) -> None:
    """Every other foreign key to users: a row that belongs to the person (ON DELETE CASCADE,
    e.g. their self-described groups) is deleted; a row that only names them (a reviewer, a
    report's filer) loses the name. Explicit, because SQLite does not enforce the rules."""
    for table in db.metadata.sorted_tables:
        if table.name in HANDLED_TABLES:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name != "users":
                continue
            column = fk.parent
            if (fk.ondelete or "").upper() == "CASCADE":
                _execute(delete(table).where(column == user_id))
            elif column.nullable:
                _execute(update(table).where(column == user_id).values({column.name: None}))
            else:
                raise RuntimeError(
                    f"{table.name}.{column.name} refers to users, is not nullable and has no "
                    "ON DELETE CASCADE: katilim/privacy/deletion.py must say what happens to it"
                )


def delete_account(user: User, *, reason: str = "self") -> DeletionSummary:
    """Delete ``user`` as described above; the caller checks the password and commits.

    ``reason`` goes into the audit entry: "self" (the person asked) or "retention".

    :raises LastAdmin: the only active admin must hand the role to someone else first.
    """
    if leaves_no_active_admin(user):
        raise LastAdmin(
            _("You are the only admin. Make someone else an admin before you delete your account.")
        )
    uid = user.id
    db.session.flush()
    # The account's row is locked until the deletion commits: a vote the person casts in
    # another tab meanwhile waits (and then finds no account), instead of being counted and
    # then removed with the account by ON DELETE CASCADE, its counter left behind.
    db.session.execute(select(User.id).where(User.id == uid).with_for_update())
    summary = DeletionSummary()
    summary.votes_removed = _remove_open_votes(uid)
    summary.votes_kept = _execute(
        update(Vote).where(Vote.user_id == uid).values(user_id=None)
    ).rowcount
    summary.photos_deleted = delete_photos_of_author(uid)
    summary.drafts_deleted = _delete_drafts(uid)
    summary.proposals_kept = db.session.execute(
        select(func.count()).select_from(Proposal).where(Proposal.author_id == uid)
    ).scalar_one()
    from katilim.comments.models import Comment, CommentRevision

    summary.comments_kept = db.session.execute(
        select(func.count()).select_from(Comment).where(Comment.author_id == uid)
    ).scalar_one()
    summary.comment_revisions_deleted = _execute(
        delete(CommentRevision).where(
            CommentRevision.comment_id.in_(select(Comment.id).where(Comment.author_id == uid))
        )
    ).rowcount

    _execute(delete(Follow).where(Follow.user_id == uid))
    _execute(delete(Notification).where(Notification.user_id == uid))
    _execute(delete(Membership).where(Membership.user_id == uid))
    # Applications and memberships as a volunteer go with the account; an application the
    # person decided as a chair loses the name (below, with the other references).
    _execute(delete(BodyVolunteer).where(BodyVolunteer.user_id == uid))
    _execute(delete(OutboxMessage).where(OutboxMessage.recipient == user.email))
    now = utcnow()
    _execute(
        update(Consent)
        .where(Consent.user_id == uid)
        .values(user_id=None, withdrawn_at=func.coalesce(Consent.withdrawn_at, now))
    )
    detach_actor(db.session, uid)
    _unlink_other_references(uid)

    # Only counts: no name, address or IP. The id is that of a row that no longer exists.
    db.session.add(
        AuditLog(
            actor_id=None,
            action="account.delete",
            target_type="user",
            target_id=uid,
            details={"by": reason, **asdict(summary)},
            ip_address=None,
        )
    )
    db.session.expire(user, ["memberships"])
    db.session.delete(user)
    db.session.flush()
    db.session.expire_all()  # rows changed by the statements above are read again
    return summary
