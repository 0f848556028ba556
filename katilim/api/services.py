"""What the open-data API and the CSV export publish, as plain dicts in one language.

Only public facts leave through here. The author and every actor of the timeline are left out
on purpose (not even an id): a pseudonymous author must stay pseudonymous, and a name here
would be copied by every mirror of the data. A hidden proposal keeps its title, status and
timeline, as on its page, but loses its texts and tags.
"""

import hashlib
import json

from flask import abort, current_app, request
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from katilim.core.urls import absolute_url
from katilim.extensions import db
from katilim.organization.models import Body, Council, District, localized
from katilim.organization.queries import bodies_by_slug
from katilim.organization.services import list_districts
from katilim.proposals.models import (
    STATUS_LABELS,
    EventKind,
    Proposal,
    ProposalEvent,
    ProposalStatus,
)
from katilim.proposals.queries import ProposalFilters, list_proposals, visible_proposal
from katilim.stats.services import BodyRecord, MonthFigures

# Steps a body takes itself: the timeline names the body (never the moderator) for these.
BODY_STEPS = frozenset({EventKind.STATUS_CHANGED, EventKind.ANSWERED, EventKind.ON_AGENDA})
ROUTING_STEPS = frozenset({EventKind.ROUTED, EventKind.REROUTED})
# A routing event's text is how the body was chosen unless a moderator wrote a reason.
ROUTING_METHODS = frozenset({"citizen", "suggestion", "moderator"})


def _api_loads() -> tuple:
    """The page's loads without the author and the timeline's actors: the API names no one."""
    return (
        joinedload(Proposal.body),
        joinedload(Proposal.district),
        selectinload(Proposal.tags),
        selectinload(Proposal.events),
    )


