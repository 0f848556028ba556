"""A proposal's public timeline: every step anyone took on it, in order."""

from katilim.extensions import db
from katilim.proposals.models import ProposalEvent


def add_event(proposal, actor, kind, *, from_value=None, to_value=None, text=None) -> ProposalEvent:
    """Write one public timeline entry of the proposal (flushed, so it has an id)."""
    event = ProposalEvent(
        proposal=proposal,
        actor_id=actor.id if actor else None,
        kind=kind,
        from_value=from_value,
        to_value=to_value,
        text=(text or "").strip() or None,
    )
    db.session.add(event)
    db.session.flush()
    return event
