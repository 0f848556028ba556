"""Public figures: each body's response record, the council's totals and monthly chart."""

from flask import Blueprint, Response, abort, render_template

from katilim.core.cache import cached
from katilim.core.models import utcnow
from katilim.core.pagecache import shared_with_residents, shared_with_visitors
from katilim.organization.services import current_council
from katilim.representation import services as representation
from katilim.stats.services import (
    council_records,
    council_total,
    district_council_records,
    district_councils,
    monthly_series,
    records_csv,
)

bp = Blueprint("stats", __name__)
# The body page shows shares too, so the formatter is offered to every template.


@bp.route("/stats")
@shared_with_visitors
@shared_with_residents
def index():
    council = current_council()

    def figures() -> dict:
        now = utcnow()
        records = council_records(council, now=now)
        return {
            "records": records,
            "total": council_total(records),
            "series": monthly_series(council, now=now),
            "has_district_councils": bool(district_councils(council)),
            "now": now,  # the page says when the figures were computed
        }

    return render_template("stats/index.html", **cached(("stats", council.id), figures))


@bp.route("/stats/representation")
@shared_with_visitors
@shared_with_residents
def representation_figures():
    """Who is heard and who is not: districts, pseudonymous and assisted proposals, groups."""
    council = current_council()

    def figures() -> dict:
        # A year of proposals, comments and votes grouped by district: 470 ms at a city's
        # scale, kept a minute like /stats.
        now = utcnow()
        people, groups = representation.group_tables(council, now=now)
        return {
            "districts": representation.district_figures(council, now=now),
            "voices": representation.voice_shares(council, now=now),
            "people": people,
            "groups": groups,
            "now": now,
        }

    return render_template(
        "stats/representation.html",
        min_cell=representation.MIN_CELL,
        **cached(("representation", council.id), figures),
    )


@bp.route("/stats/councils")
@shared_with_visitors
@shared_with_residents
def councils():
    """A provincial council's district councils side by side (only where it has some)."""
    council = current_council()
    records = cached(("councils", council.id), lambda: district_council_records(council))
    if not records:
        abort(404)
    return render_template("stats/councils.html", council=council, records=records)


@bp.route("/stats.csv")
def table_csv():
    """The same table as /stats, for spreadsheets (UTF-8, so that "ş" and "ğ" stay intact)."""
    council = current_council()
    records = council_records(council)
    # The byte-order mark makes spreadsheet programs read the file as UTF-8 instead of
    # the system's legacy code page (Windows-1254 in Türkiye), which would garble the names.
    return Response(
        "\ufeff" + records_csv(records, council_total(records)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{council.slug}-figures.csv"'},
    )
