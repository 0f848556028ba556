"""A resident's application to, and membership of, a body as a volunteer.

Not the moderators' and chairs' roles (katilim.organization.models.Membership): a volunteer
has no right over the body's proposals. Membership of a civil body can reveal opinions, so
names are shown only with the person's own, withdrawable consent (``is_listed``).
"""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from katilim.core.models import TimestampMixin, TZDateTime, str_enum
from katilim.extensions import Model

if TYPE_CHECKING:  # for the relationships' annotations; the mapper resolves the names
    from katilim.auth.models import User
    from katilim.organization.models import Body


class VolunteerStatus(enum.StrEnum):
    APPLIED = "applied"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    LEFT = "left"


VOLUNTEER_STATUS_LABELS = {
    VolunteerStatus.APPLIED: _l("Applied"),
    VolunteerStatus.ACCEPTED: _l("Member"),
    VolunteerStatus.DECLINED: _l("Declined"),
    VolunteerStatus.LEFT: _l("Left"),
}


class BodyVolunteer(TimestampMixin, Model):
    """One person's application to one body, and what became of it (one row per pair: a
    person who left or was declined may apply again, which reopens the row)."""

    __tablename__ = "body_volunteers"
    __table_args__ = (
        UniqueConstraint("body_id", "user_id"),
        # A body's members and its open applications.
        Index("ix_body_volunteers_body_status", "body_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[VolunteerStatus] = mapped_column(
        str_enum(VolunteerStatus), default=VolunteerStatus.APPLIED
    )
    motivation: Mapped[str] = mapped_column(Text, default="")
    # The person agreed to be named on the body's page (withdrawable at any time).
    is_listed: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decline_reason: Mapped[str | None] = mapped_column(Text)
    left_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    body: Mapped["Body"] = relationship()  # noqa: F821
    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821

    @property
    def status_label(self) -> str:
        return str(VOLUNTEER_STATUS_LABELS[self.status])
