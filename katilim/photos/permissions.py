"""Who may add, hide and see photos. Photos follow their proposal's rules."""

from katilim.organization.services import is_moderator_of
from katilim.photos.models import ProposalPhoto
from katilim.proposals import permissions as proposal_permissions
from katilim.proposals.models import Proposal


def can_add_photos(user, proposal: Proposal | None) -> bool:
    """A new proposal's author (anyone who may submit), or the author while it is editable."""
    if proposal is None:
        return proposal_permissions.can_submit(user)
    return proposal_permissions.can_edit(user, proposal)


def can_remove_photo(user, proposal: Proposal) -> bool:
    return proposal_permissions.can_edit(user, proposal)


def can_hide_photo(user, proposal: Proposal) -> bool:
    """The moderators of the proposal's body and the admins, as for comments."""
    return is_moderator_of(user, proposal.body)


def can_see_photo(user, proposal: Proposal, photo: ProposalPhoto) -> bool:
    """A photo is seen where its proposal's text is; a hidden one by its author and the
    moderators only."""
    if not proposal_permissions.can_view(user, proposal):
        return False
    if (photo.is_hidden or proposal.is_hidden) and not (
        proposal_permissions.can_see_hidden_content(user, proposal)
    ):
        return False
    return True


def is_public(proposal: Proposal, photo: ProposalPhoto) -> bool:
    """Seen by anyone: may be kept by shared caches."""
    return proposal.published_at is not None and not proposal.is_hidden and not photo.is_hidden
