"""Scheduling a body's meetings, changing and cancelling them, registering to attend, and the
day-before reminders (docs/rules.md#meetings).

Every verb takes the acting person first, checks the right again, flushes, and never commits.
Places are counted in the meeting's row and taken by a conditional UPDATE, so two people
cannot take the last place together; the unique registration per person handles double
clicks.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from katilim.audit.services import record
from katilim.auth.models import User
from katilim.core.errors import DomainError, InvalidTransition, PermissionDenied
from katilim.core.models import affected_rows, utcnow
from katilim.extensions import db
from katilim.meetings.models import AgendaItem, Meeting, MeetingRegistration, MeetingStatus
from katilim.meetings.permissions import can_manage, can_register, can_schedule
from katilim.notifications.models import Follow
from katilim.notifications.services import notify_meeting
from katilim.organization.models import Body, Council
from katilim.proposals.models import Proposal
from katilim.proposals.visibility import is_public
from katilim.volunteers.models import BodyVolunteer, VolunteerStatus

# The reminder goes once, to meetings that start within this time (run the command hourly
# or daily: a daily run still reaches every meeting of the next day).
REMINDER_AHEAD = timedelta(hours=36)
MAX_AGENDA_ITEMS = 30


class MeetingRefused(DomainError):
    """The meeting's details cannot be saved as given (the form shows the message)."""

    status_code = 400


class MeetingFull(DomainError):
    """Every place is taken."""

    status_code = 409


@dataclass
class MeetingData:
    """What the scheduling form gives: times already in UTC."""

    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    description: str = ""
    place_name: str | None = None
    address: str | None = None
    is_step_free: bool | None = None
    sign_language_on_request: bool = False
    online_url: str | None = None
    capacity: int | None = None
    proposal_ids: list[int] = field(default_factory=list)
    free_items: list[str] = field(default_factory=list)


def _check(data: MeetingData, *, now: datetime) -> None:
    if not data.title.strip():
        raise MeetingRefused(_("Give the meeting a title."))
    if data.starts_at <= now:
        raise MeetingRefused(_("The meeting must start in the future."))
    if data.ends_at is not None and data.ends_at <= data.starts_at:
        raise MeetingRefused(_("The meeting must end after it starts."))
    if not (data.place_name or data.address or data.online_url):
        raise MeetingRefused(_("Say where the meeting is: a place, an address or an online link."))
    if data.capacity is not None and data.capacity < 1:
        raise MeetingRefused(_("The number of places must be at least 1."))
    if len(data.proposal_ids) + len(data.free_items) > MAX_AGENDA_ITEMS:
        raise MeetingRefused(
            _("The agenda can have at most %(count)s items.", count=MAX_AGENDA_ITEMS)
        )


def _agenda_proposals(body: Body, proposal_ids: list[int]) -> list[Proposal]:
    """The chosen proposals, in the order given: public proposals of the body's council."""
    wanted = list(dict.fromkeys(proposal_ids))
    if not wanted:
        return []
    found = {
        p.id: p
        for p in db.session.scalars(
            select(Proposal).where(Proposal.id.in_(wanted), is_public(body.council_id))
        )
    }
    if len(found) != len(wanted):
        raise MeetingRefused(_("A proposal chosen for the agenda does not exist or is not public."))
    return [found[i] for i in wanted]


def _apply(meeting: Meeting, data: MeetingData) -> None:
    meeting.title = data.title.strip()
    meeting.description = data.description.strip()
    meeting.starts_at = data.starts_at
    meeting.ends_at = data.ends_at
    meeting.place_name = data.place_name or None
    meeting.address = data.address or None
    meeting.is_step_free = data.is_step_free
    meeting.sign_language_on_request = data.sign_language_on_request
    meeting.online_url = data.online_url or None
    meeting.capacity = data.capacity


