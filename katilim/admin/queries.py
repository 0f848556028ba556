"""What the admin pages read: counts, lists, user search and the audit log with its filters.

Each page runs a fixed number of queries whatever the data size: related rows are loaded
with the page, and the audit log's target links are resolved in one query per target type.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import abort, current_app, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload

from katilim.audit.models import AuditLog
from katilim.auth.models import SiteRole, User
from katilim.core.dates import local_midnight
from katilim.extensions import db
from katilim.organization.models import Body, Council, District, Membership, MembershipRole

AUDIT_PER_PAGE = 50
USERS_PER_PAGE = 25
MAX_SEARCH = 100


def dashboard_counts(council: Council) -> dict[str, int]:
    def count(query: Select) -> int:
        return db.session.scalar(query) or 0

    role_counts = dict(
        db.session.execute(
            select(User.site_role, func.count())
            .where(User.council_id == council.id)
            .group_by(User.site_role)
        ).all()
    )
    return {
        "bodies": count(select(func.count(Body.id)).where(Body.council_id == council.id)),
        "active_bodies": count(
            select(func.count(Body.id)).where(
                Body.council_id == council.id, Body.is_active.is_(True)
            )
        ),
        "districts": count(
            select(func.count(District.id)).where(District.council_id == council.id)
        ),
        "memberships": count(
            select(func.count(Membership.id))
            .join(Body, Body.id == Membership.body_id)
            .where(Body.council_id == council.id)
        ),
        "users": sum(role_counts.values()),
        "admins": role_counts.get(SiteRole.ADMIN, 0),
        "facilitators": role_counts.get(SiteRole.FACILITATOR, 0),
        "audit_entries": count(
            select(func.count(AuditLog.id)).where(AuditLog.council_id == council.id)
        ),
    }


def bodies_with_member_counts(council: Council) -> list[tuple[Body, int]]:
    """Every body, active or not, with how many moderators and chairs it has."""
    members = (
        select(Membership.body_id, func.count().label("members"))
        .group_by(Membership.body_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Body, func.coalesce(members.c.members, 0))
        .outerjoin(members, members.c.body_id == Body.id)
        .where(Body.council_id == council.id)
        .order_by(Body.position, Body.id)
    ).all()
    return [(body, count) for body, count in rows]


def list_all_districts(council: Council) -> list[District]:
    return list(
        db.session.scalars(
            select(District)
            .where(District.council_id == council.id)
            .order_by(District.position, District.id)
        )
    )


def members_of(body: Body) -> list[Membership]:
    """Chairs first, then moderators, each by name (a body has a handful of members)."""
    memberships = db.session.scalars(
        select(Membership)
        .where(Membership.body_id == body.id)
        .options(joinedload(Membership.user))
        .order_by(Membership.id)
    ).all()
    return sorted(
        memberships,
        key=lambda m: (m.role != MembershipRole.CHAIR, m.user.display_name.casefold()),
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_users(council: Council, q: str, page: int, per_page: int = USERS_PER_PAGE) -> Pagination:
    """The council's accounts whose address or name contains ``q`` (case-insensitive); admins
    and facilitators first, so that the people who hold roles are easy to find."""
    query = select(User).where(User.council_id == council.id).options(joinedload(User.district))
    if q:
        pattern = _like(q)
        query = query.where(
            or_(
                User.email.ilike(pattern, escape="\\"),
                User.display_name.ilike(pattern, escape="\\"),
            )
        )
    # false sorts before true: everyone with a role comes before the residents
    query = query.order_by(User.site_role == SiteRole.RESIDENT, User.email)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


# --- audit log -----------------------------------------------------------------------------


@dataclass
class AuditFilters:
    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict:
        values = {
            "actor": self.actor,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in values.items() if v}

    @property
    def is_filtered(self) -> bool:
        return bool(self.as_args())


def audit_query(council: Council, filters: AuditFilters) -> Select:
    query = (
        select(AuditLog)
        .where(AuditLog.council_id == council.id)
        .options(joinedload(AuditLog.actor))
    )
    if filters.actor:
        actor_id = select(User.id).where(
            User.council_id == council.id, User.email == filters.actor.strip().lower()
        )
        query = query.where(AuditLog.actor_id == actor_id.scalar_subquery())
    if filters.action:
        query = query.where(AuditLog.action == filters.action)
    if filters.target_type:
        query = query.where(AuditLog.target_type == filters.target_type)
    if filters.target_id:
        query = query.where(AuditLog.target_id == filters.target_id)
    if filters.date_from:
        query = query.where(AuditLog.created_at >= local_midnight(filters.date_from))
    if filters.date_to:  # the whole of the last day
        query = query.where(
            AuditLog.created_at < local_midnight(filters.date_to + timedelta(days=1))
        )
    return query.order_by(AuditLog.created_at.desc(), AuditLog.id.desc())


def audit_page(
    council: Council, filters: AuditFilters, page: int, per_page: int = AUDIT_PER_PAGE
) -> Pagination:
    return db.paginate(audit_query(council, filters), page=page, per_page=per_page, error_out=False)


def audit_actions(council: Council) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditLog.action)
            .where(AuditLog.council_id == council.id)
            .distinct()
            .order_by(AuditLog.action)
        )
    )


def audit_target_types(council: Council) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditLog.target_type)
            .where(AuditLog.council_id == council.id)
            .distinct()
            .order_by(AuditLog.target_type)
        )
    )


def council_user_or_404(council: Council, user_id: int) -> User:
    """An account of this council; another council's account number is not found here."""
    user = db.session.get(User, user_id)
    if user is None or user.council_id != council.id:
        abort(404)
    return user


def audit_target_links(entries: list[AuditLog]) -> dict[tuple[str, int], str]:
    """Links to the admin or public page of each entry's target, where one exists.

    Bodies and districts are addressed by slug and users by address: those are looked up for
    the whole page in one query (always one, so the page's query count stays fixed). A
    membership links to its body's member list by the slug kept in the entry (the membership
    itself may be gone); a proposal links to its public page.
    """
    ids: dict[str, set[int]] = {"body": set(), "district": set(), "user": set()}
    for entry in entries:
        if entry.target_id is not None and entry.target_type in ids:
            ids[entry.target_type].add(entry.target_id)
    names = union_all(
        select(literal("body"), Body.id, Body.slug).where(Body.id.in_(ids["body"])),
        select(literal("district"), District.id, District.slug).where(
            District.id.in_(ids["district"])
        ),
        select(literal("user"), User.id, User.email).where(User.id.in_(ids["user"])),
    )
    endpoints = {
        "body": ("admin.body_edit", "slug"),
        "district": ("admin.district_edit", "slug"),
        "user": ("admin.users", "q"),
    }
    links: dict[tuple[str, int], str] = {}
    for target_type, target_id, name in db.session.execute(names):
        endpoint, arg = endpoints[target_type]
        values: dict[str, Any] = {arg: name}
        links[target_type, target_id] = url_for(endpoint, **values)
    has_proposals = "proposals.detail" in current_app.view_functions
    for entry in entries:
        if entry.target_id is None:
            continue
        if entry.target_type == "membership" and isinstance(entry.details.get("body"), str):
            links["membership", entry.target_id] = url_for(
                "admin.members", slug=entry.details["body"]
            )
        elif entry.target_type == "proposal" and has_proposals:
            links["proposal", entry.target_id] = url_for(
                "proposals.detail", proposal_id=entry.target_id
            )
    return links
