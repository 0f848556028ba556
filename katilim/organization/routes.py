"""The list of bodies, and each body's page with its proposals."""

from flask import Blueprint, abort, current_app, render_template, request
from sqlalchemy import func, select

from katilim.core.cache import cached
from katilim.extensions import db
from katilim.organization.models import Body, BodyKind
from katilim.organization.services import current_council, list_bodies
from katilim.proposals.models import PUBLIC_STATUSES, Proposal, ProposalStatus
from katilim.proposals.queries import ProposalFilters, list_proposals
from katilim.stats.services import body_record, monthly_series

bp = Blueprint("organization", __name__)

LISTED = PUBLIC_STATUSES - {ProposalStatus.WITHDRAWN}


@bp.route("/bodies")
def bodies():
    """The assemblies and working groups, with how many proposals each has received."""
    council = current_council()
    all_bodies = list_bodies(council)
    counts = dict(
        db.session.execute(
            select(Proposal.body_id, func.count())
            .where(
                Proposal.council_id == council.id,
                Proposal.status.in_(LISTED),
                Proposal.is_hidden.is_(False),
            )
            .group_by(Proposal.body_id)
        ).all()
    )
    return render_template(
        "organization/bodies.html",
        assemblies=[b for b in all_bodies if b.kind == BodyKind.ASSEMBLY],
        working_groups=[b for b in all_bodies if b.kind == BodyKind.WORKING_GROUP],
        counts=counts,
    )


@bp.route("/bodies/<slug:slug>")
def body(slug: str):
    """One body: what it does and the proposals routed to it."""
    council = current_council()
    body = db.session.scalar(select(Body).where(Body.council_id == council.id, Body.slug == slug))
    if body is None or not body.is_active:
        abort(404)
    filters = ProposalFilters.from_args(request.args)
    filters.body = body.slug
    pagination = list_proposals(council, filters, current_app.config["PROPOSALS_PER_PAGE"])
    return render_template(
        "organization/body.html",
        body=body,
        filters=filters,
        pagination=pagination,
        **cached(
            ("body", body.id),
            lambda: {
                "record": body_record(body),
                "months": monthly_series(council, body=body),
            },
        ),
    )
