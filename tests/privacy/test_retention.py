"""The retention command: each kind of row removed just after its period, kept just before."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from katilim.audit.models import AuditLog
from katilim.auth.models import Consent, ConsentPurpose, LoginThrottle, User, UserSession
from katilim.extensions import db
from katilim.notifications.models import Notification, OutboxMessage
from katilim.privacy.models import TrafficRecord
from katilim.privacy.retention import periods, run_retention
from tests.factories import make_proposal, make_user
from tests.test_migrations import cli

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def ago(days: int, delta: timedelta = timedelta(0)) -> datetime:
    return NOW - timedelta(days=days) + delta


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def build_edges(app):
    """For each rule, one row a second past its period and one a second short of it."""
    days = periods()
    keeper = make_user("Kalıcı")
    proposal = make_proposal(keeper)
    for delta, name in ((-SECOND, "old"), (SECOND, "young")):
        unverified = make_user(f"Onaysız {name}", verified=False)
        unverified.created_at = ago(days["unverified_accounts"], delta)
        db.session.add(
            OutboxMessage(
                recipient=f"{name}@example.org",
                subject=name,
                body_text=".",
                sent_at=ago(days["sent_emails"], delta),
            )
        )
        db.session.add(
            Notification(
                user_id=keeper.id,
                proposal_id=proposal.id,
                kind=name,
                created_at=ago(days["read_notifications"], delta),
                read_at=NOW - timedelta(days=1),
            )
        )
        db.session.add(
            TrafficRecord(
                created_at=ago(days["traffic_records"], delta),
                address="192.0.2.1",
                method="POST",
                path=f"/{name}",
                status_code=200,
            )
        )
        db.session.add(
            Consent(
                user_id=None,
                purpose=ConsentPurpose.EMAIL_UPDATES,
                text_version=name,
                given_at=ago(days["withdrawn_consents"] + 10),
                withdrawn_at=ago(days["withdrawn_consents"], delta),
            )
        )
        # A sign-in session is removed once it has ended; a failure count once forgotten.
        db.session.add(
            UserSession(
                user_id=keeper.id,
                token_digest=name,
                created_at=ago(31),
                expires_at=ago(0, -SECOND if name == "old" else SECOND),
            )
        )
        db.session.add(
            LoginThrottle(
                key_digest=name,
                failures=3,
                last_failure_at=NOW - timedelta(hours=24) + delta,
            )
        )
    # never removed by age: unsent e-mails, unread notifications, consents in force
    old = ago(5000)
    db.session.add(OutboxMessage(recipient="q@example.org", subject="queued", body_text="."))
    db.session.add(
        Notification(user_id=keeper.id, proposal_id=proposal.id, kind="unread", created_at=old)
    )
    db.session.add(
        Consent(
            user_id=keeper.id, purpose=ConsentPurpose.EMAIL_UPDATES, text_version="x", given_at=old
        )
    )
    old_verified = make_user("Eski ama onaylı")
    old_verified.created_at = old
    db.session.flush()


EXPECTED = {
    "unverified_accounts": 1,
    "sent_emails": 1,
    "read_notifications": 1,
    "traffic_records": 1,
    "withdrawn_consents": 1,
    "ended_sessions": 1,
    "forgotten_sign_in_failures": 1,
}


def test_dry_run_counts_and_changes_nothing(ctx, app):
    build_edges(app)
    before = [count(m) for m in (User, OutboxMessage, Notification, TrafficRecord, Consent)]
    assert run_retention(dry_run=True, now=NOW) == EXPECTED
    after = [count(m) for m in (User, OutboxMessage, Notification, TrafficRecord, Consent)]
    assert after == before
    assert count(AuditLog) == 0


def test_each_rule_removes_only_what_passed_its_period(ctx, app):
    build_edges(app)
    assert run_retention(now=NOW) == EXPECTED
    assert run_retention(now=NOW) == dict.fromkeys(EXPECTED, 0)  # idempotent
    names = set(db.session.scalars(select(User.display_name)))
    assert names == {"Kalıcı", "Onaysız young", "Eski ama onaylı"}
    assert set(db.session.scalars(select(OutboxMessage.subject))) == {"young", "queued"}
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert kinds == {"young", "unread"}
    assert set(db.session.scalars(select(TrafficRecord.path))) == {"/young"}
    assert set(db.session.scalars(select(Consent.text_version))) == {"young", "x"}
    assert set(db.session.scalars(select(UserSession.token_digest))) == {"young"}
    assert set(db.session.scalars(select(LoginThrottle.key_digest))) == {"young"}
    run = db.session.scalars(select(AuditLog).where(AuditLog.action == "retention.run")).first()
    assert run.details["removed"] == EXPECTED
    assert run.details["periods_days"]["traffic_records"] == 730


def test_traffic_period_stays_within_the_law(app):
    with app.app_context():
        for setting, expected in ((100, 365), (500, 500), (5000, 730)):
            app.config["TRAFFIC_RECORD_DAYS"] = setting
            assert periods()["traffic_records"] == expected
        app.config["TRAFFIC_RECORD_DAYS"] = 730


def test_command_prints_counts(app):
    with app.app_context():
        user = make_user("Onaysız", verified=False)
        user.created_at = datetime.now(UTC) - timedelta(days=31)
        db.session.commit()
    result = cli(app, "retention", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would remove 1 unconfirmed accounts (older than 30 days)." in result.output
    with app.app_context():
        assert count(User) == 1
    result = cli(app, "retention")
    assert "Removed 1 unconfirmed accounts" in result.output
    assert "Removed 0 traffic records (older than 730 days)." in result.output
    with app.app_context():
        assert count(User) == 0
