"""The "Open data" page and the proposals CSV export (/proposals.csv).

The CSV takes the same filters as /proposals and is streamed, so a whole city's proposals
never sit in memory. It is UTF-8 with a byte-order mark, so that Excel does not read it in
the Windows-1254 code page and garble "ş" and "ğ". Its cells are separated by semicolons: Excel
in Turkish (where the comma is the decimal mark) opens a semicolon file straight into
columns, and a comma file into one column. The file has no decimal numbers, so nothing is
misread either way; scripts read it with ``sep=";"``. (/stats.csv keeps commas: its decimal
points would be read as dates by a Turkish Excel splitting on semicolons.)
"""

import csv
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from katilim.api.caching import cache_headers, not_modified, reads_no_cookie
from katilim.api.services import proposals_version, status_labels
from katilim.core.params import choice_arg
from katilim.core.urls import absolute_url
from katilim.extensions import db
from katilim.i18n import current_locale
from katilim.organization.models import localized
from katilim.organization.services import current_council, list_bodies, list_districts
from katilim.proposals.models import Proposal
from katilim.proposals.queries import ProposalFilters, proposal_list_query

bp = Blueprint("open_data", __name__)
BATCH = 500  # rows fetched (and their tags loaded) at a time while streaming


@bp.route("/open-data")
def index():
    return render_template("api/open_data.html")


class _Line:
    """csv.writer writes into this; each row comes back as one string to stream."""

    def write(self, text: str) -> str:
        return text


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    """A resident's text that a spreadsheet would run as a formula ("=HYPERLINK(...)") gets
    a leading apostrophe, which spreadsheets show as text (OWASP's advice for CSV exports)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _header() -> list[str]:
    return [
        _("Proposal number"),
        _("Web address"),
        _("Title"),
        _("In short"),
        _("Status"),
        _("Status code"),
        _("Body"),
        _("District"),
        _("Tags"),
        _("Language"),
        _("For"),
        _("Against"),
        _("Comments"),
        _("Published"),
        _("First answer"),
        _("Decided"),
        _("Forwarded"),
        _("On the agenda"),
        _("Decision reference"),
    ]


@bp.route("/proposals.csv")
def proposals_csv():
    council = current_council()
    filters = ProposalFilters.from_args(request.args)
    lang = choice_arg("lang", current_app.config["LANGUAGES"], current_locale())
    etag = proposals_version(council, lang, *sorted(filters.as_args(page=1).items()))
    shared = reads_no_cookie()
    if not_modified(etag):
        response = Response(status=304)
    else:
        response = Response(
            stream_with_context(_rows(council, filters, lang)),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{council.slug}-proposals.csv"'},
        )
    response.set_etag(etag)
    cache_headers(response, shared=shared)
    return response


def _rows(council, filters: ProposalFilters, lang: str):
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    writer = csv.writer(_Line(), delimiter=";", lineterminator="\r\n")

    def when(value) -> str:
        # Local time without "T" or offset: Excel reads "2026-03-01 14:05" as a date and time.
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M") if value else ""

    with force_locale(lang):
        yield "\ufeff" + writer.writerow(_header())
    labels = status_labels(lang)
    # Names looked up by id: joining them to every row would decode their JSON 100,000 times.
    body_names = {b.id: localized(b.names, lang) for b in list_bodies(council, active_only=False)}
    district_names = {d.id: d.name for d in list_districts(council)}
    page_url = absolute_url("proposals.index") + "/"  # + id: one link built, not 100k
    query = (
        proposal_list_query(council, filters)
        .options(selectinload(Proposal.tags))
        .execution_options(yield_per=BATCH)
    )
    for proposal in db.session.scalars(query):
        hidden = proposal.is_hidden  # never listed; kept as a guard for the texts
        yield writer.writerow(
            [
                proposal.id,
                f"{page_url}{proposal.id}",
                inert(proposal.title),
                "" if hidden else inert(proposal.summary),
                labels[proposal.status],
                proposal.status.value,
                body_names.get(proposal.body_id, ""),
                district_names.get(proposal.district_id, ""),
                "" if hidden else inert(", ".join(t.name for t in proposal.tags)),
                proposal.language,
                proposal.supports_count,
                proposal.opposes_count,
                proposal.comments_count,
                when(proposal.published_at),
                when(proposal.first_answer_at),
                when(proposal.decided_at),
                proposal.forwarded_on.isoformat() if proposal.forwarded_on else "",
                proposal.agenda_on.isoformat() if proposal.agenda_on else "",
                inert(proposal.decision_reference or ""),
            ]
        )
