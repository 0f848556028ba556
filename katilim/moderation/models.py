"""Reports of content (Law 5651 flow) and the answer templates each body keeps."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from katilim.core.models import TZDateTime, str_enum, utcnow
from katilim.extensions import Model

if TYPE_CHECKING:  # for the relationships' annotations; the mapper resolves the names
    from katilim.auth.models import User
    from katilim.comments.models import Comment
    from katilim.proposals.models import Proposal


class FlagReason(enum.StrEnum):
    SPAM = "spam"
    INSULT = "insult"
    HATE_SPEECH = "hate_speech"
    PERSONAL_DATA = "personal_data"
    PERSONALITY_RIGHTS = "personality_rights"  # Law 5651 art. 9 complaint
    OTHER = "other"


FLAG_REASON_LABELS = {
    FlagReason.SPAM: _l("Spam or advertising"),
    FlagReason.INSULT: _l("Insult or harassment"),
    FlagReason.HATE_SPEECH: _l("Hate speech or discrimination"),
    FlagReason.PERSONAL_DATA: _l("Someone's personal data"),
    FlagReason.PERSONALITY_RIGHTS: _l("It violates my personality rights (Law 5651 art. 9)"),
    FlagReason.OTHER: _l("Something else"),
}


class FlagResolution(enum.StrEnum):
    HIDDEN = "hidden"  # the content was hidden
    DISMISSED = "dismissed"  # no rule was broken


class Flag(Model):
    """A report of a proposal or a comment; received and handled times are kept."""

    __tablename__ = "flags"
    __table_args__ = (
        CheckConstraint(
            "(proposal_id IS NOT NULL AND comment_id IS NULL)"
            " OR (proposal_id IS NULL AND comment_id IS NOT NULL)",
            name="one_target",
        ),
        Index("ix_flags_open", "resolved_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[FlagReason] = mapped_column(str_enum(FlagReason))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[FlagResolution | None] = mapped_column(str_enum(FlagResolution))
    resolution_note: Mapped[str | None] = mapped_column(Text)

    proposal: Mapped["Proposal | None"] = relationship()  # noqa: F821
    comment: Mapped["Comment | None"] = relationship()  # noqa: F821
    reporter: Mapped["User | None"] = relationship(foreign_keys=[reporter_id])  # noqa: F821

    @property
    def reason_label(self) -> str:
        return str(FLAG_REASON_LABELS[self.reason])


class AnswerTemplate(Model):
    """A reusable public answer of one body (e.g. "Thank you, we forwarded it to ...")."""

    __tablename__ = "answer_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class MergeRecord(Model):
    """What a merge changed, so that an admin can undo it exactly (docs/rules.md#merging):
    the duplicate's status and first-answer time before, and every vote it had (below)."""

    __tablename__ = "merge_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    target_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_events.id", ondelete="SET NULL")
    )
    previous_status: Mapped[str] = mapped_column(String(20))
    previous_first_answer_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    votes: Mapped[list["MergedVote"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class MergedVote(Model):
    """One vote the duplicate had when it was merged: moved to the target (same row id), or
    deleted because its owner had already voted there. Kept only to undo the merge; a voter
    who deletes the account takes the row along (ON DELETE CASCADE), as with any vote."""

    __tablename__ = "merged_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    merge_id: Mapped[int] = mapped_column(
        ForeignKey("merge_records.id", ondelete="CASCADE"), index=True
    )
    vote_id: Mapped[int] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[int] = mapped_column(SmallInteger)
    moved: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(TZDateTime())
    updated_at: Mapped[datetime] = mapped_column(TZDateTime())
