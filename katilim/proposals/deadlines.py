"""A proposal's answer deadline: its body's response days after publication, while it waits
for a decision and has no public answer (docs/rules.md#answer-deadline).

The one rule for the queue's "overdue" mark and filter, the moderators' warnings before the
deadline and the weekly reports; the public response record (katilim/stats) counts the
days to the first answer from the same columns.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, false, or_

from katilim.organization.models import Body
from katilim.proposals.models import Proposal, ProposalStatus

AWAITING_ANSWER = (ProposalStatus.NEW, ProposalStatus.UNDER_REVIEW)


def answer_deadline(proposal: Proposal) -> datetime | None:
    """When the body's answer is due; None when nothing is due (answered, decided, no body)."""
    if (
        proposal.body is None
        or proposal.published_at is None
        or proposal.first_answer_at is not None
        or proposal.status not in AWAITING_ANSWER
    ):
        return None
    return proposal.published_at + timedelta(days=proposal.body.response_days)


def is_overdue(proposal: Proposal, now: datetime) -> bool:
    deadline = answer_deadline(proposal)
    return deadline is not None and deadline < now


def _due_before(bodies: list[Body], moment: datetime):
    """SQL: waiting for an answer that is due before ``moment``."""
    # Bodies share a few response times (most keep the default 30 days), so one comparison per
    # distinct response time keeps the statement short whatever the number of bodies.
    by_days: dict[int, list[int]] = defaultdict(list)
    for body in bodies:
        by_days[body.response_days].append(body.id)
    late = [
        and_(Proposal.body_id.in_(ids), Proposal.published_at < moment - timedelta(days=days))
        for days, ids in sorted(by_days.items())
    ]
    return and_(
        Proposal.status.in_(AWAITING_ANSWER),
        Proposal.first_answer_at.is_(None),
        or_(*late) if late else false(),
    )


def overdue_condition(bodies: list[Body], now: datetime):
    """SQL: no public answer after the body's own deadline (bodies: those to look at)."""
    return _due_before(bodies, now)


def due_within_condition(bodies: list[Body], now: datetime, within: timedelta):
    """SQL: not overdue yet, but due before ``now + within``."""
    return and_(
        _due_before(bodies, now + within),
        ~overdue_condition(bodies, now),
    )
