"""Reads for the volunteer parts of pages, each a fixed number of statements: the section
on a body's page, the staff page of a body's applicants and members, a person's own list."""

from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from katilim.auth.models import User
from katilim.extensions import db
from katilim.organization.models import Body
from katilim.organization.services import current_council
from katilim.volunteers.models import BodyVolunteer, VolunteerStatus
from katilim.volunteers.permissions import (
    body_open,
    can_apply,
    can_decide,
    can_leave,
    can_set_listed,
)


def member_count(body: Body) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(BodyVolunteer)
        .where(BodyVolunteer.body_id == body.id, BodyVolunteer.status == VolunteerStatus.ACCEPTED)
    ).scalar_one()


def open_application_count(body: Body) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(BodyVolunteer)
        .where(BodyVolunteer.body_id == body.id, BodyVolunteer.status == VolunteerStatus.APPLIED)
    ).scalar_one()


def listed_names(body: Body) -> list[str]:
    """The names of the members who agreed to be named on the body's page, by name."""
    return list(
        db.session.scalars(
            select(User.display_name)
            .join(BodyVolunteer, BodyVolunteer.user_id == User.id)
            .where(
                BodyVolunteer.body_id == body.id,
                BodyVolunteer.status == VolunteerStatus.ACCEPTED,
                BodyVolunteer.is_listed.is_(True),
                User.is_active_account.is_(True),
            )
            .order_by(User.display_name, User.id)
        )
    )


def own_row(user, body: Body) -> BodyVolunteer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(BodyVolunteer).where(
            BodyVolunteer.body_id == body.id, BodyVolunteer.user_id == user.id
        )
    )


@dataclass
class BodySection:
    """What a body's page shows about its volunteers, for this visitor."""

    body: Body
    members: int
    names: list[str]
    row: BodyVolunteer | None  # the visitor's own application or membership
    is_open: bool  # the body takes applications
    may_apply: bool
    may_leave: bool
    may_set_listed: bool
    is_staff: bool
    open_applications: int = 0


def body_section(user, body: Body) -> BodySection:
    """At most four statements, whatever the number of members."""
    row = own_row(user, body)
    staff = can_decide(user, body)
    return BodySection(
        body=body,
        members=member_count(body),
        names=listed_names(body),
        row=row,
        is_open=body_open(body),
        may_apply=can_apply(user, body, row),
        may_leave=can_leave(user, row),
        may_set_listed=can_set_listed(user, row),
        is_staff=staff,
        open_applications=open_application_count(body) if staff else 0,
    )


@dataclass
class StaffPage:
    applications: list[BodyVolunteer] = field(default_factory=list)
    members: list[BodyVolunteer] = field(default_factory=list)


def staff_page(body: Body) -> StaffPage:
    """The open applications (oldest first, with their motivation) and the members, with
    their accounts, in one statement."""
    rows = db.session.scalars(
        select(BodyVolunteer)
        .where(
            BodyVolunteer.body_id == body.id,
            BodyVolunteer.status.in_((VolunteerStatus.APPLIED, VolunteerStatus.ACCEPTED)),
        )
        .options(joinedload(BodyVolunteer.user))
        .order_by(BodyVolunteer.id)
    )
    page = StaffPage()
    for row in rows:
        if row.status == VolunteerStatus.APPLIED:
            page.applications.append(row)
        else:
            page.members.append(row)
    page.members.sort(key=lambda r: (r.user.display_name.casefold(), r.id))
    return page


def application_or_404(row_id: int) -> BodyVolunteer:
    """One application to a body of this council, with its body and applicant, or a 404."""
    row = db.session.scalar(
        select(BodyVolunteer)
        .join(Body, Body.id == BodyVolunteer.body_id)
        .where(BodyVolunteer.id == row_id, Body.council_id == current_council().id)
        .options(joinedload(BodyVolunteer.body), joinedload(BodyVolunteer.user))
    )
    if row is None:
        abort(404)
    return row


def my_rows(user) -> list[BodyVolunteer]:
    """The person's applications and memberships, with their bodies, newest first."""
    return list(
        db.session.scalars(
            select(BodyVolunteer)
            .where(BodyVolunteer.user_id == user.id)
            .options(joinedload(BodyVolunteer.body))
            .order_by(BodyVolunteer.id.desc())
        )
    )
