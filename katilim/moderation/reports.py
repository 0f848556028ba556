"""Reports of proposals and comments, and how moderators handle them."""

from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from katilim.audit.services import record
from katilim.comments.models import Comment
from katilim.core.errors import InvalidTransition, PermissionDenied
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.moderation.models import Flag, FlagReason, FlagResolution
from katilim.moderation.permissions import can_report
from katilim.moderation.services import (
    ReasonRequired,
    check_moderator,
    hide_comment,
    hide_proposal,
    proposal_of,
)
from katilim.notifications.services import notify_reviewers
from katilim.proposals.models import Proposal


def report_content(
    reporter,
    *,
    reason: FlagReason,
    note: str = "",
    proposal: Proposal | None = None,
    comment: Comment | None = None,
) -> Flag:
    """A resident reports a proposal or a comment; the time it was received is kept."""
    if not can_report(reporter):
        raise PermissionDenied(_("Please verify your e-mail address before you report content."))
    if (proposal is None) == (comment is None):
        raise ValueError("report exactly one proposal or comment")
    flag = Flag(
        proposal_id=proposal.id if proposal else None,
        comment_id=comment.id if comment else None,
        reporter_id=reporter.id,
        reason=reason,
        note=note.strip(),
    )
    db.session.add(flag)
    db.session.flush()
    target = proposal if proposal is not None else proposal_of(comment)  # type: ignore[arg-type]
    notify_reviewers(target, "reported", skip={reporter.id})
    return flag


def flag_target_proposal(flag: Flag) -> Proposal:
    if flag.proposal_id is not None:
        proposal = db.session.get(Proposal, flag.proposal_id)
    else:
        comment = db.session.get(Comment, flag.comment_id)
        proposal = None if comment is None else proposal_of(comment)
    if proposal is None:  # a report is removed with its target (ON DELETE CASCADE)
        raise LookupError(f"report {flag.id} has no target")
    return proposal


def resolve_flag(moderator, flag: Flag, resolution: FlagResolution, note: str) -> Flag:
    """Handle a report: hide the content (with the note as the public reason) or dismiss it."""
    proposal = flag_target_proposal(flag)
    check_moderator(moderator, proposal)
    if flag.resolved_at is not None:
        raise InvalidTransition(_("This report has already been handled."))
    if not note.strip():
        raise ReasonRequired(_("Please write what you decided and why."))
    if resolution == FlagResolution.HIDDEN:
        if flag.comment_id is not None:
            comment = db.session.get(Comment, flag.comment_id)
            if comment is not None and not comment.is_hidden:
                hide_comment(moderator, comment, note)
        elif not proposal.is_hidden:
            hide_proposal(moderator, proposal, note)
    flag.resolution = resolution
    flag.resolution_note = note.strip()
    flag.resolved_at = utcnow()
    flag.resolved_by_id = moderator.id
    record(moderator, "flag.resolve", flag, resolution=resolution.value, note=note.strip()[:500])
    db.session.flush()
    return flag


def open_flag_counts(proposal_ids: list[int]) -> dict[int, int]:
    """Open reports per proposal, counting reports on its comments too (one query)."""
    if not proposal_ids:
        return {}
    target = func.coalesce(Flag.proposal_id, Comment.proposal_id)
    rows = db.session.execute(
        select(target, func.count())
        .select_from(Flag)
        .outerjoin(Comment, Comment.id == Flag.comment_id)
        .where(Flag.resolved_at.is_(None), target.in_(proposal_ids))
        .group_by(target)
    )
    return dict(rows.all())


def has_open_flags(proposal_id_column):
    """SQL condition: the proposal (or one of its comments) has an open report."""
    on_comment = (
        select(Flag.id)
        .join(Comment, Comment.id == Flag.comment_id)
        .where(Comment.proposal_id == proposal_id_column, Flag.resolved_at.is_(None))
    )
    on_proposal = select(Flag.id).where(
        Flag.proposal_id == proposal_id_column, Flag.resolved_at.is_(None)
    )
    return exists(on_proposal) | exists(on_comment)
