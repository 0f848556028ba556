"""Scheduling, changing and cancelling meetings; registering; the reminders."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from katilim.audit.models import AuditLog
from katilim.core.errors import InvalidTransition, PermissionDenied
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.meetings.models import Meeting, MeetingRegistration, MeetingStatus
from katilim.meetings.services import (
    MeetingFull,
    MeetingRefused,
    cancel_meeting,
    register,
    send_reminders,
    unregister,
    update_meeting,
)
from katilim.notifications.models import Notification
from katilim.proposals.models import ProposalStatus
from katilim.volunteers.models import BodyVolunteer, VolunteerStatus
from tests.factories import get_council, make_user
from tests.meetings.helpers import data, scheduled
from tests.moderation.helpers import make_cast, proposal_in


@pytest.fixture
def cast(ctx):
    return make_cast()


def kinds_for(user, meeting) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.kind).where(
                Notification.user_id == user.id, Notification.meeting_id == meeting.id
            )
        )
    )


def actions(meeting) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditLog.action).where(AuditLog.target_id == meeting.id).order_by(AuditLog.id)
        )
    )


def test_scheduling_tells_the_followers_and_volunteers_not_the_actor(cast):
    volunteer = make_user("Gönüllü Ece")
    applicant = make_user("Başvuran Can")
    db.session.add_all(
        [
            BodyVolunteer(
                body_id=cast.body.id, user_id=volunteer.id, status=VolunteerStatus.ACCEPTED
            ),
            BodyVolunteer(
                body_id=cast.body.id, user_id=applicant.id, status=VolunteerStatus.APPLIED
            ),
        ]
    )
    db.session.flush()
    meeting = scheduled(cast.moderator, cast.body)
    assert meeting.status == MeetingStatus.SCHEDULED
    assert kinds_for(cast.body_follower, meeting) == ["meeting_scheduled"]
    assert kinds_for(volunteer, meeting) == ["meeting_scheduled"]
    assert kinds_for(applicant, meeting) == []
    assert kinds_for(cast.moderator, meeting) == []
    assert kinds_for(cast.resident, meeting) == []
    assert actions(meeting) == ["meeting.schedule"]


def test_the_agenda_keeps_the_order_and_the_free_items(cast):
    first, second = proposal_in(cast), proposal_in(cast)
    meeting = scheduled(
        cast.moderator, cast.body, proposal_ids=[second.id, first.id], free_items=["Bütçe"]
    )
    assert [(i.proposal_id, i.text) for i in meeting.agenda_items] == [
        (second.id, None),
        (first.id, None),
        (None, "Bütçe"),
    ]
    kept_id = meeting.agenda_items[1].id
    update_meeting(
        cast.moderator,
        meeting,
        data(7, starts_at=meeting.starts_at, proposal_ids=[first.id], free_items=["Diğer"]),
    )
    db.session.flush()
    assert [(i.id, i.proposal_id, i.text) for i in meeting.agenda_items][0] == (
        kept_id,
        first.id,
        None,
    )
    assert [i.text for i in meeting.agenda_items][1:] == ["Diğer"]


def test_a_draft_is_refused_on_the_agenda(cast):
    draft = proposal_in(cast, ProposalStatus.DRAFT)
    with pytest.raises(MeetingRefused):
        scheduled(cast.moderator, cast.body, proposal_ids=[draft.id])


@pytest.mark.parametrize(
    "changes",
    [
        {"days": -1},
        {"title": "  "},
        {"place_name": None, "address": None, "online_url": None},
        {"capacity": 0},
    ],
)
def test_details_that_do_not_hold_together_are_refused(cast, changes):
    days = changes.pop("days", 7)
    with pytest.raises(MeetingRefused):
        scheduled(cast.moderator, cast.body, days, **changes)


def test_others_cannot_schedule(cast):
    for person in (cast.resident, cast.other_moderator, cast.unverified):
        with pytest.raises(PermissionDenied):
            scheduled(person, cast.body)


def test_moving_keeps_the_old_start_and_tells_the_registered(cast):
    meeting = scheduled(cast.moderator, cast.body)
    register(cast.resident, meeting)
    old = meeting.starts_at
    moved = update_meeting(cast.moderator, meeting, data(9))
    assert moved and meeting.moved_from == old
    assert kinds_for(cast.resident, meeting) == ["meeting_moved"]
    assert kinds_for(cast.body_follower, meeting) == ["meeting_scheduled"]
    assert actions(meeting) == ["meeting.schedule", "meeting.update"]
    # a change that keeps the start tells nobody
    assert not update_meeting(cast.moderator, meeting, data(9, starts_at=meeting.starts_at))
    assert kinds_for(cast.resident, meeting) == ["meeting_moved"]


def test_capacity_cannot_go_below_the_registered(cast):
    meeting = scheduled(cast.moderator, cast.body, capacity=3)
    register(cast.resident, meeting)
    register(cast.author, meeting)
    with pytest.raises(MeetingRefused):
        update_meeting(cast.moderator, meeting, data(7, starts_at=meeting.starts_at, capacity=1))


def test_cancelling_tells_the_registered_and_needs_a_reason(cast):
    meeting = scheduled(cast.moderator, cast.body)
    register(cast.resident, meeting)
    with pytest.raises(MeetingRefused):
        cancel_meeting(cast.moderator, meeting, "  ")
    cancel_meeting(cast.moderator, meeting, "Salon su bastı.")
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.cancel_reason == "Salon su bastı."
    assert kinds_for(cast.resident, meeting) == ["meeting_cancelled"]
    assert actions(meeting)[-1] == "meeting.cancel"
    with pytest.raises(InvalidTransition):
        cancel_meeting(cast.moderator, meeting, "yine")
    with pytest.raises(InvalidTransition):
        update_meeting(cast.moderator, meeting, data(8))
    with pytest.raises(InvalidTransition):
        register(cast.author, meeting)


def test_the_last_place_goes_once(cast):
    meeting = scheduled(cast.moderator, cast.body, capacity=2)
    assert register(cast.resident, meeting)
    assert register(cast.author, meeting)
    assert meeting.registrations_count == 2 and meeting.is_full
    with pytest.raises(MeetingFull):
        register(cast.follower, meeting)
    assert meeting.registrations_count == 2
    # registering twice changes nothing
    assert not register(cast.resident, meeting)
    assert meeting.registrations_count == 2
    # a place given back can be taken
    assert unregister(cast.resident, meeting)
    assert not unregister(cast.resident, meeting)
    assert meeting.registrations_count == 1
    assert register(cast.follower, meeting)
    count = db.session.scalar(
        select(func.count()).where(MeetingRegistration.meeting_id == meeting.id)
    )
    assert count == 2


def test_the_count_is_checked_in_the_database_not_in_the_loaded_row(cast):
    """Another request took the last place after this one loaded the meeting: the
    conditional update finds it taken, whatever this request's copy of the row says."""
    meeting = scheduled(cast.moderator, cast.body, capacity=1)
    db.session.commit()
    assert meeting.registrations_count == 0
    db.session.execute(  # the other request, behind this session's back
        update(Meeting)
        .where(Meeting.id == meeting.id)
        .values(registrations_count=1)
        .execution_options(synchronize_session=False)
    )
    assert meeting.registrations_count == 0  # the stale copy
    with pytest.raises(MeetingFull):
        register(cast.author, meeting)
    assert meeting.registrations_count == 1


