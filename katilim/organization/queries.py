"""Reading a council's bodies by their slug: the one place that finds a body from a link."""

from collections.abc import Iterable

from flask import abort
from sqlalchemy import select

from katilim.extensions import db
from katilim.organization.models import Body, Council


def get_body(council: Council, slug: str, *, active_only: bool = True) -> Body | None:
    """This council's body with this slug; an inactive body only when ``active_only`` is off
    (its moderators still keep its answer templates)."""
    query = select(Body).where(Body.council_id == council.id, Body.slug == slug)
    if active_only:
        query = query.where(Body.is_active)
    return db.session.scalar(query)


def get_body_or_404(council: Council, slug: str, *, active_only: bool = True) -> Body:
    """:func:`get_body`, or a 404 for a slug this council does not have."""
    body = get_body(council, slug, active_only=active_only)
    if body is None:
        abort(404)
    return body


def bodies_by_slug(council_id: int, slugs: Iterable[str]) -> dict[str, Body]:
    """This council's bodies named by ``slugs`` (a timeline's steps), active or not."""
    wanted = set(slugs)
    if not wanted:
        return {}
    query = select(Body).where(Body.council_id == council_id, Body.slug.in_(wanted))
    return {b.slug: b for b in db.session.scalars(query)}
