"""Who may edit a comment, and who may read its earlier versions."""

from datetime import datetime, timedelta

from flask import current_app

from katilim.comments.models import Comment
from katilim.core.models import utcnow
from katilim.organization.services import is_moderator_of
from katilim.proposals.models import Proposal
from katilim.proposals.permissions import is_participant


def edit_window() -> timedelta:
    return timedelta(minutes=current_app.config["COMMENT_EDIT_MINUTES"])


def edit_deadline(comment: Comment) -> datetime:
    return comment.created_at + edit_window()


def can_edit_comment(
    user, comment: Comment, *, has_replies: bool, now: datetime | None = None
) -> bool:
    """Its author, while nobody has replied and for COMMENT_EDIT_MINUTES after posting
    (whichever ends first): a reply answers the words as they were, so they stay."""
    return bool(
        is_participant(user)
        and comment.author_id == user.id
        and not comment.is_hidden
        and not has_replies
        and (now or utcnow()) < edit_deadline(comment)
    )


def can_see_revisions(user, proposal: Proposal) -> bool:
    """Moderators of the proposal's body (and admins) read a comment's earlier versions: the
    same people who moderate it (``moderation.permissions.can_moderate``)."""
    return is_moderator_of(user, proposal.body)
