"""Who may schedule, change and cancel a body's meetings, and who may register for one."""

from katilim.auth.roles import can_administer
from katilim.core.models import utcnow
from katilim.meetings.models import Meeting, MeetingStatus
from katilim.organization.models import Body, MembershipRole

STAFF_ROLES = frozenset({MembershipRole.CHAIR, MembershipRole.MODERATOR})


def can_schedule(user, body: Body | None) -> bool:
    """Active admins, and the body's chairs and moderators with an active account."""
    if body is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if can_administer(user):
        return body.council_id == user.council_id  # an admin is one council's
    return any(m.body_id == body.id and m.role in STAFF_ROLES for m in user.memberships)


def can_manage(user, meeting: Meeting) -> bool:
    """Change or cancel a meeting: the people who may schedule its body's meetings, while it
    is still scheduled (a held meeting has its minutes; a cancelled one stays cancelled)."""
    return meeting.status == MeetingStatus.SCHEDULED and can_schedule(user, meeting.body)


def can_register(user, meeting: Meeting) -> bool:
    """A signed-in, active, verified resident, for a scheduled meeting still to come."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_verified
        and meeting.status == MeetingStatus.SCHEDULED
        and meeting.starts_at > utcnow()
    )


def can_record(user, meeting: Meeting) -> bool:
    """Record the minutes and decisions: the people who may schedule the body's meetings,
    once the meeting has started, unless it was cancelled (again later, to correct them)."""
    return (
        meeting.status != MeetingStatus.CANCELLED
        and meeting.starts_at <= utcnow()
        and can_schedule(user, meeting.body)
    )
