"""Who may apply to a body, decide on applications, leave, and choose to be named.

Templates ask these to decide what to show; the services in katilim/volunteers/services.py
ask them again before acting.
"""

from katilim.auth.roles import can_administer
from katilim.organization.models import Body
from katilim.volunteers.models import BodyVolunteer, VolunteerStatus

# A row in one of these states is an open application or a membership: no new application.
OPEN = frozenset({VolunteerStatus.APPLIED, VolunteerStatus.ACCEPTED})


def _signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def body_open(body: Body) -> bool:
    """The body takes applications: active, and not closed by the council's data file."""
    return bool(body.is_active and body.accepts_volunteers)


def can_apply(user, body: Body, row: BodyVolunteer | None) -> bool:
    """A signed-in, active resident with a verified address, to an open body, without an
    open application or a membership there (``row``: the person's row for the body, if any)."""
    return (
        _signed_in(user)
        and user.is_verified
        and body_open(body)
        and (row is None or row.status not in OPEN)
    )


def can_decide(user, body: Body) -> bool:
    """Active admins, and the body's chairs and moderators (katilim.organization Membership),
    accept or decline applications and see the body's applicants."""
    if not _signed_in(user):
        return False
    if can_administer(user):
        return body.council_id == user.council_id  # an admin is one council's
    return any(m.body_id == body.id for m in user.memberships)


def can_leave(user, row: BodyVolunteer | None) -> bool:
    """A member leaves at any time; an applicant may withdraw the application the same way."""
    return bool(
        getattr(user, "is_authenticated", False)
        and row is not None
        and row.user_id == user.id
        and row.status in OPEN
    )


def can_set_listed(user, row: BodyVolunteer | None) -> bool:
    """Only an accepted member chooses whether the body's page names them."""
    return bool(
        getattr(user, "is_authenticated", False)
        and row is not None
        and row.user_id == user.id
        and row.status == VolunteerStatus.ACCEPTED
    )
