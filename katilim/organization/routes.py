"""The list of bodies, and each body's page with its proposals."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from katilim.core.cache import cached
from katilim.core.pagecache import shared_with_residents, shared_with_visitors
from katilim.meetings.queries import next_meeting
from katilim.organization.models import BodyKind, localized
from katilim.organization.queries import get_body_or_404
from katilim.organization.services import (
    council_named,
    council_names_seen,
    current_council,
    list_bodies,
    site_council,
)
from katilim.proposals.queries import ProposalFilters, list_proposals, listed_counts_per_body
from katilim.stats.services import body_record, monthly_series
from katilim.volunteers.queries import body_section

bp = Blueprint("organization", __name__)


# Every page and e-mail names the council from its data, never from the code: a template
# global, so that e-mails (rendered without a request's context) have it too.
bp.add_app_template_global(site_council, "site_council")


@bp.app_template_global()
def council_name() -> str:
    """The council's name in the current language (a generic one before its data is loaded)."""
    council = site_council()
    if council is not None:
        return council.name
    return localized(council_names_seen()) or _("City council")


bp.add_app_template_global(council_named, "council_named")


@bp.route("/bodies")
@shared_with_visitors
@shared_with_residents
def bodies():
    """The assemblies and working groups, with how many proposals each has received."""
    council = current_council()
    all_bodies = list_bodies(council)
    return render_template(
        "organization/bodies.html",
        general_assemblies=[b for b in all_bodies if b.kind == BodyKind.GENERAL_ASSEMBLY],
        assemblies=[b for b in all_bodies if b.kind == BodyKind.ASSEMBLY],
        working_groups=[b for b in all_bodies if b.kind == BodyKind.WORKING_GROUP],
        counts=listed_counts_per_body(council),
    )


@bp.route("/bodies/<slug:slug>")
@shared_with_visitors
def body(slug: str):
    """One body: what it does and the proposals routed to it."""
    council = current_council()
    body = get_body_or_404(council, slug)
    filters = ProposalFilters.from_args(request.args)
    filters.body = body.slug
    pagination = list_proposals(council, filters, current_app.config["PROPOSALS_PER_PAGE"])
    if pagination.beyond:
        abort(404)
    return render_template(
        "organization/body.html",
        body=body,
        filters=filters,
        pagination=pagination,
        next_meeting=next_meeting(body),
        volunteers=body_section(current_user, body),
        **cached(
            ("body", body.id),
            lambda: {
                "record": body_record(body),
                "months": monthly_series(council, body=body),
            },
        ),
    )
