"""Votes: one per person and proposal, for (+1) or against (-1). Always secret."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from katilim.core.models import TZDateTime, utcnow
from katilim.extensions import Model


class Vote(Model):
    __tablename__ = "votes"
    __table_args__ = (
        # The database, not only the code, makes a second vote impossible.
        UniqueConstraint("proposal_id", "user_id"),
        CheckConstraint("value IN (-1, 1)", name="value_is_plus_or_minus_one"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    # NULL once the voter deleted their account: a vote on a closed proposal is kept, without
    # the person (katilim/privacy/deletion.py); NULLs never collide in the unique constraint.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, onupdate=utcnow)
