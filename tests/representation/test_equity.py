"""sort=equity: proposals from the least-heard districts first, computed by the database."""

import re

import pytest

from katilim.extensions import db
from katilim.proposals.queries import ProposalFilters, list_proposals
from katilim.representation import services
from tests.factories import get_council
from tests.representation.helpers import proposal, three_districts


@pytest.fixture
def known(app):
    """Last 12 months: Kıyı 6 proposals (¼ of residents: heard index 2.4), Dağ 1 (0.4: far
    below), Ova 3 (0.6: below). Titles say district and age in days."""
    with app.app_context():
        get_council()
        kiyi, dag, ova = three_districts()
        for day in range(1, 7):
            proposal(kiyi, days_ago=day, title=f"Kıyı önerisi {day} gün")
        proposal(dag, days_ago=30, title="Dağ önerisi 30 gün")
        for day in (2, 5, 9):
            proposal(ova, days_ago=day, title=f"Ova önerisi {day} gün")
        proposal(None, days_ago=3, title="İlçesiz öneri 3 gün")
        # Published long ago: listed, but not counted in the weights.
        for _ in range(5):
            proposal(dag, days_ago=500, title="Dağ eski önerisi 500 gün")
        db.session.commit()


def titles(page: str) -> list[str]:
    return re.findall(r'class="card-title"[^>]*><a [^>]*>([^<]+)</a>', page)


EXPECTED = [
    "Dağ önerisi 30 gün",  # far below its share
    *["Dağ eski önerisi 500 gün"] * 5,
    "Ova önerisi 2 gün",  # below its share
    "Ova önerisi 5 gün",
    "Ova önerisi 9 gün",
    "Kıyı önerisi 1 gün",  # then everyone else, newest first
    "Kıyı önerisi 2 gün",
    "İlçesiz öneri 3 gün",
    "Kıyı önerisi 3 gün",
    "Kıyı önerisi 4 gün",
    "Kıyı önerisi 5 gün",
    "Kıyı önerisi 6 gün",
]


def test_equity_order_lifts_the_least_heard_districts(app, known):
    with app.app_context():
        page = list_proposals(get_council(), ProposalFilters(sort="equity"), per_page=50)
        assert [p.title for p in page.items] == EXPECTED


def test_equity_order_agrees_with_the_heard_index_of_the_figures_page(app, known):
    with app.app_context():
        figures = {
            f.district.slug: f for f in services.district_figures(get_council()) if f.district
        }
        assert figures["dag"].heard_index < 0.5 < figures["ova"].heard_index < 1
        assert figures["kiyi"].heard_index > 1


def test_equity_pages_are_stable_and_complete(client, known, app, monkeypatch):
    monkeypatch.setitem(app.config, "PROPOSALS_PER_PAGE", 5)
    seen = []
    for number in (1, 2, 3, 4):
        page = client.get(f"/proposals?sort=equity&page={number}").get_data(as_text=True)
        seen += titles(page)
    assert seen == EXPECTED


def test_equity_page_explains_the_order_in_one_sentence(client, known):
    page = client.get("/proposals?sort=equity").get_data(as_text=True)
    assert "come first, the least heard first; newest first within each." in page
    assert '<option value="equity" selected>' in page
    assert "the least heard first" not in client.get("/proposals").get_data(as_text=True)


def test_equity_keeps_the_filters(client, known):
    page = client.get("/proposals?sort=equity&district=ova").get_data(as_text=True)
    assert titles(page) == ["Ova önerisi 2 gün", "Ova önerisi 5 gün", "Ova önerisi 9 gün"]


def test_without_recent_proposals_equity_is_newest_first(app):
    with app.app_context():
        get_council()
        kiyi, dag, _ova = three_districts()
        proposal(kiyi, days_ago=400, title="Kıyı 400")
        proposal(dag, days_ago=500, title="Dağ 500")
        db.session.commit()
        page = list_proposals(get_council(), ProposalFilters(sort="equity"), per_page=10)
        assert [p.title for p in page.items] == ["Kıyı 400", "Dağ 500"]


def test_equity_list_runs_the_same_number_of_queries_for_5_and_25(
    client, app, count_queries, monkeypatch
):
    monkeypatch.setitem(app.config, "PROPOSALS_PER_PAGE", 50)
    with app.app_context():
        get_council()
        districts = three_districts()
        for i in range(5):
            proposal(districts[i % 3])
        db.session.commit()

    def measure() -> int:
        client.get("/proposals?sort=equity")
        with count_queries() as counter:
            page = client.get("/proposals?sort=equity").get_data(as_text=True)
        return counter.count, len(titles(page))

    small, shown = measure()
    assert shown == 5
    with app.app_context():
        for i in range(20):
            proposal(districts[i % 3])
        db.session.commit()
    assert measure() == (small, 25)
