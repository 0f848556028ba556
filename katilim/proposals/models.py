"""Proposals, their tags, their public timeline and their kept revisions."""

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    DDL,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    event,
    false,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from katilim.core import fulltext
from katilim.core.models import TimestampMixin, TZDateTime, str_enum, utcnow
from katilim.extensions import Model, db

if TYPE_CHECKING:  # for the relationships' annotations; the mapper resolves the names
    from katilim.auth.models import User
    from katilim.organization.models import Body, District
    from katilim.photos.models import ProposalPhoto


class ProposalStatus(enum.StrEnum):
    DRAFT = "draft"
    NEW = "new"
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FORWARDED = "forwarded"
    IMPLEMENTED = "implemented"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


STATUS_LABELS = {
    ProposalStatus.DRAFT: _l("Draft"),
    ProposalStatus.NEW: _l("New"),
    ProposalStatus.UNDER_REVIEW: _l("Under review"),
    ProposalStatus.ACCEPTED: _l("Accepted"),
    ProposalStatus.REJECTED: _l("Rejected"),
    ProposalStatus.FORWARDED: _l("Forwarded to the municipal council"),
    ProposalStatus.IMPLEMENTED: _l("Implemented"),
    ProposalStatus.CLOSED: _l("Closed"),
    ProposalStatus.WITHDRAWN: _l("Withdrawn"),
}

# Statuses in which residents may still vote (docs/rules.md#votes).
VOTING_OPEN = frozenset(
    {
        ProposalStatus.NEW,
        ProposalStatus.UNDER_REVIEW,
        ProposalStatus.ACCEPTED,
        ProposalStatus.FORWARDED,
    }
)
# Statuses the public lists show without being asked for.
PUBLIC_STATUSES = frozenset(ProposalStatus) - {ProposalStatus.DRAFT}


class RoutingMethod(enum.StrEnum):
    CITIZEN = "citizen"  # the author chose the body
    SUGGESTION = "suggestion"  # suggested from the text, confirmed by the author
    MODERATOR = "moderator"  # a moderator or admin routed or re-routed it


proposal_tags = Table(
    "proposal_tags",
    db.metadata,
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Tag(Model):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)  # folded, for URLs and filters
    name: Mapped[str] = mapped_column(String(60))


