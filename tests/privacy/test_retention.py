"""The retention command: each kind of row removed just after its period, kept just before."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from katilim.assist.models import AssistedSubmission, Channel
from katilim.audit.models import AuditLog
from katilim.auth.models import LoginThrottle, User, UserSession
from katilim.comments.models import CommentRevision
from katilim.core.dates import local_midnight
from katilim.extensions import db
from katilim.mail.models import OutboxMessage
from katilim.notifications.models import Notification
from katilim.privacy.models import Consent, ConsentPurpose, TrafficRecord, TrafficSeal
from katilim.privacy.retention import periods, run_retention
from katilim.proposals.models import EventKind, ProposalEvent, ProposalStatus
from katilim.volunteers.models import BodyVolunteer, VolunteerStatus
from tests.factories import make_body, make_comment, make_proposal, make_user
from tests.test_migrations import cli

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def ago(days: int, delta: timedelta = timedelta(0)) -> datetime:
    return NOW - timedelta(days=days) + delta


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# NOW is 15:00 in Istanbul: 730 days earlier is 2025-06-01 15:00, so that whole day is kept
# and 2025-05-31 (a day wholly older than the period) is the last to go.
FIRST_KEPT_TRAFFIC_DAY = date(2025, 6, 1)


def assisted(proposal, contact: str | None, **when) -> AssistedSubmission:
    """An assisted submission on ``proposal``; ``when`` sets first_answer_at or decided_at."""
    for name, moment in when.items():
        setattr(proposal, name, moment)
    submission = AssistedSubmission(
        proposal_id=proposal.id, channel=Channel.PHONE, contact=contact, letter_locale="tr"
    )
    db.session.add(submission)
    return submission


def build_edges(app):
    """For each rule, one row a second past its period and one a second short of it."""
    days = periods()
    keeper = make_user("Kalıcı")
    proposal = make_proposal(keeper)
    for name, moment in (
        ("old", local_midnight(FIRST_KEPT_TRAFFIC_DAY) - SECOND),
        ("young", local_midnight(FIRST_KEPT_TRAFFIC_DAY)),
    ):
        db.session.add(
            TrafficRecord(
                created_at=moment,
                address="192.0.2.1",
                method="POST",
                path=f"/{name}",
                status_code=200,
            )
        )
    contact_cutoff = ago(days["assisted_contacts"])
    for delta, name in ((-SECOND, "old"), (SECOND, "young")):
        # answered publicly, decided, withdrawn at the person's request: each one
        assisted(make_proposal(keeper), f"answer {name}", first_answer_at=contact_cutoff + delta)
        assisted(make_proposal(keeper), f"decision {name}", decided_at=contact_cutoff + delta)
        withdrawn = make_proposal(keeper, status=ProposalStatus.WITHDRAWN)
        db.session.add(
            ProposalEvent(
                proposal=withdrawn, kind=EventKind.WITHDRAWN, created_at=contact_cutoff + delta
            )
        )
        assisted(withdrawn, f"withdrawn {name}")
    # never erased by age: a proposal not answered yet; a contact already erased by hand
    assisted(make_proposal(keeper), "waiting")
    assisted(make_proposal(keeper), None, first_answer_at=ago(5000))
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
    comment = make_comment(proposal, keeper)
    for delta, name in ((-SECOND, "old"), (SECOND, "young")):
        db.session.add(
            CommentRevision(
                comment_id=comment.id, body=name, edited_at=ago(days["comment_revisions"], delta)
            )
        )
    # Declined applications and ended memberships, by the decision's or the leaving's time;
    # an open application and a membership stay however old.
    for delta, name in ((-SECOND, "old"), (SECOND, "young")):
        moment = ago(days["ended_volunteering"], delta)
        for status, when in (("declined", "decided_at"), ("left", "left_at")):
            db.session.add(
                BodyVolunteer(
                    body_id=make_body(f"{status}-{name}").id,
                    user_id=keeper.id,
                    status=VolunteerStatus(status),
                    motivation=f"{status} {name}",
                    **{when: moment},
                )
            )
    for status in (VolunteerStatus.APPLIED, VolunteerStatus.ACCEPTED):
        db.session.add(
            BodyVolunteer(
                body_id=make_body(f"open-{status.value}").id,
                user_id=keeper.id,
                status=status,
                motivation=status.value,
                created_at=ago(5000),
                decided_at=ago(5000),
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
    "traffic_seals": 1,  # 2025-05-31's, sealed by the same run a moment before
    "withdrawn_consents": 1,
    "ended_sessions": 1,
    "forgotten_sign_in_failures": 1,
    "assisted_contacts": 3,
    "comment_revisions": 1,
    "ended_volunteering": 2,
}
MODELS = (User, OutboxMessage, Notification, TrafficRecord, TrafficSeal, Consent, CommentRevision)


def contacts() -> set:
    return set(db.session.scalars(select(AssistedSubmission.contact)))


def test_dry_run_counts_and_changes_nothing(ctx, app):
    build_edges(app)
    before = [count(m) for m in MODELS], contacts()
    run = run_retention(dry_run=True, now=NOW)
    assert run.removed == EXPECTED
    assert (run.sealed_days[0], run.sealed_days[-1]) == (date(2025, 5, 31), date(2027, 5, 31))
    assert ([count(m) for m in MODELS], contacts()) == before
    assert count(AuditLog) == 0


def test_each_rule_removes_only_what_passed_its_period(ctx, app):
    build_edges(app)
    run = run_retention(now=NOW)
    assert run.removed == EXPECTED
    assert (run.sealed_days[0], run.sealed_days[-1]) == (date(2025, 5, 31), date(2027, 5, 31))
    again = run_retention(now=NOW)
    assert again.removed == dict.fromkeys(EXPECTED, 0)  # idempotent
    assert again.sealed_days == [] and again.chain_head == run.chain_head
    names = set(db.session.scalars(select(User.display_name)))
    assert names == {"Kalıcı", "Onaysız young", "Eski ama onaylı"}
    assert set(db.session.scalars(select(OutboxMessage.subject))) == {"young", "queued"}
    kinds = set(db.session.scalars(select(Notification.kind)))
    assert kinds == {"young", "unread"}
    assert set(db.session.scalars(select(TrafficRecord.path))) == {"/young"}
    assert db.session.scalar(select(func.min(TrafficSeal.day))) == FIRST_KEPT_TRAFFIC_DAY
    assert set(db.session.scalars(select(Consent.text_version))) == {"young", "x"}
    assert set(db.session.scalars(select(UserSession.token_digest))) == {"young"}
    assert set(db.session.scalars(select(LoginThrottle.key_digest))) == {"young"}
    assert set(db.session.scalars(select(BodyVolunteer.motivation))) == {
        "declined young",
        "left young",
        "applied",
        "accepted",
    }
    assert contacts() == {
        "answer young",
        "decision young",
        "withdrawn young",
        "waiting",
        None,  # the three old ones, and the one erased by hand before
    }
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "retention.run")).first()
    assert entry.details["removed"] == EXPECTED
    assert entry.details["periods_days"]["traffic_records"] == 730
    assert entry.details["periods_days"]["assisted_contacts"] == 30
    assert entry.details["traffic_sealed"] == {
        "days": 731,
        "through": "2027-05-31",
        "head": run.chain_head,
    }


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
    assert "Removed 0 traffic records (whole days older than 730 days)." in result.output
    assert "Removed 0 daily traffic seals (with their days of records)." in result.output
    assert (
        "Erased 0 contacts written down by volunteers (answered more than 30 days ago)."
        in result.output
    )
    with app.app_context():
        assert count(User) == 0