def _set_agenda(meeting: Meeting, proposals: list[Proposal], free_items: list[str]) -> None:
    """The agenda: the proposals in order, then the free-text items. An item kept from before
    keeps its row (and what was written on it)."""
    by_proposal = {i.proposal_id: i for i in meeting.agenda_items if i.proposal_id is not None}
    items: list[AgendaItem] = []
    for proposal in proposals:
        item = by_proposal.pop(proposal.id, None) or AgendaItem(proposal_id=proposal.id)
        items.append(item)
    items.extend(AgendaItem(text=text) for text in free_items)
    for position, item in enumerate(items):
        item.position = position
    meeting.agenda_items = items  # the items left out are deleted (delete-orphan)


def _registered_ids(meeting: Meeting) -> set[int]:
    return set(
        db.session.scalars(
            select(MeetingRegistration.user_id).where(MeetingRegistration.meeting_id == meeting.id)
        )
    )


def _interested_ids(body: Body) -> set[int]:
    """The body's followers and its accepted volunteers, with an active account."""
    followers = select(Follow.user_id).where(Follow.body_id == body.id)
    volunteers = select(BodyVolunteer.user_id).where(
        BodyVolunteer.body_id == body.id, BodyVolunteer.status == VolunteerStatus.ACCEPTED
    )
    return set(
        db.session.scalars(
            select(User.id).where(
                User.is_active_account.is_(True),
                or_(User.id.in_(followers), User.id.in_(volunteers)),
            )
        )
    )


def schedule_meeting(actor, body: Body, data: MeetingData) -> Meeting:
    """Schedule a meeting of ``body``; its followers and volunteers are told.

    :raises PermissionDenied: unless the actor is an admin or a chair or moderator of the body.
    :raises MeetingRefused: when the details do not hold together.
    """
    if not can_schedule(actor, body):
        raise PermissionDenied(_("Only the chairs and moderators of this group can do this."))
    _check(data, now=utcnow())
    proposals = _agenda_proposals(body, data.proposal_ids)
    meeting = Meeting(
        council_id=body.council_id, body=body, created_by_id=actor.id, registrations_count=0
    )
    _apply(meeting, data)
    db.session.add(meeting)
    _set_agenda(meeting, proposals, data.free_items)
    db.session.flush()
    record(actor, "meeting.schedule", meeting, body=body.slug)
    notify_meeting(_interested_ids(body) - {actor.id}, meeting, "meeting_scheduled")
    return meeting


def update_meeting(actor, meeting: Meeting, data: MeetingData) -> bool:
    """Change a scheduled meeting. A new start keeps the old one in ``moved_from`` and tells
    the registered people. Returns whether the meeting was moved.

    :raises PermissionDenied: unless the actor may schedule the body's meetings.
    :raises InvalidTransition: for a cancelled or held meeting.
    :raises MeetingRefused: when the details do not hold together, or the new number of
        places is below the people already registered.
    """
    if not can_schedule(actor, meeting.body):
        raise PermissionDenied(_("Only the chairs and moderators of this group can do this."))
    if not can_manage(actor, meeting):
        raise InvalidTransition(_("Only a scheduled meeting can be changed."))
    _check(data, now=utcnow())
    if data.capacity is not None and data.capacity < meeting.registrations_count:
        raise MeetingRefused(
            _(
                "%(count)s people are already registered: the meeting needs at least as many "
                "places.",
                count=meeting.registrations_count,
            )
        )
    proposals = _agenda_proposals(meeting.body, data.proposal_ids)
    old_start = meeting.starts_at
    moved = data.starts_at != old_start
    _apply(meeting, data)
    _set_agenda(meeting, proposals, data.free_items)
    if moved:
        meeting.moved_from = old_start
        meeting.reminder_sent_at = None  # the reminder is for the new day
    db.session.flush()
    details: dict = {"body": meeting.body.slug}
    if moved:
        details["moved_from"] = old_start.isoformat()
    record(actor, "meeting.update", meeting, **details)
    if moved:
        notify_meeting(_registered_ids(meeting) - {actor.id}, meeting, "meeting_moved")
    return moved


