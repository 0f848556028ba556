"""The outbox: requests only queue e-mails; the worker sends each exactly once, with retries."""

import smtplib
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

import katilim.mail
import katilim.notifications.outbox
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.mail import send_email
from katilim.mail.models import OutboxMessage
from katilim.notifications.outbox import MAX_BACKOFF, backoff, deliver_due
from katilim.notifications.services import follow_proposal
from katilim.proposals.models import EventKind
from tests.factories import make_proposal, make_user
from tests.notifications.helpers import add_event, make_reader


class FlakyServer:
    """Stands in for smtplib: refuses connections while ``down``, records what it receives."""

    def __init__(self):
        self.down = True
        self.received = []

    def __call__(self, message):
        if self.down:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        self.received.append(message)


@pytest.fixture
def server(app, monkeypatch):
    fake = FlakyServer()
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setattr(katilim.mail, "_send_smtp", fake)
    return fake


@pytest.fixture
def accounts(app, council):
    with app.app_context():
        emails = [make_user(f"Kişi {i}", email=f"kisi{i}@example.org").email for i in range(3)]
        db.session.commit()
    return emails


def queue(app, count: int, prefix: str = "Konu") -> None:
    with app.app_context():
        for i in range(count):
            send_email(f"r{i}@example.org", f"{prefix} {i}", "reset", user=None, link="x")
        db.session.commit()


def rows(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return messages


def test_send_email_only_queues_and_the_worker_sends(app, outbox, council):
    queue(app, 1)
    assert app.extensions["mail_outbox"] == []  # nothing left the building yet
    assert len(rows(app)) == 1
    assert len(outbox) == 1  # reading the fixture runs the worker
    assert outbox[0]["To"] == "r0@example.org"
    assert rows(app)[0].sent_at is not None


def test_stored_headers_go_out_with_the_message(app, outbox, council):
    with app.app_context():
        send_email(
            "a@example.org",
            "Konu",
            "reset",
            headers={"List-Unsubscribe": "<http://localhost/unsubscribe/abc>"},
            user=None,
            link="x",
        )
        db.session.commit()
    assert outbox[0]["List-Unsubscribe"] == "<http://localhost/unsubscribe/abc>"


def test_mail_server_failing_twice_then_recovering_delivers_each_message_once(
    app, client, accounts, server
):
    # Requests that queue e-mail do not notice that the mail server is down.
    for email in accounts:
        assert client.post("/auth/reset", data={"email": email}).status_code == 200
    assert len(rows(app)) == 3

    start = utcnow()
    with app.app_context():
        assert deliver_due(now=start) == 0
    first = rows(app)
    assert {m.attempts for m in first} == {1}
    assert {m.send_after for m in first} == {start + timedelta(minutes=2)}
    assert all("SMTPServerDisconnected" in m.last_error for m in first)
    assert all(m.claimed_until is None and m.sent_at is None for m in first)

    with app.app_context():
        assert deliver_due(now=start + timedelta(minutes=1)) == 0  # backing off: not due
        assert deliver_due(now=start + timedelta(minutes=2)) == 0  # due, fails again
    assert {m.attempts for m in rows(app)} == {2}
    assert {m.send_after for m in rows(app)} == {start + timedelta(minutes=6)}

    server.down = False
    with app.app_context():
        assert deliver_due(now=start + timedelta(minutes=5)) == 0
        assert deliver_due(now=start + timedelta(minutes=6)) == 3
        assert deliver_due(now=start + timedelta(days=1)) == 0
    assert sorted(m["To"] for m in server.received) == sorted(accounts)
    assert {m.sent_at for m in rows(app)} == {start + timedelta(minutes=6)}
    assert {m.attempts for m in rows(app)} == {2}


def test_backoff_doubles_up_to_its_cap():
    five_minutes = timedelta(minutes=5)
    assert [backoff(n, five_minutes) for n in (1, 2, 3, 9, 1000)] == [
        timedelta(minutes=m) for m in (2, 4, 5, 5, 5)
    ]
    assert backoff(9, MAX_BACKOFF) == backoff(1000, MAX_BACKOFF) == timedelta(hours=6)


def run_worker(app, start, until, every: timedelta) -> None:
    """The send-mail loop, with a controlled clock: a round every ``every``."""
    now = start
    with app.app_context():
        while now < until:
            deliver_due(now=now)
            now += every


def test_a_backlog_held_back_by_hours_of_outage_goes_out_within_minutes_of_the_return(
    app, council, server
):
    """Nine hours without a mail server: before, the retries had drifted six hours apart,
    and the backlog waited up to six more hours after the server came back."""
    queue(app, 5)
    start = utcnow()
    back = start + timedelta(hours=9)
    run_worker(app, start, back, every=timedelta(minutes=5))
    assert not server.received
    assert max(m.send_after for m in rows(app)) <= back + timedelta(minutes=5)

    server.down = False
    run_worker(app, back, back + timedelta(hours=1), every=timedelta(seconds=30))
    assert sorted(m["Subject"] for m in server.received) == [f"Konu {i}" for i in range(5)]
    assert max(m.sent_at for m in rows(app)) <= back + timedelta(minutes=5)


def test_one_message_getting_through_sends_the_waiting_ones_at_once(app, council, server):
    queue(app, 4)
    start = utcnow()
    with app.app_context():
        for minutes in (0, 2, 6):  # three failures each: the next try at minute 11
            deliver_due(now=start + timedelta(minutes=minutes))
        first, *waiting, claimed = db.session.scalars(
            select(OutboxMessage).order_by(OutboxMessage.id)
        )
        first.send_after = start + timedelta(minutes=7)  # due first
        claimed.send_after = start  # another worker is sending this one right now
        claimed.claimed_until = start + timedelta(minutes=10)
        db.session.commit()

    server.down = False
    now = start + timedelta(minutes=7)
    with app.app_context():
        assert deliver_due(now=now) == 1  # the first gets through: the server is back...
        assert deliver_due(now=now) == 2  # ...so the others go now, not at minute 11
        assert deliver_due(now=now) == 0  # the claimed one stays with its worker
    assert [m.sent_at for m in rows(app)] == [now, now, now, None]
    assert len(server.received) == 3


def test_a_recipient_refused_by_the_server_is_retried_hours_apart(
    app, council, server, monkeypatch
):
    """A refusal of this message (not the server failing) would be refused again: it keeps
    the long back-off, and does not hold back the other messages."""
    refused = smtplib.SMTPRecipientsRefused({"r0@example.org": (550, b"No such user")})
    server.down = False

    def refuse_r0(message):
        if message["To"] == "r0@example.org":
            raise refused
        server.received.append(message)

    monkeypatch.setattr(katilim.mail, "_send_smtp", refuse_r0)
    queue(app, 2)
    start = utcnow()
    with app.app_context():
        assert deliver_due(now=start) == 1
        message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))
        message.attempts = 8
        db.session.commit()
        assert deliver_due(now=start + timedelta(minutes=2)) == 0
    (waiting,) = [m for m in rows(app) if m.sent_at is None]
    assert waiting.attempts == 9
    assert waiting.send_after == start + timedelta(minutes=2) + timedelta(hours=6)
    assert "SMTPRecipientsRefused" in waiting.last_error