def request_language(requested: str | None) -> str:
    """?lang= first, then the browser's Accept-Language, then the default (Turkish).

    Deliberately not the site's own selector: that reads the account and the session, and an
    API response that depends on a cookie could not be cached by a proxy.
    """
    supported = current_app.config["LANGUAGES"]
    if requested is not None and requested in supported:
        return requested
    return str(
        request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def _ref(item: Body | District | None, lang: str) -> dict | None:
    if item is None:
        return None
    name = item.name if isinstance(item, District) else localized(item.names, lang)
    return {"slug": item.slug, "name": name}


def _web_url(endpoint: str, **values) -> str:
    return absolute_url(endpoint, **values)


def proposal_item(proposal: Proposal, lang: str, labels: dict | None = None) -> dict:
    hidden = proposal.is_hidden
    return {
        "id": proposal.id,
        "url": _web_url("proposals.detail", proposal_id=proposal.id),
        "title": proposal.title,
        "summary": None if hidden else proposal.summary,
        "language": proposal.language,
        "status": proposal.status.value,
        "status_label": (labels or status_labels(lang))[proposal.status],
        "body": _ref(proposal.body, lang),
        "district": _ref(proposal.district, lang),
        "tags": [] if hidden else [{"slug": t.slug, "name": t.name} for t in proposal.tags],
        "supports": proposal.supports_count,
        "opposes": proposal.opposes_count,
        "comments": proposal.comments_count,
        "published_at": proposal.published_at,
        "first_answer_at": proposal.first_answer_at,
        "decided_at": proposal.decided_at,
        "forwarded_on": proposal.forwarded_on,
        "agenda_on": proposal.agenda_on,
        "decision_reference": proposal.decision_reference,
        # Public on the page too; the API names no author either way.
        "pseudonymous": proposal.is_pseudonymous,
        "assisted": proposal.assisted_by_id is not None,
    }


def status_labels(lang: str) -> dict[ProposalStatus, str]:
    """Every status's label in ``lang``, translated once (switching locale is not cheap)."""
    with force_locale(lang):
        return {status: str(label) for status, label in STATUS_LABELS.items()}


def list_page(council: Council, filters: ProposalFilters, per_page: int, lang: str) -> dict:
    # The site's own page of the list: the same kept counts, capped search counts and equity
    # order read from the index, instead of a second paging that counted every row each time.
    pagination = list_proposals(council, filters, per_page)
    if pagination.beyond:
        # Read only LIST_DEPTH proposals deep, as on the site: every proposal is in the CSV.
        abort(404)
    labels = status_labels(lang)
    return {
        "items": [proposal_item(p, lang, labels) for p in pagination.items],
        "pagination": {
            "page": pagination.page,
            "per_page": pagination.per_page,
            "total": pagination.total or 0,
            "pages": pagination.pages,
        },
    }


def public_proposal(council: Council, proposal_id: int) -> Proposal | None:
    """A published proposal with its tags and timeline; None for drafts and unknown ids.

    Same rule as the page for an anonymous reader: drafts are private, hidden ones are shown
    without their texts.
    """
    return visible_proposal(council, proposal_id, None, _api_loads())


def proposal_detail(proposal: Proposal, lang: str) -> dict:
    hidden = proposal.is_hidden
    events: list[ProposalEvent] = list(proposal.events)
    slugs = {e.to_value for e in events if e.kind in ROUTING_STEPS and e.to_value}
    slugs |= {e.from_value for e in events if e.kind in ROUTING_STEPS and e.from_value}
    bodies = bodies_by_slug(proposal.council_id, slugs)
    timeline = []
    current_body = None  # the body the proposal was with when each step happened
    for event in events:
        if event.kind in ROUTING_STEPS:
            current_body = bodies.get(event.to_value or "")
        text = event.text
        if event.kind == EventKind.ROUTED and text in ROUTING_METHODS:
            text = None
        timeline.append(
            {
                "kind": event.kind.value,
                "from_value": event.from_value,
                "to_value": event.to_value,
                "text": text,
                "body": _ref(current_body or proposal.body, lang)
                if event.kind in BODY_STEPS
                else None,
                "created_at": event.created_at,
            }
        )
    return {
        **proposal_item(proposal, lang),
        "text": None if hidden else proposal.text,
        "text_html": None if hidden else proposal.text_html,
        "hidden": hidden,
        "hidden_reason": proposal.hidden_reason if hidden else None,
        "merged_into": proposal.merged_into_id,
        "timeline": timeline,
    }


def body_dict(body: Body, lang: str) -> dict:
    return {
        "slug": body.slug,
        "kind": body.kind.value,
        "name": localized(body.names, lang),
        "names": body.names or {},
        "description": localized(body.descriptions, lang),
        "descriptions": body.descriptions or {},
        "support_threshold": body.support_threshold,
        "response_days": body.response_days,
        "url": _web_url("organization.body", slug=body.slug),
    }


def district_dict(district: District) -> dict:
    return {
        "slug": district.slug,
        "name": district.name,
        "names": district.names or {},
        "population": district.population,
        "population_year": district.population_year,
    }


def record_dict(record: BodyRecord, lang: str) -> dict:
    figures: dict[str, object] = {
        "received": record.received,
        "answered": record.answered,
        "answered_share": record.answered_share,
        "median_days_to_answer": record.median_days_to_answer,
        "overdue": record.overdue,
        "accepted": record.accepted,
        "rejected": record.rejected,
        "forwarded": record.forwarded,
        "implemented": record.implemented,
        "closed": record.closed,
        "median_days_to_agenda": record.median_days_to_agenda,
    }
    if record.body is not None:
        figures["body"] = _ref(record.body, lang)
    return figures


def month_dict(month: MonthFigures) -> dict:
    return {"month": month.month, "received": month.received, "answered": month.answered}


def proposals_version(council: Council, *parts: str) -> str:
    """A cheap fingerprint of everything the proposal export shows, for its ETag.

    Any change to a proposal moves its updated_at (votes and counters included: they are
    UPDATEs of the row); a new or deleted one changes the count. Bodies and districts have no
    timestamp, so their few names are hashed. Three small queries instead of the whole file.
    """
    count, latest = db.session.execute(
        select(func.count(Proposal.id), func.max(Proposal.updated_at)).where(
            Proposal.council_id == council.id
        )
    ).one()
    bodies = db.session.execute(
        select(Body.slug, Body.names).where(Body.council_id == council.id).order_by(Body.id)
    ).all()
    districts = [(d.slug, d.names) for d in list_districts(council)]
    fingerprint = json.dumps(
        [count, str(latest), [tuple(b) for b in bodies], districts, *parts],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(fingerprint.encode()).hexdigest()[:32]