def test_registration_needs_a_verified_account_and_a_future_meeting(cast):
    meeting = scheduled(cast.moderator, cast.body)
    with pytest.raises(PermissionDenied):
        register(cast.unverified, meeting)
    meeting.starts_at = utcnow() - timedelta(hours=1)
    with pytest.raises(InvalidTransition):
        register(cast.resident, meeting)


def test_sign_language_is_asked_only_when_offered(cast):
    offered = scheduled(cast.moderator, cast.body, sign_language_on_request=True)
    plain = scheduled(cast.moderator, cast.body)
    register(cast.resident, offered, needs_sign_language=True)
    register(cast.resident, plain, needs_sign_language=True)
    rows = {
        r.meeting_id: r.needs_sign_language for r in db.session.scalars(select(MeetingRegistration))
    }
    assert rows == {offered.id: True, plain.id: False}


def test_reminders_go_once_to_the_registered_of_meetings_soon(cast):
    soon = scheduled(cast.moderator, cast.body, days=1)
    later = scheduled(cast.moderator, cast.body, days=5)
    cancelled = scheduled(cast.moderator, cast.body, days=1)
    for meeting in (soon, later, cancelled):
        register(cast.resident, meeting)
    cancel_meeting(cast.moderator, cancelled, "Yok.")
    assert send_reminders(get_council()) == 1
    assert send_reminders(get_council()) == 0
    assert kinds_for(cast.resident, soon) == ["meeting_reminder"]
    assert kinds_for(cast.resident, later) == []
    assert soon.reminder_sent_at is not None
    # four days later the other one is due
    assert send_reminders(get_council(), utcnow() + timedelta(days=4)) == 1
    assert kinds_for(cast.resident, later) == ["meeting_reminder"]


def test_a_moved_meeting_is_reminded_again(cast):
    meeting = scheduled(cast.moderator, cast.body, days=1)
    register(cast.resident, meeting)
    assert send_reminders(get_council()) == 1
    update_meeting(cast.moderator, meeting, data(3))
    assert meeting.reminder_sent_at is None
    assert send_reminders(get_council(), utcnow() + timedelta(days=2)) == 1
    assert kinds_for(cast.resident, meeting).count("meeting_reminder") == 2


def test_no_meeting_row_of_another_kind(cast):
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0


def test_a_double_click_that_slips_past_the_check_gives_the_place_back(cast, monkeypatch):
    """Two tabs both found no registration: the unique constraint refuses the second row,
    and the place it counted is given back."""
    from katilim.meetings import services

    meeting = scheduled(cast.moderator, cast.body, capacity=5)
    assert register(cast.resident, meeting)
    monkeypatch.setattr(services, "is_registered", lambda user, meeting: False)
    assert not register(cast.resident, meeting)
    assert meeting.registrations_count == 1
    db.session.commit()  # the transaction is still usable