def test_a_claimed_message_waits_until_the_claim_expires(app, council):
    queue(app, 1)
    now = utcnow()
    with app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        message.claimed_until = now + timedelta(minutes=1)  # a worker is sending it
        db.session.commit()
        assert deliver_due(now=now) == 0
        # That worker died: after its claim ran out the message is sent.
        assert deliver_due(now=now + timedelta(minutes=2)) == 1


def test_a_worker_skips_messages_another_worker_sent_meanwhile(app, council, monkeypatch):
    """The interleaving that matters, made deterministic: worker A has read its list of due
    messages; while A sends the first, worker B (its own session) sends the rest."""
    queue(app, 4)
    sent = []

    def deliver_then_let_b_run(message):
        sent.append(message["Subject"])
        if len(sent) == 1:
            with app.app_context():  # worker B
                deliver_due()

    monkeypatch.setattr(katilim.notifications.outbox, "deliver", deliver_then_let_b_run)
    with app.app_context():  # worker A
        assert deliver_due() == 1
    assert sorted(sent) == [f"Konu {i}" for i in range(4)]
    assert all(m.sent_at is not None for m in rows(app))


def test_racing_workers_never_send_a_message_twice(app, council, monkeypatch):
    """Four workers at once on PostgreSQL (threads, each with its own session); SQLite
    allows one writer at a time, so there they take turns."""
    queue(app, 40)
    sent, lock = [], threading.Lock()

    def slow_deliver(message):
        time.sleep(0.002)  # long enough for the workers to overlap
        with lock:
            sent.append(message["Subject"])

    monkeypatch.setattr(katilim.notifications.outbox, "deliver", slow_deliver)
    results = []

    def worker():
        with app.app_context():
            results.append(deliver_due(batch=40))

    with app.app_context():
        concurrent = db.engine.dialect.name == "postgresql"
    if concurrent:
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        for _ in range(4):
            worker()
    assert sum(results) == 40
    assert sorted(sent) == sorted(f"Konu {i}" for i in range(40))
    assert all(m.sent_at is not None for m in rows(app))


def test_send_mail_command_sends_what_is_due(app, council, outbox):
    queue(app, 2)
    result = app.test_cli_runner().invoke(args=["send-mail", "--batch", "10"])
    assert result.exit_code == 0, result.output
    assert "2 e-mail(s) sent." in result.output
    assert len(app.extensions["mail_outbox"]) == 2


def test_send_digests_command_links_to_the_public_site(app, council, monkeypatch):
    # Run by cron there is no request: links use SITE_URL.
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    monkeypatch.setitem(app.config, "SITE_URL", "https://katilim.example.org")
    with app.app_context():
        proposal = make_proposal()
        reader = make_reader(frequency="daily", locale="en")  # e-mails go in its language
        follow_proposal(reader, proposal)
        add_event(proposal, EventKind.ANSWERED, text="Yanıt")
        db.session.commit()
        proposal_id = proposal.id
    result = app.test_cli_runner().invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    assert "1 digest(s) queued" in result.output
    (message,) = rows(app)
    assert message.subject == "Your daily summary from Katılım"
    assert f"https://katilim.example.org/proposals/{proposal_id}" in message.body_text
    assert "https://katilim.example.org/unsubscribe/" in message.headers
