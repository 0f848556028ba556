"""Reads for the meeting pages and calendar feeds, each a fixed number of statements."""

from datetime import datetime

from flask import abort
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.meetings.models import AgendaItem, Meeting, MeetingRegistration, MeetingStatus
from katilim.organization.models import Body, BodyKind, Council
from katilim.proposals.models import Proposal, ProposalStatus
from katilim.proposals.visibility import is_listed

MEETINGS_PER_PAGE = 20
UPCOMING_LIMIT = 50  # more than a council schedules ahead; the calendar feed has them all
FEED_PAST_LIMIT = 100  # a calendar keeps the recent past
CANDIDATES_PER_KIND = 10
WAITING = (ProposalStatus.NEW, ProposalStatus.UNDER_REVIEW)


def _of(council: Council, body: Body | None) -> Select:
    query = (
        select(Meeting).where(Meeting.council_id == council.id).options(joinedload(Meeting.body))
    )
    if body is not None:
        query = query.where(Meeting.body_id == body.id)
    return query


def upcoming_meetings(
    council: Council, body: Body | None = None, *, now: datetime | None = None, limit=UPCOMING_LIMIT
) -> list[Meeting]:
    """Meetings still to come (cancelled ones too, marked), soonest first."""
    now = now or utcnow()
    query = _of(council, body).where(Meeting.starts_at > now)
    return list(db.session.scalars(query.order_by(Meeting.starts_at, Meeting.id).limit(limit)))


def past_meetings(council: Council, body: Body | None = None, *, page: int = 1, now=None):
    """A page of the meetings that have started, newest first."""
    now = now or utcnow()
    query = _of(council, body).where(Meeting.starts_at <= now)
    return db.paginate(
        query.order_by(Meeting.starts_at.desc(), Meeting.id.desc()),
        page=page,
        per_page=MEETINGS_PER_PAGE,
        error_out=False,
        count=True,
    )


def next_meeting(body: Body, *, now: datetime | None = None) -> Meeting | None:
    """The body's next scheduled meeting, for its page."""
    now = now or utcnow()
    return db.session.scalar(
        select(Meeting)
        .where(
            Meeting.body_id == body.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at > now,
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def feed_meetings(council: Council, body: Body | None = None) -> list[Meeting]:
    """The meetings a calendar feed lists: every coming one and the recent past."""
    now = utcnow()
    coming = upcoming_meetings(council, body, now=now, limit=500)
    past = db.session.scalars(
        _of(council, body)
        .where(Meeting.starts_at <= now)
        .order_by(Meeting.starts_at.desc())
        .limit(FEED_PAST_LIMIT)
    )
    return [*reversed(list(past)), *coming]


def get_meeting_or_404(council: Council, meeting_id: int) -> Meeting:
    """This council's meeting with its body and agenda (each item's proposal), or 404."""
    meeting = db.session.scalar(
        select(Meeting)
        .where(Meeting.id == meeting_id, Meeting.council_id == council.id)
        .options(
            joinedload(Meeting.body),
            selectinload(Meeting.agenda_items).joinedload(AgendaItem.proposal),
        )
    )
    if meeting is None:
        abort(404)
    return meeting


def registration_of(user, meeting: Meeting) -> MeetingRegistration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(MeetingRegistration).where(
            MeetingRegistration.meeting_id == meeting.id, MeetingRegistration.user_id == user.id
        )
    )


def sign_language_requests(meeting: Meeting) -> int:
    """How many registered people asked for an interpreter (for the body's staff)."""
    return db.session.execute(
        select(func.count())
        .select_from(MeetingRegistration)
        .where(
            MeetingRegistration.meeting_id == meeting.id,
            MeetingRegistration.needs_sign_language.is_(True),
        )
    ).scalar_one()


def agenda_candidates(body: Body, *, keep: list[int] | tuple[int, ...] = ()) -> list[Proposal]:
    """Proposals to offer for the agenda: the body's listed proposals that reached the
    support threshold and wait for an answer, the accepted ones, and the oldest still waiting
    (at most CANDIDATES_PER_KIND of each), plus ``keep`` (those already on the agenda).

    The general assembly takes up what the whole council's bodies bring to it: its candidates
    come from every body (a decision of its own then forwards them to the municipal council).
    """
    listed = select(Proposal).where(is_listed(body.council_id))
    if body.kind != BodyKind.GENERAL_ASSEMBLY:
        listed = listed.where(Proposal.body_id == body.id)
    reached = listed.where(
        Proposal.status.in_(WAITING), Proposal.threshold_reached_at.is_not(None)
    ).order_by(Proposal.threshold_reached_at, Proposal.id)
    accepted = listed.where(Proposal.status == ProposalStatus.ACCEPTED).order_by(
        Proposal.published_at, Proposal.id
    )
    waiting = listed.where(Proposal.status.in_(WAITING)).order_by(
        Proposal.published_at, Proposal.id
    )
    found: dict[int, Proposal] = {}
    if keep:
        for proposal in db.session.scalars(select(Proposal).where(Proposal.id.in_(list(keep)))):
            found[proposal.id] = proposal
    for query in (reached, accepted, waiting):
        for proposal in db.session.scalars(query.limit(CANDIDATES_PER_KIND)):
            found.setdefault(proposal.id, proposal)
    return list(found.values())
