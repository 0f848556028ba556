"""Casting, changing and taking back a vote, with counters that never drift.

Counters change by SQL expressions (``supports_count + 1``), not by values read earlier, so
concurrent voters never overwrite each other; the unique constraint on (proposal, user)
turns a double submission into a change of the one existing vote.
"""

from flask_babel import gettext as _
from sqlalchemy import delete, exc, select, update

from katilim.core.errors import InvalidTransition, PermissionDenied
from katilim.extensions import db
from katilim.moderation.services import check_threshold
from katilim.proposals import permissions
from katilim.proposals.models import Proposal
from katilim.voting.models import Vote

VALUES = (1, -1, 0)  # for, against, take back


def _shift_counters(proposal_id: int, old: int, new: int) -> None:
    changes = {}
    if old == 1 or new == 1:
        changes["supports_count"] = Proposal.supports_count + (1 if new == 1 else -1)
    if old == -1 or new == -1:
        changes["opposes_count"] = Proposal.opposes_count + (1 if new == -1 else -1)
    if changes:
        db.session.execute(
            update(Proposal).where(Proposal.id == proposal_id).values(**changes),
            execution_options={"synchronize_session": False},
        )


def get_vote_value(user, proposal: Proposal) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    value = db.session.scalar(
        select(Vote.value).where(Vote.proposal_id == proposal.id, Vote.user_id == user.id)
    )
    return value or 0


def cast_vote(user, proposal: Proposal, value: int) -> int:
    """Set the user's vote on a proposal to +1, -1, or 0 (taken back); return the new value.

    :raises PermissionDenied: if the user may not vote (not verified).
    :raises InvalidTransition: if voting on this proposal is closed.
    """
    if value not in VALUES:
        raise ValueError(value)
    if not permissions.is_participant(user):
        raise PermissionDenied(_("Please verify your e-mail address before you vote."))
    if not proposal.is_voting_open:
        raise InvalidTransition(_("Voting on this proposal is closed."))

    old = get_vote_value(user, proposal)
    if old == value:
        return value
    if old == 0:
        try:
            with db.session.begin_nested():
                db.session.add(Vote(proposal_id=proposal.id, user_id=user.id, value=value))
        except exc.IntegrityError:
            # The same person's other request inserted first: treat this one as a change.
            old = get_vote_value(user, proposal)
            if old == value:
                return value
    if old != 0:
        if value == 0:
            statement = delete(Vote)
        else:
            statement = update(Vote).values(value=value)
        result = db.session.execute(
            statement.where(
                Vote.proposal_id == proposal.id, Vote.user_id == user.id, Vote.value == old
            ),
            execution_options={"synchronize_session": False},
        )
        if result.rowcount != 1:  # changed by a concurrent request meanwhile: it won
            return get_vote_value(user, proposal)
    _shift_counters(proposal.id, old, value)
    db.session.flush()
    db.session.refresh(proposal, ["supports_count", "opposes_count"])
    if value == 1:
        check_threshold(proposal)
    return value
