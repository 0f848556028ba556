"""Who may moderate what: moderators and chairs of a body act on its proposals; admins
act everywhere, including the general queue of proposals that have no body yet."""

from katilim.organization.services import is_moderator_of
from katilim.proposals.models import Proposal, ProposalStatus
from katilim.proposals.permissions import is_participant


def can_moderate(user, proposal: Proposal) -> bool:
    return is_moderator_of(user, proposal.body)


def can_refer(user, proposal: Proposal, parent_id: int | None) -> bool:
    """A district council's moderators of the proposal may refer it to their provincial council
    (``parent_id``, None when the council has none), before any decision."""
    return (
        parent_id is not None
        and proposal.status in (ProposalStatus.NEW, ProposalStatus.UNDER_REVIEW)
        and can_moderate(user, proposal)
    )


def can_use_queue(user) -> bool:
    """Admins and anyone with a moderator or chair membership."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_admin or bool(user.memberships)


def moderated_body_ids(user) -> set[int] | None:
    """The bodies whose queue the user sees; None means every body (admins)."""
    if user.is_admin:
        return None
    return {m.body_id for m in user.memberships}


def can_report(user) -> bool:
    """Verified residents may report content (unverified accounts could flood the queue)."""
    return is_participant(user)
