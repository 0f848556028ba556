"""Applying to a body as a volunteer, the chair's or a moderator's decision, leaving, and
the member's own choice to be named on the body's page (docs/rules.md#volunteers).

One row per person and body (BodyVolunteer): applying again after leaving or being declined
reopens it. Being named needs the person's explicit consent (ConsentPurpose.VOLUNTEER_LISTING,
withdrawable at any time): membership of a civil body can reveal opinions. Nothing here
commits.
"""

from flask_babel import gettext as _
from sqlalchemy import exc, select, update

from katilim.audit.services import record
from katilim.core.errors import DomainError, InvalidTransition, PermissionDenied
from katilim.core.models import affected_rows, utcnow
from katilim.extensions import db
from katilim.notifications.services import notify_about_body
from katilim.organization.models import Body
from katilim.organization.services import reviewer_ids
from katilim.privacy import consents
from katilim.privacy.models import ConsentPurpose
from katilim.volunteers.models import BodyVolunteer, VolunteerStatus
from katilim.volunteers.permissions import (
    body_open,
    can_apply,
    can_decide,
    can_leave,
    can_set_listed,
)
from katilim.volunteers.queries import own_row

MOTIVATION_MAX = 1000
REASON_MAX = 1000


class VolunteerRefused(DomainError):
    """Input the rules do not take (an empty reason, a too long text): the form is shown
    again with the message."""

    status_code = 400


def apply(actor, body: Body, motivation: str) -> BodyVolunteer:
    """Apply to join the body with a few words of motivation; the body's chairs and
    moderators are told (the admins while it has none).

    :raises PermissionDenied: not signed in, unverified, the body closed to applications, or
        an application or membership already open.
    :raises VolunteerRefused: a motivation longer than ``MOTIVATION_MAX``.
    """
    row = own_row(actor, body)
    if not can_apply(actor, body, row):
        if getattr(actor, "is_authenticated", False) and not body_open(body):
            raise PermissionDenied(_("This group does not take applications."))
        if row is not None and row.status in (VolunteerStatus.APPLIED, VolunteerStatus.ACCEPTED):
            raise InvalidTransition(_("You have already applied to this group."))
        raise PermissionDenied(_("Confirm your e-mail address to apply to a group."))
    text = motivation.strip()
    if len(text) > MOTIVATION_MAX:
        raise VolunteerRefused(_("Please keep it to %(num)s characters.", num=MOTIVATION_MAX))
    if row is None:
        row = BodyVolunteer(body_id=body.id, user_id=actor.id, motivation=text)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except exc.IntegrityError:  # the same person's other request applied first
            raise InvalidTransition(_("You have already applied to this group.")) from None
    else:  # left or declined before: the same row opens again, as a new application
        row.created_at = utcnow()  # "applied on" is this application's day
        row.status = VolunteerStatus.APPLIED
        row.motivation = text
        row.is_listed = False
        row.decided_at = None
        row.decided_by_id = None
        row.decline_reason = None
        row.left_at = None
    db.session.flush()
    notify_about_body(reviewer_ids(body) - {actor.id}, body, "volunteer_applied")
    return row


def decide(actor, row: BodyVolunteer, accept: bool, reason: str = "") -> None:
    """Accept or decline an open application; the applicant is told. Declining needs a
    reason, which the applicant reads on their volunteering page.

    :raises PermissionDenied: the actor is not a chair or moderator of the body, nor an
        admin; or decides on their own application.
    :raises InvalidTransition: the application is not open any more.
    :raises VolunteerRefused: declining without a reason, or with a too long one.
    """
    if not can_decide(actor, row.body) or row.user_id == actor.id:
        raise PermissionDenied(_("Only the chairs and moderators of this group can do this."))
    if row.status != VolunteerStatus.APPLIED:
        raise InvalidTransition(_("This application is already decided."))
    reason = reason.strip()
    if not accept and not reason:
        raise VolunteerRefused(_("Say why the application is declined: the applicant reads it."))
    if len(reason) > REASON_MAX:
        raise VolunteerRefused(_("Please keep it to %(num)s characters.", num=REASON_MAX))
    row.status = VolunteerStatus.ACCEPTED if accept else VolunteerStatus.DECLINED
    row.decided_at = utcnow()
    row.decided_by_id = actor.id
    row.decline_reason = None if accept else reason
    db.session.flush()
    record(
        actor,
        "volunteer.accept" if accept else "volunteer.decline",
        row,
        body=row.body.slug,
    )
    notify_about_body(
        {row.user_id}, row.body, "volunteer_accepted" if accept else "volunteer_declined"
    )


def leave(actor, body: Body) -> BodyVolunteer:
    """Leave the body (or withdraw an open application), at any time. The person is no
    longer named, and the consent to be named ends when no other body names them."""
    row = own_row(actor, body)
    if not can_leave(actor, row):
        raise InvalidTransition(_("You are not a member of this group."))
    assert row is not None  # can_leave says so
    was_listed = row.is_listed
    row.status = VolunteerStatus.LEFT
    row.left_at = utcnow()
    row.is_listed = False
    db.session.flush()
    if was_listed:
        _withdraw_if_unlisted(actor)
    return row


def set_listed(actor, body: Body, listed: bool) -> BodyVolunteer:
    """Be named on the body's page, or no longer. Being named records the consent
    (ConsentPurpose.VOLUNTEER_LISTING); no longer being named anywhere withdraws it."""
    row = own_row(actor, body)
    if not can_set_listed(actor, row):
        raise InvalidTransition(_("Only members of this group can choose to be named."))
    assert row is not None
    if listed:
        consents.give(actor, ConsentPurpose.VOLUNTEER_LISTING)
        row.is_listed = True
        db.session.flush()
    else:
        row.is_listed = False
        db.session.flush()
        _withdraw_if_unlisted(actor)
    return row


def _withdraw_if_unlisted(user) -> None:
    still_listed = db.session.scalar(
        select(BodyVolunteer.id)
        .where(BodyVolunteer.user_id == user.id, BodyVolunteer.is_listed.is_(True))
        .limit(1)
    )
    if still_listed is None:
        consents.withdraw(user, ConsentPurpose.VOLUNTEER_LISTING)


def unlist_everywhere(user) -> int:
    """The consent to be named was withdrawn (on the consent page): no body names the person
    any more. Returns how many bodies named them."""
    result = db.session.execute(
        update(BodyVolunteer)
        .where(BodyVolunteer.user_id == user.id, BodyVolunteer.is_listed.is_(True))
        .values(is_listed=False)
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()
    return affected_rows(result)
