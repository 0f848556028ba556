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
from sqlalchemy import ARRAY, Integer, any_, bindparam, select

from katilim.api.caching import cache_headers, not_modified, reads_no_cookie
from katilim.api.services import proposals_version, status_labels
from katilim.core.params import choice_arg
from katilim.core.urls import absolute_url
from katilim.extensions import db
from katilim.i18n import current_locale
from katilim.organization.models import localized
from katilim.organization.services import current_council, list_bodies, list_districts
from katilim.proposals.models import Proposal, Tag, proposal_tags
from katilim.proposals.queries import ProposalFilters, proposal_list_query

bp = Blueprint("open_data", __name__)
BATCH = 1000  # rows fetched (and their tags loaded, and sent) at a time while streaming


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
    # Plain rows of the columns written, not ORM objects: building 100,000 proposals (their
    # long texts included) and loading their tags batch by batch took 15-20 s at 100k; rows
    # and one tag query per batch stream the same file in a few seconds.
    query = proposal_list_query(council, filters).with_only_columns(
        Proposal.id,
        Proposal.title,
        Proposal.summary,
        Proposal.status,
        Proposal.body_id,
        Proposal.district_id,
        Proposal.language,
        Proposal.supports_count,
        Proposal.opposes_count,
        Proposal.comments_count,
        Proposal.published_at,
        Proposal.first_answer_at,
        Proposal.decided_at,
        Proposal.forwarded_on,
        Proposal.agenda_on,
        Proposal.decision_reference,
        Proposal.is_hidden,
        maintain_column_froms=True,
    )
    rows = db.session.execute(query.execution_options(yield_per=BATCH))
    for batch in rows.partitions():
        tags = _tags_of([row.id for row in batch])
        lines = []  # a batch is sent as one piece: a piece per row cost as much as the rows
        for row in batch:
            hidden = row.is_hidden  # never listed; kept as a guard for the texts
            status = row.status
            lines.append(
                writer.writerow(
                    [
                        row.id,
                        f"{page_url}{row.id}",
                        inert(row.title),
                        "" if hidden else inert(row.summary),
                        labels[status],
                        status.value,
                        body_names.get(row.body_id, ""),
                        district_names.get(row.district_id, ""),
                        "" if hidden else inert(", ".join(tags.get(row.id, ()))),
                        row.language,
                        row.supports_count,
                        row.opposes_count,
                        row.comments_count,
                        when(row.published_at),
                        when(row.first_answer_at),
                        when(row.decided_at),
                        row.forwarded_on.isoformat() if row.forwarded_on else "",
                        row.agenda_on.isoformat() if row.agenda_on else "",
                        inert(row.decision_reference or ""),
                    ]
                )
            )
        yield "".join(lines)


def _one_of(column, ids: list[int]):
    """``column IN ids``; on PostgreSQL one array parameter (``= ANY(:ids)``): psycopg parsed
    a statement with a thousand placeholders afresh for every batch, 10% of the export."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def _tags_of(ids: list[int]) -> dict[int, list[str]]:
    """The tag names of these proposals, each list in name order (as on the page)."""
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    query = (
        select(proposal_tags.c.proposal_id, Tag.name)
        .join(Tag, Tag.id == proposal_tags.c.tag_id)
        .where(_one_of(proposal_tags.c.proposal_id, ids))
        .order_by(proposal_tags.c.proposal_id, Tag.name)
    )
    for proposal_id, name in db.session.execute(query):
        found.setdefault(proposal_id, []).append(name)
    return found
