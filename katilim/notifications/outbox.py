"""The send-mail worker's loop body: claim due messages one by one, send, record the result.

Safe to run from several processes at once: a message is claimed with a conditional UPDATE
that only one worker can win (rowcount 1), and the claim is committed before the message is
sent, so no database transaction stays open while a mail server is slow. A claim expires after
CLAIM_FOR, so a worker that dies mid-send delays its message but does not lose it (the price
is that such a message may, rarely, be sent twice: at least once, never lost).

While the mail server fails, messages are retried 2, 4 … minutes apart, at most
MAIL_RETRY_MAX_MINUTES (5) apart, and when a message that had failed gets through, the others
waiting out their back-off are due at once: after an outage of hours the backlog goes out
within minutes of the server's return. A message the server refuses for good (5xx for its
recipient or content) backs off up to six hours instead.
"""

import smtplib
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from katilim.core.models import affected_rows, utcnow
from katilim.extensions import db
from katilim.mail import build_message, deliver
from katilim.mail.models import OutboxMessage

CLAIM_FOR = timedelta(minutes=5)
# A message the server refused (its recipient or its content) would be refused again: it is
# retried at most this far apart. A server that fails (down, unreachable, busy, refusing
# everyone) is retried MAIL_RETRY_MAX_MINUTES apart, so that the backlog goes out within
# minutes of its return, and as soon as one message gets through the others go at once.
MAX_BACKOFF = timedelta(hours=6)


def backoff(attempts: int, most: timedelta) -> timedelta:
    """How long to wait after the n-th failure: 2, 4, 8 … minutes, at most ``most``."""
    # Capping the exponent first keeps 2**attempts small after weeks of failures.
    return min(timedelta(minutes=2 ** min(attempts, 16)), most)


def refused_by_the_server(error: Exception) -> bool:
    """The server answered and refused this message for good (5xx for its recipients or its
    content), rather than failing for every message (unreachable, 4xx, wrong password)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and 500 <= error.smtp_code < 600


def _retry_after(error: Exception) -> timedelta:
    if refused_by_the_server(error):
        return MAX_BACKOFF
    return timedelta(minutes=current_app.config.get("MAIL_RETRY_MAX_MINUTES", 5))


def _is_due(now: datetime):
    return (
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.send_after <= now,
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


def _release_waiting(now: datetime) -> None:
    """The server is back: the messages waiting out a back-off are due now. Only the timing
    changes; each is still claimed before it is sent, so none is sent twice."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.attempts > 0,
            OutboxMessage.send_after > now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .values(send_after=now)
        .execution_options(synchronize_session=False)
    )


def _claim(message_id: int, now: datetime) -> bool:
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, *_is_due(now))
        .values(claimed_until=now + CLAIM_FOR)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()  # the claim must be visible to the other workers before we send
    return affected_rows(result) == 1


def deliver_due(batch: int = 50, now: datetime | None = None) -> int:
    """Send up to ``batch`` due messages; return how many were sent.

    ``now`` is for tests; by default the clock is read for each message.
    """
    clock = (lambda: now) if now is not None else utcnow
    candidates = list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(*_is_due(clock()))
            .order_by(OutboxMessage.send_after, OutboxMessage.id)
            .limit(batch)
        )
    )
    db.session.commit()  # end the reading transaction: each message gets its own
    sent = 0
    for message_id in candidates:
        claimed_at = clock()
        if not _claim(message_id, claimed_at):
            continue  # another worker has it, or has sent it already
        message = db.session.get(OutboxMessage, message_id)
        if message is None:  # removed since it was claimed (an account deleted meanwhile)
            continue
        try:
            deliver(build_message(message))
        except Exception as error:  # any failure of the backend: keep the message, retry later
            message.attempts += 1
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            message.send_after = clock() + backoff(message.attempts, _retry_after(error))
            message.claimed_until = None
            current_app.logger.warning(
                "E-mail %s to %s failed (attempt %s), retrying after %s: %s",
                message.id,
                message.recipient,
                message.attempts,
                message.send_after.isoformat(timespec="seconds"),
                message.last_error,
            )
        else:
            message.sent_at = clock()
            message.claimed_until = None
            sent += 1
            if message.attempts > 0:  # it had failed before: the server is back
                _release_waiting(message.sent_at)
        db.session.commit()
    return sent
