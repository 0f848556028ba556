"""The support threshold: enough supports oblige the body to put a proposal on its agenda.

Both a vote and a merge can carry a proposal over its body's threshold, so the check lives
with proposals, below voting and moderation, which call it.
"""

from sqlalchemy import update

from katilim.core.models import affected_rows, utcnow
from katilim.extensions import db
from katilim.notifications.services import follower_ids, notify_users
from katilim.organization.services import reviewer_ids
from katilim.proposals.models import EventKind, Proposal, ProposalStatus
from katilim.proposals.timeline import add_event


def check_threshold(proposal: Proposal) -> bool:
    """Mark the proposal when its supports reach its body's threshold, once, and tell the
    body's moderators: such proposals must be put on the body's agenda
    (docs/rules.md#support-threshold)."""
    body = proposal.body
    if body is None or proposal.supports_count < body.support_threshold:
        return False
    if proposal.threshold_reached_at is not None or proposal.status not in (
        ProposalStatus.NEW,
        ProposalStatus.UNDER_REVIEW,
    ):
        return False
    result = db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.threshold_reached_at.is_(None))
        .values(threshold_reached_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    if affected_rows(result) != 1:  # a concurrent vote got there first
        return False
    db.session.refresh(proposal, ["threshold_reached_at"])
    event = add_event(
        proposal, None, EventKind.THRESHOLD_REACHED, to_value=str(body.support_threshold)
    )
    # The reviewers (the admins while the body has no moderator) must put it on the agenda.
    notify_users(reviewer_ids(body) | follower_ids(proposal), proposal, "threshold", event=event)
    return True
