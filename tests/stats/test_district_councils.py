"""A province and its districts (issue 13, item 4): a council names its parent in its data, and
the parent shows its district councils' public figures side by side at /stats/councils."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from katilim.extensions import db
from katilim.organization.models import Council
from katilim.organization.services import load_council
from katilim.proposals.models import Proposal
from katilim.seed import DISTRICT_FILE
from tests.conftest import OTHER_COUNCIL_FILE
from tests.factories import acting_as, get_body, make_proposal, make_user


def _second_district(tmp_path) -> str:
    """Örnekkent, made a district of Kocaeli with 20,000 residents."""
    text = OTHER_COUNCIL_FILE.read_text(encoding="utf-8").replace(
        "  city: Örnekkent\n", "  city: Örnekkent\n  parent: kocaeli\n  population: 20000\n"
    )
    path = tmp_path / "ornekkent.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _proposals(app, slug: str, count: int, answered: int, days: int = 4) -> None:
    with acting_as(app, slug), app.app_context():
        body = get_body("ulasim")
        author = make_user(f"Yazar {slug}")
        for i in range(count):
            proposal = make_proposal(author, body=body, title=f"{slug} önerisi {i}")
            if i < answered:
                proposal.first_answer_at = proposal.published_at + timedelta(days=days)
        db.session.commit()


@pytest.fixture
def province(app, council, tmp_path):
    with app.app_context():
        load_council(DISTRICT_FILE)  # Gölcük: parent kocaeli, 152,607 residents
        load_council(_second_district(tmp_path))
        db.session.commit()
    _proposals(app, "golcuk", count=3, answered=2, days=4)
    _proposals(app, "ornekkent", count=4, answered=1, days=10)
    _proposals(app, "kocaeli", count=2, answered=0)  # the parent's own: not on the page


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    return [" ".join(row.split()) for row in body.split("</tr>") if "<th" in row]


def test_the_parent_shows_its_district_councils_side_by_side(client, province):
    html = client.get("/stats/councils").get_data(as_text=True)
    rows = _rows(html)
    assert len(rows) == 2
    golcuk, ornekkent = rows
    assert 'href="http://golcuk.localhost:5000/stats">Gölcük City Council</a>' in golcuk
    # 3 received, 2 answered (67 %), median 4 days, 3 per 152,607 residents → 0.2 per 10,000
    assert [cell.split(">")[-1] for cell in golcuk.split("</td>")[:-1]] == [
        "3",
        "67%",
        "4",
        "0.2",
    ]
    assert [cell.split(">")[-1] for cell in ornekkent.split("</td>")[:-1]] == [
        "4",
        "25%",
        "10",
        "2",  # 4 per 20,000 residents
    ]
    assert "Kocaeli" in html  # the lead names the parent


def test_the_figures_page_links_to_it_only_where_there_are_district_councils(client, province):
    assert "/stats/councils" in client.get("/stats").get_data(as_text=True)
    district = client.get("/stats", base_url="http://golcuk.localhost")
    assert "/stats/councils" not in district.get_data(as_text=True)
    assert client.get("/stats/councils", base_url="http://golcuk.localhost").status_code == 404


def test_a_council_without_districts_has_no_such_page(client, council):
    assert client.get("/stats/councils").status_code == 404


@pytest.mark.parametrize("locale", ["tr", "ar", "ku"])
def test_the_page_speaks_every_language(client, province, locale):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = locale
    html = client.get("/stats/councils").get_data(as_text=True)
    assert "مجلس مدينة Gölcük" in html if locale == "ar" else "Gölcük" in html
    assert "District councils" not in html  # translated


def test_its_query_count_does_not_grow_with_the_councils(app, client, province, count_queries):
    client.get("/stats/councils")  # warm the catalogues and the council
    with count_queries() as two:
        client.get("/stats/councils")
    with app.app_context():
        db.session.execute(
            Council.__table__.update().where(Council.slug == "ornekkent").values(parent_id=None)
        )
        db.session.commit()
    with count_queries() as one:
        client.get("/stats/councils")
    assert two.count == one.count <= 5


def test_a_parent_must_be_loaded_first(app, council, tmp_path):
    text = OTHER_COUNCIL_FILE.read_text(encoding="utf-8").replace(
        "  city: Örnekkent\n", "  city: Örnekkent\n  parent: nowhere\n"
    )
    path = tmp_path / "orphan.yaml"
    path.write_text(text, encoding="utf-8")
    with app.app_context(), pytest.raises(ValueError, match="parent 'nowhere' is not loaded"):
        load_council(path)
    with app.app_context():
        assert db.session.scalar(select(Proposal.id)) is None
