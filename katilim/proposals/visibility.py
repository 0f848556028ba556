"""Which proposals a page may show, as SQL conditions: the one place for that rule.

Three pages mean three different things, each on purpose:

- ``is_public``: anyone may open it (its own page, the API's detail): of this council and not
  a draft. A hidden proposal is public without its texts; a withdrawn one is public, marked.
- ``is_listed``: the lists show it (the proposal list, tags, counts per body): public, not
  hidden, and not withdrawn unless that status is asked for.
- ``is_received``: the figures count it (response records, equity, representation): published,
  hidden and withdrawn ones included, because the body received them all the same.

``katilim.proposals.permissions.can_view`` is the same rule as ``is_public`` for one proposal
already loaded, with the author's and the admins' view of drafts added.
"""

from sqlalchemy import ColumnElement, and_, false

from katilim.proposals.models import PUBLIC_STATUSES, Proposal, ProposalStatus

# Withdrawn proposals stay public but leave the lists unless their status is asked for.
LISTED_STATUSES = PUBLIC_STATUSES - {ProposalStatus.WITHDRAWN}


def is_public(council_id: int) -> ColumnElement[bool]:
    """Anyone may open it: this council's, not a draft (hidden and withdrawn included)."""
    return and_(Proposal.council_id == council_id, Proposal.status != ProposalStatus.DRAFT)


def is_listed(council_id: int, status: ProposalStatus | None = None) -> ColumnElement[bool]:
    """The lists show it: public and not hidden; ``status`` narrows to one status (withdrawn
    ones only then; a draft never)."""
    if status == ProposalStatus.DRAFT:
        return false()  # drafts are private, even when asked for
    return and_(
        Proposal.council_id == council_id,
        Proposal.is_hidden.is_(False),
        # Always true of a listed proposal; said so that the newest-first walk of
        # ix_proposals_council_published skips the unpublished drafts (NULLs sort first).
        Proposal.published_at.is_not(None),
        Proposal.status == status if status else Proposal.status.in_(LISTED_STATUSES),
    )


def is_received(council_id: int) -> ColumnElement[bool]:
    """The figures count it: published, hidden and withdrawn ones included, as the body
    received them; unlike the lists, which leave those out."""
    return and_(is_public(council_id), Proposal.published_at.is_not(None))


def is_received_by_any(council_ids: list[int]) -> ColumnElement[bool]:
    """``is_received`` for several councils at once (a province's district councils)."""
    return and_(
        Proposal.council_id.in_(council_ids),
        Proposal.status != ProposalStatus.DRAFT,
        Proposal.published_at.is_not(None),
    )
