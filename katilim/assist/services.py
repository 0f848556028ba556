"""Filing a proposal for a person without internet, and reading back what happened to it.

Services take the acting user first, check permissions again, raise DomainError subclasses,
flush and never commit: the route commits once.
"""

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from katilim.assist import permissions
from katilim.assist.models import AgeBand, AssistedSubmission, Channel, consent_text
from katilim.audit.services import record
from katilim.core.errors import DomainError, PermissionDenied
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.organization.models import Body, Council
from katilim.proposals.models import EventKind, Proposal, ProposalEvent, RoutingMethod
from katilim.proposals.permissions import WITHDRAWABLE
from katilim.proposals.services import ProposalContent, publish_for_person, withdraw_for_person

# The timeline entries that carry the body's words to the person: answers and the reasons
# given with a change of status.
ANSWER_KINDS = (EventKind.ANSWERED, EventKind.STATUS_CHANGED)


class ConsentMissing(DomainError):
    status_code = 400


@dataclass
class AssistDetails:
    """What the facilitator records about the submission besides the proposal itself."""

    channel: Channel
    consent_given: bool
    letter_locale: str
    age_band: AgeBand | None = None
    contact: str = ""


def file_assisted_proposal(
    facilitator,
    council: Council,
    content: ProposalContent,
    details: AssistDetails,
    *,
    body: Body | None,
    routing_method: RoutingMethod | None,
) -> Proposal:
    """Publish the person's proposal at once and keep the record of channel and consent.

    :raises PermissionDenied: if the user is not a facilitator or admin.
    :raises ConsentMissing: if the person did not agree (nothing is stored then).
    """
    if not permissions.can_assist(facilitator):
        raise PermissionDenied
    if not details.consent_given:
        raise ConsentMissing(_("The person's consent is required."))
    proposal = publish_for_person(
        facilitator, council, content, body=body, routing_method=routing_method
    )
    db.session.add(
        AssistedSubmission(
            proposal_id=proposal.id,
            channel=details.channel,
            consent_taken_by_id=facilitator.id,
            consent_given_at=utcnow(),
            age_band=details.age_band,
            contact=details.contact.strip() or None,
            letter_locale=details.letter_locale,
            consent_text=_consent_read(council, details.letter_locale),
        )
    )
    db.session.flush()
    return proposal


def _consent_read(council: Council, locale: str) -> str:
    # Read in the person's language: the one their letter is printed in.
    with force_locale(locale):
        return consent_text(council.name)


def filed_by(facilitator, page: int, per_page: int) -> Pagination:
    """The facilitator's own submissions, newest first, each with its proposal and body."""
    query = (
        select(AssistedSubmission)
        .join(Proposal, Proposal.id == AssistedSubmission.proposal_id)
        .where(Proposal.assisted_by_id == facilitator.id)
        .options(
            joinedload(AssistedSubmission.proposal).joinedload(Proposal.body),
            joinedload(AssistedSubmission.proposal).joinedload(Proposal.district),
        )
        .order_by(AssistedSubmission.created_at.desc(), AssistedSubmission.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def latest_answers(proposal_ids: list[int]) -> dict[int, ProposalEvent]:
    """The newest answer of each proposal, in one query whatever the number of proposals."""
    if not proposal_ids:
        return {}
    newest = (
        select(func.max(ProposalEvent.id))
        .where(
            ProposalEvent.proposal_id.in_(proposal_ids),
            ProposalEvent.kind.in_(ANSWER_KINDS),
            ProposalEvent.text.is_not(None),
        )
        .group_by(ProposalEvent.proposal_id)
    )
    events = db.session.scalars(select(ProposalEvent).where(ProposalEvent.id.in_(newest)))
    return {event.proposal_id: event for event in events}


def answers_of(proposal: Proposal) -> list[ProposalEvent]:
    """Every answer on the proposal's timeline, oldest first, for the letter."""
    return [e for e in proposal.events if e.kind in ANSWER_KINDS and e.text]


def submission_for(proposal_id: int) -> AssistedSubmission | None:
    """One submission with what its letter shows (proposal, body, district, timeline)."""
    return db.session.scalar(
        select(AssistedSubmission)
        .where(AssistedSubmission.proposal_id == proposal_id)
        .options(
            joinedload(AssistedSubmission.proposal).joinedload(Proposal.body),
            joinedload(AssistedSubmission.proposal).joinedload(Proposal.district),
            joinedload(AssistedSubmission.proposal).selectinload(Proposal.events),
            joinedload(AssistedSubmission.proposal).joinedload(Proposal.assisted_by),
        )
    )


def can_withdraw(user, submission: AssistedSubmission) -> bool:
    return (
        permissions.can_see_submission(user, submission)
        and submission.proposal.status in WITHDRAWABLE
    )


def withdraw_at_request(facilitator, submission: AssistedSubmission, reason: str) -> Proposal:
    """The person asked for their proposal to be taken back (the consent text promises it).

    :raises PermissionDenied: if the user is not the filing facilitator or an admin.
    :raises InvalidTransition: if a decision has already been made.
    """
    if not permissions.can_see_submission(facilitator, submission):
        raise PermissionDenied
    return withdraw_for_person(facilitator, submission.proposal, reason)


def forget_contact(facilitator, submission: AssistedSubmission) -> None:
    """Erase how to reach the person once they have their answer: kept no longer than needed
    (KVKK art. 4, data minimisation). The audit entry says it was erased, not what it was.

    :raises PermissionDenied: if the user is not the filing facilitator or an admin.
    """
    if not permissions.can_see_submission(facilitator, submission):
        raise PermissionDenied
    if submission.contact:
        submission.contact = None
        record(facilitator, "assisted.forget_contact", submission.proposal)
    db.session.flush()