def cancel_meeting(actor, meeting: Meeting, reason: str) -> None:
    """Cancel a scheduled meeting with a public reason; the registered people are told.

    :raises PermissionDenied: unless the actor may schedule the body's meetings.
    :raises InvalidTransition: for a meeting already cancelled or held.
    :raises MeetingRefused: without a reason.
    """
    if not can_schedule(actor, meeting.body):
        raise PermissionDenied(_("Only the chairs and moderators of this group can do this."))
    if not can_manage(actor, meeting):
        raise InvalidTransition(_("Only a scheduled meeting can be cancelled."))
    reason = reason.strip()
    if not reason:
        raise MeetingRefused(_("Say why the meeting is cancelled: the reason is shown to all."))
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = utcnow()
    meeting.cancel_reason = reason
    db.session.flush()
    record(actor, "meeting.cancel", meeting, body=meeting.body.slug)
    notify_meeting(_registered_ids(meeting) - {actor.id}, meeting, "meeting_cancelled")


def is_registered(user, meeting: Meeting) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    query = select(MeetingRegistration.id).where(
        MeetingRegistration.meeting_id == meeting.id, MeetingRegistration.user_id == user.id
    )
    return db.session.scalar(query) is not None


def register(user, meeting: Meeting, *, needs_sign_language: bool = False) -> bool:
    """Take a place at the meeting. Returns False when the person was already registered.

    :raises PermissionDenied: unless a signed-in, verified resident.
    :raises InvalidTransition: for a meeting cancelled, held or already started.
    :raises MeetingFull: when every place is taken.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_verified:
        raise PermissionDenied(_("Confirm your e-mail address to register for meetings."))
    if not can_register(user, meeting):
        raise InvalidTransition(_("Registration for this meeting is closed."))
    if is_registered(user, meeting):
        return False
    taken = affected_rows(
        db.session.execute(
            update(Meeting)
            .where(
                Meeting.id == meeting.id,
                Meeting.status == MeetingStatus.SCHEDULED,
                or_(Meeting.capacity.is_(None), Meeting.registrations_count < Meeting.capacity),
            )
            .values(registrations_count=Meeting.registrations_count + 1)
            .execution_options(synchronize_session=False)
        )
    )
    if not taken:
        db.session.expire(meeting, ["registrations_count", "status"])
        raise MeetingFull(_("Sorry, every place at this meeting is taken."))
    try:
        with db.session.begin_nested():
            db.session.add(
                MeetingRegistration(
                    meeting_id=meeting.id,
                    user_id=user.id,
                    needs_sign_language=needs_sign_language and meeting.sign_language_on_request,
                )
            )
    except IntegrityError:  # the same person in another tab, a moment earlier
        _give_back_place(meeting)
        return False
    db.session.expire(meeting, ["registrations_count"])
    return True


def _give_back_place(meeting: Meeting) -> None:
    db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.registrations_count > 0)
        .values(registrations_count=Meeting.registrations_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(meeting, ["registrations_count"])


def unregister(user, meeting: Meeting) -> bool:
    """Give the place back. Returns False when the person was not registered."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied()
    removed = affected_rows(
        db.session.execute(
            delete(MeetingRegistration)
            .where(
                MeetingRegistration.meeting_id == meeting.id,
                MeetingRegistration.user_id == user.id,
            )
            .execution_options(synchronize_session=False)
        )
    )
    if removed:
        _give_back_place(meeting)
    return bool(removed)


def send_reminders(council: Council, now: datetime | None = None) -> int:
    """Remind the registered people of each of the council's scheduled meetings that starts within
    REMINDER_AHEAD and was not reminded yet; each meeting once (a conditional update, so two
    runs at once send one). Returns the number of meetings reminded; the caller commits."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(Meeting).where(
                Meeting.body_id.in_(select(Body.id).where(Body.council_id == council.id)),
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.reminder_sent_at.is_(None),
                Meeting.starts_at > now,
                Meeting.starts_at <= now + REMINDER_AHEAD,
            )
        )
    )
    count = 0
    for meeting in due:
        claimed = affected_rows(
            db.session.execute(
                update(Meeting)
                .where(Meeting.id == meeting.id, Meeting.reminder_sent_at.is_(None))
                .values(reminder_sent_at=now)
                .execution_options(synchronize_session=False)
            )
        )
        if not claimed:
            continue
        notify_meeting(_registered_ids(meeting), meeting, "meeting_reminder")
        db.session.expire(meeting, ["reminder_sent_at"])
        count += 1
    return count
