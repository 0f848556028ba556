"""Periodic destruction (KVKK regulation RG 30224: at most every 6 months; run it daily).

Each rule removes what has passed its period (settings, in days, shown on /privacy). "Older
than N days" is strict: a row exactly N days old stays until the next run.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select

from katilim.audit.models import AuditLog
from katilim.auth.models import Consent, LoginThrottle, SiteRole, User, UserSession
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.notifications.models import Notification, OutboxMessage
from katilim.privacy.deletion import delete_account
from katilim.privacy.models import TrafficRecord

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
    }


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def _remove_rows(model, *conditions) -> Callable[[bool], int]:
    def run(dry_run: bool) -> int:
        if dry_run:
            return _count(select(model.id).where(*conditions))
        return db.session.execute(
            delete(model).where(*conditions), execution_options={"synchronize_session": False}
        ).rowcount

    return run


def _remove_unverified(cutoff: datetime) -> Callable[[bool], int]:
    def run(dry_run: bool) -> int:
        query = select(User).where(
            User.email_verified_at.is_(None),
            User.created_at < cutoff,
            User.site_role != SiteRole.ADMIN,  # an admin account is made on purpose, by hand
        )
        if dry_run:
            return _count(query)
        users = list(db.session.scalars(query))
        for user in users:  # through the deletion, so nothing they left points at nothing
            delete_account(user, reason="retention")
        return len(users)

    return run


def run_retention(*, dry_run: bool = False, now: datetime | None = None) -> dict[str, int]:
    """Remove (or with ``dry_run`` only count) what has passed its period; returns the counts.

    The caller commits. A real run is logged in the audit log with its counts: the record of
    destruction that the regulation asks to keep for three years.
    """
    now = now or utcnow()
    days = periods()

    def cutoff(name: str) -> datetime:
        return now - timedelta(days=days[name])

    forget_failures = timedelta(hours=current_app.config["LOGIN_FAILURES_FORGOTTEN_AFTER_HOURS"])

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
            TrafficRecord, TrafficRecord.created_at < cutoff("traffic_records")
        ),
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
    }
    counts = {name: rule(dry_run) for name, rule in rules.items()}
    if not dry_run:
        db.session.add(
            AuditLog(
                action="retention.run",
                target_type="retention",
                details={"removed": counts, "periods_days": days},
            )
        )
        db.session.flush()
    return counts
