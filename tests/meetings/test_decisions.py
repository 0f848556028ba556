"""A meeting's decisions come back to the proposals on its agenda."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from katilim.audit.models import AuditLog
from katilim.core.errors import InvalidTransition, PermissionDenied
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.meetings.decisions import DecisionRefused, ItemDecision, record_meeting
from katilim.meetings.models import AgendaItem, Meeting, MeetingStatus
from katilim.notifications.models import Notification
from katilim.organization.models import Membership, MembershipRole
from katilim.proposals.models import EventKind, ProposalStatus
from tests.factories import get_council, make_user
from tests.moderation.helpers import make_cast, proposal_in

S = ProposalStatus


@pytest.fixture
def cast(ctx):
    """The people around one body, inside the test's app context."""
    return make_cast()


def make_meeting(body, *, days: float = -1, items=(), texts=(), status=MeetingStatus.SCHEDULED):
    meeting = Meeting(
        council_id=get_council().id,
        body_id=body.id,
        title="Aylık toplantı",
        starts_at=utcnow() + timedelta(days=days),
        place_name="Kent Konseyi salonu",
        status=status,
    )
    db.session.add(meeting)
    db.session.flush()
    position = 0
    for proposal in items:
        db.session.add(
            AgendaItem(meeting_id=meeting.id, proposal_id=proposal.id, position=position)
        )
        position += 1
    for text in texts:
        db.session.add(AgendaItem(meeting_id=meeting.id, text=text, position=position))
        position += 1
    db.session.flush()
    db.session.refresh(meeting)
    return meeting


def item_of(meeting, proposal) -> int:
    return next(i.id for i in meeting.agenda_items if i.proposal_id == proposal.id)


def chair_of(body):
    chair = make_user("Başkan Bilge")
    db.session.add(Membership(user_id=chair.id, body_id=body.id, role=MembershipRole.CHAIR))
    db.session.flush()
    return chair


def test_a_decision_goes_onto_the_proposals_timeline_and_its_people_are_told(cast):
    proposal = proposal_in(cast)
    meeting = make_meeting(cast.body, items=[proposal], texts=["Bütçe görüşmesi"])
    chair = chair_of(cast.body)
    told = record_meeting(
        chair,
        meeting,
        minutes="## Katılanlar\n\n12 kişi.",
        attendance=12,
        decisions=[
            ItemDecision(item_of(meeting, proposal), "Belediyeye iletilmesine karar verildi.")
        ],
    )
    assert told == [proposal.id]
    event = proposal.events[-1]
    assert event.kind == EventKind.DISCUSSED
    assert event.text == "Belediyeye iletilmesine karar verildi."
    assert event.from_value.startswith(f"{meeting.id}:") and event.to_value == cast.body.slug
    assert proposal.first_answer_at is not None  # a public decision answers the proposal
    recipients = set(
        db.session.scalars(select(Notification.user_id).where(Notification.event_id == event.id))
    )
    assert {cast.author.id, cast.follower.id} <= recipients and chair.id not in recipients
    assert meeting.status == MeetingStatus.HELD and meeting.attendance == 12
    assert "<h3>Katılanlar</h3>" in meeting.minutes_html
    assert (
        db.session.scalar(select(AuditLog.action).order_by(AuditLog.id.desc()).limit(1))
        == "meeting.record"
    )


@pytest.mark.parametrize(("action", "status"), [("accept", S.ACCEPTED), ("reject", S.REJECTED)])
def test_the_chair_applies_a_status_with_the_decision(cast, action, status):
    proposal = proposal_in(cast)
    meeting = make_meeting(cast.body, items=[proposal])
    record_meeting(
        chair_of(cast.body),
        meeting,
        minutes="",
        attendance=None,
        decisions=[
            ItemDecision(item_of(meeting, proposal), "Oy çokluğuyla karar verildi.", action)
        ],
    )
    assert proposal.status == status
    assert meeting.agenda_items[0].applied_status == status.value
    kinds = [e.kind for e in proposal.events[-2:]]
    assert kinds == [EventKind.DISCUSSED, EventKind.STATUS_CHANGED]


def test_forwarding_takes_the_meetings_day_unless_another_is_given(cast):
    proposal = proposal_in(cast, S.ACCEPTED)
    other = proposal_in(cast, S.ACCEPTED)
    meeting = make_meeting(cast.body, items=[proposal, other])
    record_meeting(
        cast.moderator,
        meeting,
        minutes="",
        attendance=None,
        decisions=[
            ItemDecision(item_of(meeting, proposal), "Meclise iletildi.", "forward"),
            ItemDecision(item_of(meeting, other), "Meclise iletildi.", "forward", date(2026, 1, 9)),
        ],
    )
    assert proposal.status == S.FORWARDED and proposal.forwarded_on is not None
    assert other.forwarded_on == date(2026, 1, 9)


def test_recording_again_writes_no_second_event_and_applies_no_second_status(cast):
    proposal = proposal_in(cast)
    meeting = make_meeting(cast.body, items=[proposal])
    item = item_of(meeting, proposal)
    record_meeting(
        cast.moderator,
        meeting,
        minutes="İlk",
        attendance=5,
        decisions=[ItemDecision(item, "Kabul.", "accept")],
    )
    count = len(proposal.events)
    record_meeting(
        cast.moderator,
        meeting,
        minutes="Düzeltilmiş",
        attendance=6,
        decisions=[ItemDecision(item, "Kabul edildi.")],
    )
    db.session.refresh(proposal)
    assert len(proposal.events) == count
    assert meeting.minutes == "Düzeltilmiş" and meeting.agenda_items[0].decision == "Kabul edildi."
    with pytest.raises(DecisionRefused):  # applied once: no status step is left to apply
        record_meeting(
            cast.moderator,
            meeting,
            minutes="",
            attendance=6,
            decisions=[ItemDecision(item, "Ret.", "reject")],
        )


def test_refusals(cast):
    proposal = proposal_in(cast)
    meeting = make_meeting(cast.body, items=[proposal])
    item = item_of(meeting, proposal)
    with pytest.raises(PermissionDenied):
        record_meeting(cast.other_moderator, meeting, minutes="", attendance=None, decisions=[])
    with pytest.raises(PermissionDenied):
        record_meeting(cast.resident, meeting, minutes="", attendance=None, decisions=[])
    with pytest.raises(DecisionRefused):  # a status change needs its public text
        record_meeting(
            cast.moderator,
            meeting,
            minutes="",
            attendance=None,
            decisions=[ItemDecision(item, "", "accept")],
        )
    with pytest.raises(DecisionRefused):  # forward is not possible from "new"
        record_meeting(
            cast.moderator,
            meeting,
            minutes="",
            attendance=None,
            decisions=[ItemDecision(item, "İlet.", "forward")],
        )
    with pytest.raises(DecisionRefused):  # not this meeting's item
        record_meeting(
            cast.moderator,
            meeting,
            minutes="",
            attendance=None,
            decisions=[ItemDecision(item + 999, "x")],
        )
    future = make_meeting(cast.body, days=2, items=[proposal])
    with pytest.raises(InvalidTransition):
        record_meeting(cast.moderator, future, minutes="", attendance=None, decisions=[])
    cancelled = make_meeting(cast.body, status=MeetingStatus.CANCELLED)
    with pytest.raises(InvalidTransition):
        record_meeting(cast.moderator, cancelled, minutes="", attendance=None, decisions=[])
    assert proposal.status == S.NEW
