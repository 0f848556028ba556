"""A photo of a proposal, kept as two re-encoded files (large and small) and its alt text."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from katilim.core.models import TZDateTime, utcnow
from katilim.extensions import Model


class ProposalPhoto(Model):
    __tablename__ = "proposal_photos"
    __table_args__ = (Index("ix_proposal_photos_proposal_position", "proposal_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Written by the author for those who cannot see the picture (required).
    alt_text: Mapped[str] = mapped_column(String(250))
    # Random names of the stored files (katilim/photos/storage.py); never derived from the
    # uploaded file's name.
    large_key: Mapped[str] = mapped_column(String(80), unique=True)
    small_key: Mapped[str] = mapped_column(String(80), unique=True)
    width: Mapped[int] = mapped_column(Integer)  # of the large file
    height: Mapped[int] = mapped_column(Integer)
    small_width: Mapped[int] = mapped_column(Integer)
    small_height: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)  # both files together
    hidden_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    def __repr__(self) -> str:
        return f"<ProposalPhoto {self.id} of {self.proposal_id}>"
