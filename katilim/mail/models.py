"""The e-mail outbox: messages written with the change that caused them, sent later."""

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from katilim.core.models import TZDateTime, utcnow
from katilim.extensions import Model


class OutboxMessage(Model):
    """An e-mail waiting to be sent, written in the same transaction as its cause.

    The send-mail worker claims a message by setting ``claimed_until`` with a conditional
    UPDATE, so several workers never send the same message; a failure pushes
    ``send_after`` back (exponential back-off) instead of losing it.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_due", "sent_at", "send_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    headers: Mapped[str] = mapped_column(Text, default="")  # "Name: value" lines
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    send_after: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(TZDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(TZDateTime())
