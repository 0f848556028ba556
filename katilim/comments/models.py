"""Threaded comments on proposals, each with an optional stance, and their earlier versions."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from katilim.core.models import TZDateTime, str_enum, utcnow
from katilim.extensions import Model

if TYPE_CHECKING:  # for the relationships' annotations; the mapper resolves the names
    from katilim.auth.models import User

MAX_DEPTH = 3  # a comment, a reply, a reply to the reply: deep enough to talk, flat on phones


class Stance(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    QUESTION = "question"


STANCE_LABELS = {
    Stance.FOR: _l("For"),
    Stance.AGAINST: _l("Against"),
    Stance.QUESTION: _l("Question"),
}


class Comment(Model):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_proposal_root", "proposal_id", "parent_id", "id"),
        Index("ix_comments_root", "root_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    # The top-level comment of the thread, so that a page loads whole threads in one query.
    root_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"))
    depth: Mapped[int] = mapped_column(Integer, default=0)
    # None: a plain comment, neither for nor against.
    stance: Mapped[Stance | None] = mapped_column(str_enum(Stance))
    text: Mapped[str] = mapped_column(Text)
    text_html: Mapped[str] = mapped_column(Text, default="")
    # The writer's reading language when posting: lang/dir on the text for screen readers.
    language: Mapped[str] = mapped_column(String(8), default="tr")
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    # Shown as "Anonymous resident"; moderators see a pseudonym (katilim/proposals/authors.py).
    is_pseudonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(TZDateTime())

    author: Mapped["User | None"] = relationship()  # noqa: F821

    @property
    def stance_label(self) -> str:
        return str(STANCE_LABELS[self.stance]) if self.stance else ""


class CommentRevision(Model):
    """An earlier version of an edited comment, for moderators (katilim/comments/services.py).

    ``edited_at`` is when this text was replaced; it was written at the previous revision's
    ``edited_at``, or the comment's ``created_at`` for the first. It goes with the comment,
    and with the author's account (katilim/privacy/deletion.py).
    """

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    stance: Mapped[Stance | None] = mapped_column(str_enum(Stance))
    edited_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, index=True)

    @property
    def stance_label(self) -> str:
        return str(STANCE_LABELS[self.stance]) if self.stance else ""
