"""Everything the platform holds about one person, as one JSON document (KVKK art. 11).

The password hash is never included, nor the text of e-mails (they carry sign-in links).
Audit entries appear where the person acted, or was the target of someone else's action;
in the second case without the other person's address.
"""

import json
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from katilim.audit.models import AuditLog
from katilim.auth.models import User, UserSession
from katilim.comments.models import Comment, CommentRevision
from katilim.core.models import utcnow
from katilim.core.urls import absolute_url
from katilim.extensions import db
from katilim.mail.models import OutboxMessage
from katilim.moderation.models import Flag
from katilim.notifications.models import Follow, Notification
from katilim.organization.models import Body, Membership
from katilim.privacy.consents import consent_history, text_version
from katilim.privacy.models import TrafficRecord
from katilim.privacy.purposes import purpose_text
from katilim.proposals.models import Proposal, ProposalRevision
from katilim.volunteers.models import BodyVolunteer
from katilim.voting.models import Vote


def _time(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _value(value):
    return getattr(value, "value", value)  # enums by their stored code


def _account(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "district": user.district.slug if user.district else None,
        "locale": user.locale,
        "site_role": _value(user.site_role),
        "email_verified_at": _time(user.email_verified_at),
        "privacy_notice_version": user.privacy_notice_version,
        "is_active": user.is_active_account,
        "email_frequency": user.email_frequency,
        "last_digest_at": _time(user.last_digest_at),
        "created_at": _time(user.created_at),
    }


def _proposals(user: User) -> list[dict]:
    proposals = db.session.scalars(
        select(Proposal)
        .where(Proposal.author_id == user.id)
        .options(
            selectinload(Proposal.body),
            selectinload(Proposal.district),
            selectinload(Proposal.tags),
            selectinload(Proposal.photos),
        )
        .order_by(Proposal.id)
    ).all()
    revisions: dict[int, list[dict]] = {}
    for revision in db.session.scalars(
        select(ProposalRevision)
        .where(ProposalRevision.proposal_id.in_([p.id for p in proposals]))
        .order_by(ProposalRevision.id)
    ):
        revisions.setdefault(revision.proposal_id, []).append(
            {
                "title": revision.title,
                "summary": revision.summary,
                "text": revision.text,
                "created_at": _time(revision.created_at),
            }
        )
    return [
        {
            "id": p.id,
            "title": p.title,
            "summary": p.summary,
            "text": p.text,
            "language": p.language,
            "status": _value(p.status),
            "body": p.body.slug if p.body else None,
            "district": p.district.slug if p.district else None,
            "tags": [t.name for t in p.tags],
            "supports_count": p.supports_count,
            "opposes_count": p.opposes_count,
            "comments_count": p.comments_count,
            "created_at": _time(p.created_at),
            "published_at": _time(p.published_at),
            "updated_at": _time(p.updated_at),
            "earlier_versions": revisions.get(p.id, []),
            # The pictures themselves are at these addresses (the stored files hold nothing
            # else: katilim/photos/images.py).
            "photos": [
                {
                    "alt_text": photo.alt_text,
                    "width": photo.width,
                    "height": photo.height,
                    "created_at": _time(photo.created_at),
                    "hidden_reason": photo.hidden_reason,
                    "url": absolute_url(
                        "photos.file", proposal_id=p.id, photo_id=photo.id, size="large"
                    ),
                }
                for photo in p.photos
            ],
        }
        for p in proposals
    ]


def _comments(user: User) -> list[dict]:
    comments = list(
        db.session.scalars(select(Comment).where(Comment.author_id == user.id).order_by(Comment.id))
    )
    revisions: dict[int, list[CommentRevision]] = {}
    for revision in db.session.scalars(
        select(CommentRevision)
        .join(Comment, Comment.id == CommentRevision.comment_id)
        .where(Comment.author_id == user.id)
        .order_by(CommentRevision.edited_at, CommentRevision.id)
    ):
        revisions.setdefault(revision.comment_id, []).append(revision)
    return [
        {
            "id": c.id,
            "proposal_id": c.proposal_id,
            "parent_id": c.parent_id,
            "stance": _value(c.stance),
            "text": c.text,
            "is_hidden": c.is_hidden,
            "created_at": _time(c.created_at),
            "edited_at": _time(c.edited_at),
            "earlier_versions": [
                {"text": r.body, "stance": _value(r.stance), "replaced_at": _time(r.edited_at)}
                for r in revisions.get(c.id, [])
            ],
        }
        for c in comments
    ]


def _votes(user: User) -> list[dict]:
    rows = db.session.execute(
        select(Vote, Proposal.title)
        .join(Proposal, Proposal.id == Vote.proposal_id)
        .where(Vote.user_id == user.id)
        .order_by(Vote.id)
    )
    return [
        {
            "proposal_id": vote.proposal_id,
            "proposal_title": title,
            "value": "for" if vote.value == 1 else "against",
            "created_at": _time(vote.created_at),
            "updated_at": _time(vote.updated_at),
        }
        for vote, title in rows
    ]


def _follows(user: User) -> list[dict]:
    rows = db.session.execute(
        select(Follow, Body.slug)
        .outerjoin(Body, Body.id == Follow.body_id)
        .where(Follow.user_id == user.id)
        .order_by(Follow.id)
    )
    return [
        {"proposal_id": follow.proposal_id, "body": slug, "created_at": _time(follow.created_at)}
        for follow, slug in rows
    ]


def _notifications(user: User) -> list[dict]:
    return [
        {
            "id": n.id,
            "proposal_id": n.proposal_id,
            "kind": n.kind,
            "created_at": _time(n.created_at),
            "read_at": _time(n.read_at),
            "emailed_at": _time(n.emailed_at),
        }
        for n in db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    ]


def _emails(user: User) -> list[dict]:
    return [
        {
            "subject": m.subject,
            "created_at": _time(m.created_at),
            "sent_at": _time(m.sent_at),
        }
        for m in db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == user.email)
            .order_by(OutboxMessage.id)
        )
    ]


