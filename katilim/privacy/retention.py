"""Periodic destruction (KVKK regulation RG 30224: at most every 6 months; run it daily).

Each rule removes what has passed its period (settings, in days, shown on /privacy). "Older
than N days" is strict: a row exactly N days old stays until the next run. Traffic records go
by whole days (a calendar day in the council's time zone), each day with its seal, once the
whole day is older than the period; finished days are sealed first (katilim/privacy/seals.py).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, exists, func, or_, select, update

from katilim.assist.models import AssistedSubmission
from katilim.audit.models import AuditLog
from katilim.auth.models import LoginThrottle, SiteRole, User, UserSession
from katilim.comments.models import CommentRevision
from katilim.core.dates import local_midnight
from katilim.core.models import affected_rows, utcnow
from katilim.extensions import db
from katilim.mail.models import OutboxMessage
from katilim.notifications.models import Notification
from katilim.privacy.deletion import delete_account
from katilim.privacy.models import Consent, TrafficRecord, TrafficSeal
from katilim.privacy.seals import local_day, seal_finished_days
from katilim.proposals.models import EventKind, Proposal, ProposalEvent
from katilim.volunteers.models import BodyVolunteer, VolunteerStatus

# Law 5651 art. 5(3): traffic records are kept at least one and at most two years.
TRAFFIC_MIN_DAYS, TRAFFIC_MAX_DAYS = 365, 730


def periods() -> dict[str, int]:
    config = current_app.config
    traffic = min(max(int(config["TRAFFIC_RECORD_DAYS"]), TRAFFIC_MIN_DAYS), TRAFFIC_MAX_DAYS)
    return {
        "unverified_accounts": int(config["RETENTION_UNVERIFIED_ACCOUNT_DAYS"]),
        "sent_emails": int(config["RETENTION_SENT_EMAIL_DAYS"]),
        "read_notifications": int(config["RETENTION_READ_NOTIFICATION_DAYS"]),
        "traffic_records": traffic,
        "withdrawn_consents": int(config["RETENTION_WITHDRAWN_CONSENT_DAYS"]),
        "assisted_contacts": int(config["RETENTION_ASSIST_CONTACT_DAYS"]),
        "comment_revisions": int(config["RETENTION_COMMENT_REVISION_DAYS"]),
        "ended_volunteering": int(config["RETENTION_ENDED_VOLUNTEER_DAYS"]),
    }


def _count(model, *conditions) -> int:
    return db.session.execute(
        select(func.count()).select_from(model).where(*conditions)
    ).scalar_one()


def _remove_rows(model, *conditions) -> Callable[[bool], int]:
    def run(dry_run: bool) -> int:
        if dry_run:
            return _count(model, *conditions)
        return affected_rows(
            db.session.execute(
                delete(model).where(*conditions), execution_options={"synchronize_session": False}
            )
        )

    return run


def _remove_unverified(cutoff: datetime) -> Callable[[bool], int]:
    def run(dry_run: bool) -> int:
        query = select(User).where(
            User.email_verified_at.is_(None),
            User.created_at < cutoff,
            User.site_role != SiteRole.ADMIN,  # an admin account is made on purpose, by hand
        )
        if dry_run:
            return db.session.execute(
                select(func.count()).select_from(query.subquery())
            ).scalar_one()
        users = list(db.session.scalars(query))
        for user in users:  # through the deletion, so nothing they left points at nothing
            delete_account(user, reason="retention")
        return len(users)

    return run


def _remove_seals(first_kept_day: date, sealing: list[date]) -> Callable[[bool], int]:
    remove = _remove_rows(TrafficSeal, TrafficSeal.day < first_kept_day)

    def run(dry_run: bool) -> int:
        if dry_run:  # the run would seal these days first, and some may go at once
            return remove(True) + sum(day < first_kept_day for day in sealing)
        return remove(False)

    return run


def answered_before(cutoff: datetime):
    """The proposal had its first public answer, or a final step, before ``cutoff``.

    "Answered" for the person who asked a volunteer: a public text from the body (the first
    answer, or a reason given with a change of status), a decision (accepted or rejected; a
    merge into another proposal is one too), or the proposal withdrawn at the person's request.
    """
    withdrawn = exists().where(
        ProposalEvent.proposal_id == Proposal.id,
        ProposalEvent.kind == EventKind.WITHDRAWN,
        ProposalEvent.created_at < cutoff,
    )
    return or_(Proposal.first_answer_at < cutoff, Proposal.decided_at < cutoff, withdrawn)


def _erase_contacts(cutoff: datetime) -> Callable[[bool], int]:
    conditions = (
        AssistedSubmission.contact.is_not(None),
        AssistedSubmission.proposal_id.in_(select(Proposal.id).where(answered_before(cutoff))),
    )

    def run(dry_run: bool) -> int:
        if dry_run:
            return _count(AssistedSubmission, *conditions)
        return affected_rows(
            db.session.execute(
                update(AssistedSubmission).where(*conditions).values(contact=None),
                execution_options={"synchronize_session": False},
            )
        )

    return run


@dataclass
class RetentionRun:
    removed: dict[str, int]  # kind → rows removed (or erased), or that would be
    sealed_days: list[date] = field(default_factory=list)  # traffic days sealed first
    chain_head: str | None = None  # the newest traffic seal after the run


def run_retention(*, dry_run: bool = False, now: datetime | None = None) -> RetentionRun:
    """Seal the finished days of traffic records, then remove (or with ``dry_run`` only
    count) what has passed its period.

    The caller commits. A real run is logged in the audit log with its counts: the record of
    destruction that the regulation asks to keep for three years.
    """
    now = now or utcnow()
    days = periods()

    def cutoff(name: str) -> datetime:
        return now - timedelta(days=days[name])

    forget_failures = timedelta(hours=current_app.config["LOGIN_FAILURES_FORGOTTEN_AFTER_HOURS"])

    sealed = seal_finished_days(now, dry_run=dry_run)  # before any day of records goes
    # The first day kept: every day before it ended before the cutoff.
    traffic_day = local_day(cutoff("traffic_records"))
    rules = {
        "unverified_accounts": _remove_unverified(cutoff("unverified_accounts")),
        "sent_emails": _remove_rows(
            OutboxMessage,
            OutboxMessage.sent_at.is_not(None),
            OutboxMessage.sent_at < cutoff("sent_emails"),
        ),
        "read_notifications": _remove_rows(
            Notification,
            Notification.read_at.is_not(None),
            Notification.created_at < cutoff("read_notifications"),
        ),
        "traffic_records": _remove_rows(
            TrafficRecord, TrafficRecord.created_at < local_midnight(traffic_day)
        ),
        "traffic_seals": _remove_seals(traffic_day, sealed.days),
        "withdrawn_consents": _remove_rows(
            Consent,
            Consent.withdrawn_at.is_not(None),
            Consent.withdrawn_at < cutoff("withdrawn_consents"),
        ),
        # Sign-in sessions whose cookie can no longer be used (katilim/auth/sessions.py), and
        # failed sign-in counts old enough to be forgotten anyway (katilim/auth/lockout.py).
        "ended_sessions": _remove_rows(UserSession, UserSession.expires_at <= now),
        "forgotten_sign_in_failures": _remove_rows(
            LoginThrottle,
            LoginThrottle.last_failure_at < now - forget_failures,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now),
        ),
        "assisted_contacts": _erase_contacts(cutoff("assisted_contacts")),
        "comment_revisions": _remove_rows(
            CommentRevision, CommentRevision.edited_at < cutoff("comment_revisions")
        ),
        # Declined applications and ended memberships of a body: membership can reveal
        # opinions; an open application or a current membership stays.
        "ended_volunteering": _remove_rows(
            BodyVolunteer,
            or_(
                (BodyVolunteer.status == VolunteerStatus.DECLINED)
                & (BodyVolunteer.decided_at < cutoff("ended_volunteering")),
                (BodyVolunteer.status == VolunteerStatus.LEFT)
                & (BodyVolunteer.left_at < cutoff("ended_volunteering")),
            ),
        ),
    }
    counts = {name: rule(dry_run) for name, rule in rules.items()}
    run = RetentionRun(removed=counts, sealed_days=sealed.days, chain_head=sealed.head)
    if not dry_run:
        if run.chain_head is None:  # nothing new sealed: the chain ends where it ended
            run.chain_head = db.session.scalar(
                select(TrafficSeal.seal_hash).order_by(TrafficSeal.day.desc()).limit(1)
            )
        details: dict[str, Any] = {"removed": counts, "periods_days": days}
        if sealed.days:
            details["traffic_sealed"] = {
                "days": len(sealed.days),
                "through": sealed.days[-1].isoformat(),
                "head": sealed.head,
            }
        db.session.add(AuditLog(action="retention.run", target_type="retention", details=details))
        db.session.flush()
    return run
