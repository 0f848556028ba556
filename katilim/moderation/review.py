"""What the moderators' review page of one proposal shows, read in one place."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from katilim.comments.models import Comment
from katilim.extensions import db
from katilim.moderation.models import AnswerTemplate, Flag
from katilim.moderation.queries import marks_of, templates_of_body
from katilim.organization.models import Body, Council
from katilim.organization.services import list_bodies
from katilim.proposals.models import Proposal

MAX_COMMENTS = 200  # the review page lists comments to hide; a longer thread is paged publicly


@dataclass
class ReviewPage:
    """The review page's data; the forms are built by the route from ``bodies``."""

    proposal: Proposal
    marks: list[str]
    flags: list[Flag]
    comments: list[Comment]
    templates: list[AnswerTemplate]
    event_bodies: dict[str, Body]  # the bodies named in the timeline, by slug
    bodies: list[Body]  # every body of the council, inactive ones too: re-routing choices


def proposal_flags(proposal: Proposal) -> list[Flag]:
    """Reports on the proposal and on its comments, oldest first, resolved ones too."""
    return list(
        db.session.scalars(
            select(Flag)
            .outerjoin(Comment, Comment.id == Flag.comment_id)
            .where((Flag.proposal_id == proposal.id) | (Comment.proposal_id == proposal.id))
            .options(joinedload(Flag.comment))
            .order_by(Flag.created_at)
        )
    )


def review_comments(proposal: Proposal) -> list[Comment]:
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.proposal_id == proposal.id)
            .options(joinedload(Comment.author))
            .order_by(Comment.id)
            .limit(MAX_COMMENTS)
        )
    )


def review_page(council: Council, proposal: Proposal, now: datetime) -> ReviewPage:
    flags = proposal_flags(proposal)
    open_count = sum(1 for f in flags if f.resolved_at is None)
    body_slugs = {e.to_value for e in proposal.events if e.to_value} | {
        e.from_value for e in proposal.events if e.from_value
    }
    bodies = list_bodies(council, active_only=False)  # once: timeline names and re-routing
    return ReviewPage(
        proposal=proposal,
        marks=marks_of(proposal, open_count, now),
        flags=flags,
        comments=review_comments(proposal),
        templates=templates_of_body(proposal.body_id) if proposal.body_id else [],
        event_bodies={b.slug: b for b in bodies if b.slug in body_slugs},
        bodies=bodies,
    )
