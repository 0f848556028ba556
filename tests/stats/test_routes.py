"""The /stats page, its CSV export and the public record on a body's page.

Run with -s to see the query counts.
"""

import csv
import io
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.proposals.models import ProposalStatus
from tests.factories import make_body, make_proposal

S = ProposalStatus
GREEN = "Çevre, İklim ve Sıfır Atık Çalışma Grubu"


def add_record(body, *, answered_after=None, status=S.NEW, days_ago=40, agenda_days=None):
    proposal = make_proposal(body=body, status=status)
    proposal.published_at = utcnow() - timedelta(days=days_ago)
    if answered_after is not None:
        proposal.first_answer_at = proposal.published_at + timedelta(days=answered_after)
    if agenda_days is not None:
        proposal.forwarded_on = date(2026, 1, 5)
        proposal.agenda_on = proposal.forwarded_on + timedelta(days=agenda_days)
    db.session.flush()
    return proposal


def green_body():
    """A body with a Turkish name and a known record: 4 received, 3 answered, 1 overdue."""
    body = make_body("cevre-iklim", response_days=20)
    body.names = {"tr": GREEN, "en": "Environment Working Group"}
    add_record(body, answered_after=2, status=S.ACCEPTED)
    add_record(body, answered_after=4, status=S.FORWARDED, agenda_days=12)
    add_record(body, answered_after=7, status=S.REJECTED)
    add_record(body, days_ago=25)  # no answer after 20 days: overdue
    db.session.commit()
    return body


@pytest.fixture
def figures(app):
    with app.app_context():
        green_body()
        quiet = make_body("sessiz")  # nothing received yet
        quiet.names = {"tr": "Sessiz Grup", "en": "Quiet Group"}
        db.session.commit()


def this_month(locale: str) -> str:
    today = utcnow().astimezone(ZoneInfo("Europe/Istanbul")).date()
    return format_date(today, "MMM yyyy", locale=locale)


def test_stats_page_in_english(client, figures):
    response = client.get("/stats")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="en"' in html
    assert 'href="/bodies/cevre-iklim">Environment Working Group</a>' in html
    assert "75%" in html  # 3 of 4 answered
    assert "How these figures are counted" in html
    assert 'aria-current="page">Figures</a>' in html
    assert this_month("en") in html
    # The chart is one image named by its visible caption; the same numbers follow in a table.
    assert 'role="img" aria-labelledby="council-months-caption"' in html
    assert '<figcaption id="council-months-caption"' in html
    assert '<th scope="col">Month</th>' in html
    assert "nothing to count yet" in html  # the quiet body's share and medians
    assert "style=" not in html  # the CSP forbids inline styles


def test_stats_page_in_turkish(client, figures):
    response = client.get("/stats", headers={"Accept-Language": "tr"})

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="tr"' in html
    assert GREEN in html
    assert "%75" in html  # Turkish puts the percent sign first
    assert this_month("tr") in html


def test_csv_export_has_a_header_the_bodies_and_the_totals(client, figures):
    response = client.get("/stats.csv", headers={"Accept-Language": "tr"})

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows[0]) == 13
    assert [row[1] for row in rows[1:]] == ["cevre-iklim", "sessiz", ""]
    green, quiet, total = rows[1:]
    assert green[0] == GREEN  # Turkish letters intact
    assert green[2:] == ["4", "3", "0.75", "4", "1", "1", "1", "1", "0", "0", "12"]
    assert quiet[2:] == ["0", "0", "", "", "0", "0", "0", "0", "0", "0", ""]
    assert total[2:4] == ["4", "3"]


def test_csv_header_follows_the_reader_language(client, figures):
    rows = list(csv.reader(io.StringIO(client.get("/stats.csv").data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Body", "Identifier", "Received"]
    assert rows[1][0] == "Environment Working Group"
    assert rows[-1][0] == "All bodies"


def test_body_page_shows_its_public_record(client, figures):
    html = client.get("/bodies/cevre-iklim").get_data(as_text=True)

    assert 'id="public-record">Public record</h2>' in html
    assert "<dt>Proposals received</dt><dd>4</dd>" in html
    assert "75%" in html and "3 of 4" in html
    assert "Overdue: no answer after 20 days</dt><dd>1</dd>" in html
    assert "<dt>Median days to the first answer</dt><dd>4</dd>" in html
    assert "to the municipal council's agenda</dt><dd>12</dd>" in html
    assert 'role="img" aria-labelledby="body-months-caption"' in html
    assert "style=" not in html


def test_body_page_of_a_body_without_proposals(client, figures):
    response = client.get("/bodies/sessiz")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<dt>Proposals received</dt><dd>0</dd>" in html
    assert "nothing to count yet" in html


# --- query counts -------------------------------------------------------------------------


def measure(client, count_queries, url: str) -> int:
    client.get(url)  # anything done once per process happens before counting
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def add_bodies(how_many: int, start: int = 0) -> None:
    """Bodies with different response times, each with an answered and a forwarded proposal."""
    for i in range(start, start + how_many):
        body = make_body(f"grup-{i}", response_days=(10, 20, 30)[i % 3])
        add_record(body, answered_after=i % 7, status=S.ACCEPTED, days_ago=30 + i)
        add_record(body, status=S.FORWARDED, agenda_days=i, days_ago=300)
    db.session.commit()


def test_stats_page_runs_the_same_queries_for_2_and_20_bodies(client, app, count_queries):
    with app.app_context():
        add_bodies(2)
    small = measure(client, count_queries, "/stats")
    with app.app_context():
        add_bodies(18, start=2)
    large = measure(client, count_queries, "/stats")
    print(f"\n/stats: {small} statements with 2 bodies, {large} with 20")
    assert client.get("/stats").get_data(as_text=True).count('<a href="/bodies/grup-') == 20
    assert small == large


def test_body_page_runs_the_same_queries_for_2_and_20_proposals(client, app, count_queries):
    with app.app_context():
        body = make_body("ulasim")
        for i in range(2):
            add_record(body, answered_after=i, status=S.ACCEPTED, days_ago=10 + i * 30)
        db.session.commit()
    small = measure(client, count_queries, "/bodies/ulasim")
    with app.app_context():
        body = make_body("ulasim")
        for i in range(2, 20):
            add_record(body, answered_after=i, status=S.FORWARDED, agenda_days=i, days_ago=i * 15)
        db.session.commit()
    large = measure(client, count_queries, "/bodies/ulasim")
    print(f"\n/bodies/ulasim: {small} statements with 2 proposals, {large} with 20")
    assert "<dt>Proposals received</dt><dd>20</dd>" in client.get("/bodies/ulasim").get_data(
        as_text=True
    )
    assert small == large


def test_figures_link_in_navigation_and_footer(client, figures):
    html = client.get("/").get_data(as_text=True)
    # The header's links are in the phone menu and the wide navigation (one shown), and the footer
    assert html.count('href="/stats"') == 3
    assert html.count(">Figures</a>") == 3


def test_stats_figures_are_kept_for_the_configured_seconds(client, app, council, count_queries):
    from katilim.core import cache

    client.get("/stats")  # what is done once per process happens before counting
    app.config["STATS_CACHE_SECONDS"] = 60
    try:
        with count_queries() as computed:
            assert client.get("/stats").status_code == 200
        with count_queries() as kept:
            assert client.get("/stats").status_code == 200
    finally:
        app.config["STATS_CACHE_SECONDS"] = 0
        with app.app_context():  # this app's cache, not a leftover context's
            cache.clear()
    with count_queries() as again:
        assert client.get("/stats").status_code == 200
    assert kept.count < computed.count == again.count