def _reports(user: User) -> list[dict]:
    return [
        {
            "id": f.id,
            "proposal_id": f.proposal_id,
            "comment_id": f.comment_id,
            "reason": _value(f.reason),
            "note": f.note,
            "created_at": _time(f.created_at),
            "resolved_at": _time(f.resolved_at),
            "resolution": _value(f.resolution),
            "resolution_note": f.resolution_note,
        }
        for f in db.session.scalars(
            select(Flag).where(Flag.reporter_id == user.id).order_by(Flag.id)
        )
    ]


def _memberships(user: User) -> list[dict]:
    return [
        {"body": m.body.slug, "role": _value(m.role), "created_at": _time(m.created_at)}
        for m in db.session.scalars(
            select(Membership)
            .where(Membership.user_id == user.id)
            .options(selectinload(Membership.body))
            .order_by(Membership.id)
        )
    ]


def _volunteering(user: User) -> list[dict]:
    """Applications to bodies and memberships as a volunteer (not who decided: that is
    another person)."""
    return [
        {
            "body": row.body.slug,
            "status": _value(row.status),
            "motivation": row.motivation,
            "named_on_the_body_page": row.is_listed,
            "applied_at": _time(row.created_at),
            "decided_at": _time(row.decided_at),
            "decline_reason": row.decline_reason,
            "left_at": _time(row.left_at),
        }
        for row in db.session.scalars(
            select(BodyVolunteer)
            .where(BodyVolunteer.user_id == user.id)
            .options(selectinload(BodyVolunteer.body))
            .order_by(BodyVolunteer.id)
        )
    ]


def _audit(user: User) -> list[dict]:
    entries = db.session.scalars(
        select(AuditLog)
        .where(
            or_(
                AuditLog.actor_id == user.id,
                (AuditLog.target_type == "user") & (AuditLog.target_id == user.id),
            )
        )
        .order_by(AuditLog.id)
    )
    return [
        {
            "by_me": entry.actor_id == user.id,
            "action": entry.action,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "details": entry.details,
            # The address is the actor's: shown only for what the person did.
            "ip_address": entry.ip_address if entry.actor_id == user.id else None,
            "created_at": _time(entry.created_at),
        }
        for entry in entries
    ]


def _traffic(user: User) -> list[dict]:
    return [
        {
            "time": _time(r.created_at),
            "address": r.address,
            "method": r.method,
            "path": r.path,
            "status": r.status_code,
        }
        for r in db.session.scalars(
            select(TrafficRecord).where(TrafficRecord.user_id == user.id).order_by(TrafficRecord.id)
        )
    ]


def _consents(user: User) -> list[dict]:
    return [
        {
            "purpose": _value(c.purpose),
            "title": str(purpose_text(c.purpose).title),
            "text_version": c.text_version,
            "given_at": _time(c.given_at),
            "withdrawn_at": _time(c.withdrawn_at),
        }
        for c in consent_history(user)
    ]


# Tables exported above; rows of any other table that belong to the person (a foreign key to
# users with ON DELETE CASCADE, e.g. a feature added later) are exported column by column.
EXPORTED_TABLES = frozenset(
    {
        "users",
        "votes",
        "follows",
        "notifications",
        "consents",
        "memberships",
        "body_volunteers",
        "audit_log",
        "user_sessions",
    }
)


def _sessions(user: User) -> list[dict]:
    """Where the account is signed in: when, until when, remembered or not. The token's hash
    is left out: it is a key of ours, not a fact about the person."""
    rows = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
    )
    return [
        {
            "signed_in_at": _time(row.created_at),
            "expires_at": _time(row.expires_at),
            "remembered": row.remember,
        }
        for row in rows
    ]


def _other_records(user: User) -> dict[str, list[dict]]:
    records: dict[str, list[dict]] = {}
    for table in db.metadata.sorted_tables:
        if table.name in EXPORTED_TABLES:
            continue
        owner_columns = [
            fk.parent
            for fk in table.foreign_keys
            if fk.column.table.name == "users" and (fk.ondelete or "").upper() == "CASCADE"
        ]
        if not owner_columns:
            continue
        rows = db.session.execute(
            select(table).where(or_(*(column == user.id for column in owner_columns)))
        ).mappings()
        records[table.name] = [
            {key: _time(v) if isinstance(v, date) else _value(v) for key, v in row.items()}
            for row in rows
        ]
    return records


def personal_data(user: User) -> dict:
    """Everything about ``user``, as plain JSON-ready values."""
    return {
        "generated_at": _time(utcnow()),
        "privacy_notice_version": text_version(),
        "account": _account(user),
        "memberships": _memberships(user),
        "volunteering": _volunteering(user),
        "consents": _consents(user),
        "proposals": _proposals(user),
        "comments": _comments(user),
        "votes": _votes(user),
        "follows": _follows(user),
        "notifications": _notifications(user),
        "emails": _emails(user),
        "reports": _reports(user),
        "audit_entries": _audit(user),
        "traffic_records": _traffic(user),
        "sign_in_sessions": _sessions(user),
        "other_records": _other_records(user),
    }


def personal_data_json(user: User) -> str:
    return json.dumps(personal_data(user), ensure_ascii=False, indent=2, sort_keys=False)
