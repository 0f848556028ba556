"""Reading photos: the one a link asks for, with its proposal, and what each reader sees."""

from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload

from katilim.extensions import db
from katilim.photos import permissions
from katilim.photos.models import ProposalPhoto
from katilim.proposals.models import Proposal


def photo_of_proposal(council_id: int, proposal_id: int, photo_id: int):
    """(proposal, photo) or (None, None): the photo must belong to that proposal of this
    council, so that a link cannot reach a photo through another proposal's rights."""
    row = db.session.execute(
        select(ProposalPhoto, Proposal)
        .join(Proposal, Proposal.id == ProposalPhoto.proposal_id)
        .where(
            ProposalPhoto.id == photo_id,
            Proposal.id == proposal_id,
            Proposal.council_id == council_id,
        )
        .options(joinedload(Proposal.body))
    ).first()
    return (row[1], row[0]) if row else (None, None)


def shown_photos(user, proposal: Proposal) -> list[ProposalPhoto]:
    """The photos a reader sees on the page (loaded with the proposal: no query)."""
    return [p for p in proposal.photos if permissions.can_see_photo(user, proposal, p)]


def first_public_photo(proposal: Proposal) -> ProposalPhoto | None:
    """The photo a list card and a shared link show: the first one anybody may see."""
    return next((p for p in proposal.photos if permissions.is_public(proposal, p)), None)


def card_photo(proposal: Proposal) -> ProposalPhoto | None:
    """The list card's picture, only where the list loaded the photos with its proposals
    (katilim/proposals/queries.with_list_relations): a card never runs a query of its own."""
    if "photos" in inspect(proposal).unloaded:
        return None
    return first_public_photo(proposal)