class Proposal(TimestampMixin, Model):
    __tablename__ = "proposals"
    __table_args__ = (
        # One index per list the site shows: all public proposals, a body's, a district's,
        # each with the default newest-first order.
        # is_hidden and body_id in the index let the list's COUNT(*) and the per-body counts
        # (/bodies, the moderation queue) read the index alone (index-only scans: 3-5x faster
        # than reading 100k rows of text).
        Index(
            "ix_proposals_council_status_published",
            "council_id",
            "status",
            "is_hidden",
            "published_at",
            "body_id",
        ),
        # The whole council's list, newest first, read in index order (no sort of 100k rows).
        Index("ix_proposals_council_published", "council_id", "published_at", "id"),
        Index("ix_proposals_body_published", "body_id", "published_at"),
        Index("ix_proposals_district_published", "district_id", "published_at"),
        Index("ix_proposals_supports", "council_id", "supports_count"),
        Index("ix_proposals_comments", "council_id", "comments_count"),
        # The moderation queue and the statistics: a body's proposals by status and age.
        Index(
            "ix_proposals_body_status_published", "body_id", "status", "is_hidden", "published_at"
        ),
        # Search (PostgreSQL): trigrams of the folded text serve the word-prefix LIKE of
        # katilim.proposals.queries.apply_search as it is. SQLite cannot use an index for that
        # LIKE, so there the index is declared empty (WHERE 0): same name on both databases,
        # which keeps autogenerate quiet, and no space spent.
        Index(
            "ix_proposals_search",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            sqlite_where=false(),
        ),
        # Full-text search (katilim.core.fulltext): the weighted vector of the folded title,
        # summary and text. SQLite searches its FTS5 table instead: an empty placeholder
        # there, like ix_proposals_search.
        Index(
            "ix_proposals_search_vector",
            "search_vector",
            postgresql_using="gin",
            sqlite_where=false(),
        ),
        # The list filtered by the language proposals are written in.
        Index("ix_proposals_council_language_published", "council_id", "language", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"))
    # The district council it was referred from, when a district council's moderators sent it
    # to their provincial council (docs/rules.md, "Many councils"); its address there leads here.
    referred_from_id: Mapped[int | None] = mapped_column(ForeignKey("councils.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id"))
    routing_method: Mapped[RoutingMethod | None] = mapped_column(str_enum(RoutingMethod))
    # Set when a moderator confirmed a suggested routing (KVKK art. 11: no automated decision).
    routing_confirmed_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))

    title: Mapped[str] = mapped_column(String(150))
    summary: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    text_html: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="tr")
    search_text: Mapped[str] = mapped_column(Text, default="")
    # katilim.core.fulltext.search_vector: a tsvector on PostgreSQL, the same literal as text
    # on SQLite (where it feeds the FTS5 table proposals_fts).
    search_vector: Mapped[str] = mapped_column(
        Text().with_variant(TSVECTOR(), "postgresql"), default=""
    )

    status: Mapped[ProposalStatus] = mapped_column(
        str_enum(ProposalStatus), default=ProposalStatus.DRAFT
    )
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    # Published without the author's name: the public sees "Anonymous resident" (and the
    # district), moderators a stable pseudonym; only an audited admin action reveals the account.
    is_pseudonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # The facilitator who filed it for a person without internet (katilim/assist); the person
    # has no account, so author_id stays empty.
    assisted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    # Counters kept in the row, changed in the same transaction as the vote or comment.
    supports_count: Mapped[int] = mapped_column(Integer, default=0)
    opposes_count: Mapped[int] = mapped_column(Integer, default=0)
    comments_count: Mapped[int] = mapped_column(Integer, default=0)

    published_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    # Accountability figures, kept in the row so that queues and statistics need no joins.
    first_answer_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    threshold_reached_at: Mapped[datetime | None] = mapped_column(TZDateTime())
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Belediye Kanunu 5393 art. 76: forwarded to the municipal council, then on its agenda.
    forwarded_on: Mapped[date | None] = mapped_column(Date)
    agenda_on: Mapped[date | None] = mapped_column(Date)
    decision_reference: Mapped[str | None] = mapped_column(String(120))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    updated_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow, onupdate=utcnow)

    author: Mapped["User | None"] = relationship(foreign_keys=[author_id])  # noqa: F821
    reviewer: Mapped["User | None"] = relationship(foreign_keys=[reviewer_id])  # noqa: F821
    assisted_by: Mapped["User | None"] = relationship(foreign_keys=[assisted_by_id])  # noqa: F821
    merged_into: Mapped["Proposal | None"] = relationship(remote_side=[id])
    body: Mapped["Body | None"] = relationship()  # noqa: F821
    district: Mapped["District | None"] = relationship()  # noqa: F821
    tags: Mapped[list[Tag]] = relationship(secondary=proposal_tags, order_by=Tag.name)
    photos: Mapped[list["ProposalPhoto"]] = relationship(
        order_by="ProposalPhoto.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    events: Mapped[list["ProposalEvent"]] = relationship(
        back_populates="proposal",
        order_by="ProposalEvent.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def is_assisted(self) -> bool:
        return self.assisted_by_id is not None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def is_voting_open(self) -> bool:
        return self.status in VOTING_OPEN and not self.is_hidden

    @property
    def awaits_routing_confirmation(self) -> bool:
        return self.routing_method == RoutingMethod.SUGGESTION and self.routing_confirmed_at is None

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.status}>"


# The trigram operator class comes from the pg_trgm extension (trusted since PostgreSQL 13:
# the database owner may create it). The migration creates it too; this covers create_all.
event.listen(
    db.metadata,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)

# SQLite's FTS5 table and its delete trigger are made with the table, and written after
# every insert and update of a proposal (katilim.core.fulltext).
fulltext.install(Proposal)


class EventKind(enum.StrEnum):
    PUBLISHED = "published"
    ROUTED = "routed"
    REROUTED = "rerouted"
    EDITED = "edited"
    STATUS_CHANGED = "status_changed"
    ANSWERED = "answered"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"
    HIDDEN = "hidden"
    ROUTING_CONFIRMED = "routing_confirmed"
    ON_AGENDA = "on_agenda"  # the municipal council put it on its agenda
    THRESHOLD_REACHED = "threshold_reached"
    DISCUSSED = "discussed"  # on a body's meeting agenda; the text is the decision
    UNMERGED = "unmerged"  # an admin undid a merge
    # A district council referred it to its provincial council (from/to: the councils' slugs).
    REFERRED = "referred"


class ProposalEvent(Model):
    """One entry of a proposal's public timeline. Never edited or deleted."""

    __tablename__ = "proposal_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind))
    from_value: Mapped[str | None] = mapped_column(String(60))
    to_value: Mapped[str | None] = mapped_column(String(60))
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="events")
    actor: Mapped["User | None"] = relationship()  # noqa: F821


class ProposalRevision(Model):
    """The text of a published proposal as it was before an edit (edits are kept)."""

    __tablename__ = "proposal_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(150))
    summary: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
