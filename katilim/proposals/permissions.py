"""Who may do what with a proposal. Routes, templates and services all ask these."""

from katilim.organization.services import is_moderator_of
from katilim.proposals.models import Proposal, ProposalStatus

EDITABLE = frozenset({ProposalStatus.DRAFT, ProposalStatus.NEW})
# Not drafts: a withdrawn proposal is public, so withdrawing a draft would publish it.
WITHDRAWABLE = frozenset({ProposalStatus.NEW, ProposalStatus.UNDER_REVIEW})


def is_participant(user) -> bool:
    """A signed-in resident whose e-mail is verified may submit, vote and comment."""
    return bool(getattr(user, "is_authenticated", False) and user.is_verified)


def is_author(user, proposal: Proposal) -> bool:
    return bool(getattr(user, "is_authenticated", False) and proposal.author_id == user.id)


def can_view(user, proposal: Proposal) -> bool:
    """Drafts are seen by their author (and admins) only; everything else is public
    (``visibility.is_public`` is the same rule in SQL)."""
    if proposal.status == ProposalStatus.DRAFT:
        return is_author(user, proposal) or bool(
            getattr(user, "is_authenticated", False) and user.is_admin
        )
    return True


def can_see_hidden_content(user, proposal: Proposal) -> bool:
    return is_author(user, proposal) or is_moderator_of(user, proposal.body)


def can_submit(user) -> bool:
    return is_participant(user)


def can_edit(user, proposal: Proposal) -> bool:
    """The author edits until review starts (docs/rules.md#who-may-do-what)."""
    return is_author(user, proposal) and proposal.status in EDITABLE and not proposal.is_hidden


def can_publish(user, proposal: Proposal) -> bool:
    return (
        is_author(user, proposal)
        and is_participant(user)
        and proposal.status == ProposalStatus.DRAFT
    )


def can_withdraw(user, proposal: Proposal) -> bool:
    """The author may withdraw from any state before a decision."""
    return is_author(user, proposal) and proposal.status in WITHDRAWABLE


def can_vote(user, proposal: Proposal) -> bool:
    return is_participant(user) and proposal.is_voting_open


def can_comment(user, proposal: Proposal) -> bool:
    return (
        is_participant(user) and proposal.status != ProposalStatus.DRAFT and not proposal.is_hidden
    )
