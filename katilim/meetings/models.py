"""Meetings of a body, their agenda items (with the decision taken on each) and the
residents registered to attend."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from katilim.core.models import TimestampMixin, TZDateTime, str_enum, utcnow
from katilim.extensions import Model

if TYPE_CHECKING:  # for the relationships' annotations; the mapper resolves the names
    from katilim.auth.models import User
    from katilim.organization.models import Body
    from katilim.proposals.models import Proposal, ProposalEvent


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    HELD = "held"  # the minutes are recorded


MEETING_STATUS_LABELS = {
    MeetingStatus.SCHEDULED: _l("Scheduled"),
    MeetingStatus.CANCELLED: _l("Cancelled"),
    MeetingStatus.HELD: _l("Held"),
}


class Meeting(TimestampMixin, Model):
    """One meeting of a body, in a place (with its accessibility) or online, or both."""

    __tablename__ = "meetings"
    __table_args__ = (
        # /meetings (every body, upcoming and past) and /bodies/<slug>/meetings, by date.
        Index("ix_meetings_council_starts", "council_id", "starts_at"),
        Index("ix_meetings_body_starts", "body_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"))
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    # Stored in UTC; entered and shown in Europe/Istanbul (katilim/core/dates.py).
    starts_at: Mapped[datetime] = mapped_column(TZDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    # The start before the meeting was last moved: the page says "moved from …".
    moved_from: Mapped[datetime | None] = mapped_column(TZDateTime())

    place_name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    is_step_free: Mapped[bool | None] = mapped_column(Boolean)  # None: not known
    sign_language_on_request: Mapped[bool] = mapped_column(Boolean, default=False)
    online_url: Mapped[str | None] = mapped_column(String(500))

    # Places for registered residents; None: no limit. The count is kept in the row and
    # changed by a conditional UPDATE, so two people cannot take the last place together.
    capacity: Mapped[int | None] = mapped_column(Integer)
    registrations_count: Mapped[int] = mapped_column(Integer, default=0)

    status: Mapped[MeetingStatus] = mapped_column(
        str_enum(MeetingStatus), default=MeetingStatus.SCHEDULED
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    # After the meeting: minutes (markdown, and its sanitised HTML) and how many came.
    minutes: Mapped[str | None] = mapped_column(Text)
    minutes_html: Mapped[str | None] = mapped_column(Text)
    attendance: Mapped[int | None] = mapped_column(Integer)
    minutes_recorded_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # When the day-before reminder went to registered people (sent once).
    reminder_sent_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, onupdate=utcnow)

    body: Mapped["Body"] = relationship()  # noqa: F821
    created_by: Mapped["User | None"] = relationship()  # noqa: F821
    agenda_items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting",
        order_by="AgendaItem.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def status_label(self) -> str:
        return str(MEETING_STATUS_LABELS[self.status])

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.registrations_count >= self.capacity


class AgendaItem(Model):
    """One item of a meeting's agenda: a proposal, or free text; and the decision taken."""

    __tablename__ = "agenda_items"
    __table_args__ = (UniqueConstraint("meeting_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str | None] = mapped_column(Text)  # a free-text item, or a note on a proposal
    decision: Mapped[str | None] = mapped_column(Text)
    # The status the chair applied with the decision (a ProposalStatus value), if any.
    applied_status: Mapped[str | None] = mapped_column(String(20))
    # The proposal's public timeline event that carries the decision.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_events.id", ondelete="SET NULL")
    )

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    proposal: Mapped["Proposal | None"] = relationship()  # noqa: F821
    event: Mapped["ProposalEvent | None"] = relationship()  # noqa: F821


class MeetingRegistration(Model):
    """A resident who will attend (counted in Meeting.registrations_count)."""

    __tablename__ = "meeting_registrations"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Asked for a sign-language interpreter (only when the meeting offers one on request).
    needs_sign_language: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    user: Mapped["User"] = relationship()  # noqa: F821
