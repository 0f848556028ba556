"""Follows and in-app notifications (the e-mail outbox is in katilim/mail/models.py)."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from katilim.core.models import TZDateTime, utcnow
from katilim.extensions import Model

if TYPE_CHECKING:  # for the relationships' annotations; the mapper resolves the names
    from katilim.meetings.models import Meeting
    from katilim.organization.models import Body
    from katilim.proposals.models import Proposal, ProposalEvent


class EmailFrequency(enum.StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    NEVER = "never"


class Follow(Model):
    """A person follows a proposal or a body (authors follow their own proposals)."""

    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("user_id", "proposal_id", name="uq_follows_user_proposal"),
        UniqueConstraint("user_id", "body_id", name="uq_follows_user_body"),
        CheckConstraint(
            "(proposal_id IS NOT NULL AND body_id IS NULL)"
            " OR (proposal_id IS NULL AND body_id IS NOT NULL)",
            name="one_target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    body_id: Mapped[int | None] = mapped_column(
        ForeignKey("bodies.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class Notification(Model):
    """One in-app notification: something happened to a proposal the person cares about."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at", "id"),
        Index("ix_notifications_digest", "emailed_at", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    # A notification is about a proposal, or a meeting (scheduled, moved, cancelled, a
    # reminder), or a body (a volunteer application, an admin's staffing alert).
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_events.id", ondelete="CASCADE")
    )
    # An EventKind value, or "threshold", "merged_vote", or a meeting's or body's kind of news.
    kind: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    # When the e-mail for it was queued (immediately or in a digest); None = not yet.
    emailed_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    proposal: Mapped["Proposal | None"] = relationship()  # noqa: F821
    meeting: Mapped["Meeting | None"] = relationship()  # noqa: F821
    body: Mapped["Body | None"] = relationship()  # noqa: F821
    event: Mapped["ProposalEvent | None"] = relationship()  # noqa: F821
