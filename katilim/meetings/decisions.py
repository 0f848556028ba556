"""After a meeting: its minutes, who came, and the decision on each agenda item, written back
onto the proposals (docs/rules.md#meetings).

A proposal on the agenda gets a public timeline event "discussed at the meeting of <body> on
<date>" with the decision; its author and followers are told. The chair may apply a status
change with the decision (accept, forward to the municipal council, reject with the decision
as the reason) through the moderators' own verb, so the lifecycle's rules hold here too.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from katilim.audit.services import record
from katilim.core.dates import local_day
from katilim.core.errors import DomainError, InvalidTransition, PermissionDenied
from katilim.core.models import utcnow
from katilim.core.text import render_markdown
from katilim.extensions import db
from katilim.meetings.models import AgendaItem, Meeting, MeetingStatus
from katilim.meetings.permissions import can_schedule
from katilim.moderation.services import allowed_actions, change_status, mark_answered
from katilim.notifications.services import notify_event
from katilim.proposals.models import EventKind
from katilim.proposals.timeline import add_event

# What a meeting's decision may do to a proposal on its agenda (a subset of the lifecycle).
APPLICABLE = ("accept", "forward", "reject")


class DecisionRefused(DomainError):
    """One item's decision cannot be applied; ``item_id`` says which, for the form."""

    status_code = 400

    def __init__(self, message: str, item_id: int | None = None):
        super().__init__(message)
        self.item_id = item_id


@dataclass(frozen=True)
class ItemDecision:
    item_id: int
    decision: str = ""
    apply: str = ""  # "", or one of APPLICABLE
    forwarded_on: date | None = None


def applicable_actions(item: AgendaItem) -> list[str]:
    """The status changes a decision may still apply to the item's proposal."""
    if item.proposal is None or item.applied_status is not None:
        return []
    return [a for a in allowed_actions(item.proposal) if a in APPLICABLE]


def record_meeting(
    actor,
    meeting: Meeting,
    *,
    minutes: str,
    attendance: int | None,
    decisions: list[ItemDecision],
) -> list[int]:
    """Record the minutes and the decisions. May be called again to complete or correct the
    minutes: a proposal's timeline event is written once (the first time its item has a
    decision), a status is applied once. Returns the ids of the proposals told.

    :raises PermissionDenied: if the actor is not a chair or moderator of the body.
    :raises InvalidTransition: before the meeting started, or for a cancelled meeting.
    :raises DecisionRefused: a status change without a decision text, or not possible now.
    """
    if not can_schedule(actor, meeting.body):
        raise PermissionDenied(_("Only the chairs and moderators of this group can do this."))
    if meeting.status == MeetingStatus.CANCELLED:
        raise InvalidTransition(_("A cancelled meeting has no minutes."))
    if meeting.starts_at > utcnow():
        raise InvalidTransition(_("The minutes can be recorded once the meeting has started."))
    items = {item.id: item for item in meeting.agenda_items}
    day = local_day(meeting.starts_at)
    told: list[int] = []
    for entry in decisions:
        item = items.get(entry.item_id)
        if item is None:  # another meeting's item: the form only sends this meeting's
            raise DecisionRefused(_("This item is not on the meeting's agenda."), entry.item_id)
        text = entry.decision.strip()
        if entry.apply and not text:
            raise DecisionRefused(
                _("Write the decision: it is shown in public with the status change."),
                item.id,
            )
        if entry.apply and entry.apply not in applicable_actions(item):
            raise DecisionRefused(
                _("This step is not possible from the proposal's current status."), item.id
            )
        if text:
            item.decision = text
        proposal = item.proposal
        if proposal is None or not text:
            continue
        if item.event_id is None:
            event = add_event(
                proposal,
                actor,
                EventKind.DISCUSSED,
                from_value=f"{meeting.id}:{day.isoformat()}",
                to_value=meeting.body.slug,
                text=text,
            )
            item.event_id = event.id
            mark_answered(proposal, text)  # a body's public decision answers the proposal
            notify_event(event)
            told.append(proposal.id)
        if entry.apply:
            change_status(
                actor,
                proposal,
                entry.apply,
                text=text,
                forwarded_on=entry.forwarded_on or day,
                authorized=True,  # the body's chair decides on its own meeting's agenda
            )
            item.applied_status = proposal.status.value
    meeting.minutes = minutes.strip() or None
    meeting.minutes_html = render_markdown(minutes) if minutes.strip() else None
    meeting.attendance = attendance
    meeting.status = MeetingStatus.HELD
    meeting.minutes_recorded_at = meeting.minutes_recorded_at or utcnow()
    db.session.flush()
    record(
        actor,
        "meeting.record",
        meeting,
        body=meeting.body.slug,
        decisions=sum(1 for item in items.values() if item.decision),
        applied=sum(1 for entry in decisions if entry.apply),
    )
    return told
