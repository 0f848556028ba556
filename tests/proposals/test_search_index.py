"""Search at a city's scale: the same answers on both databases, from the full-text index."""

import pytest
from sqlalchemy import select

from katilim.core.text import fold_words, search_key
from katilim.extensions import db
from katilim.proposals.models import Proposal
from katilim.proposals.queries import apply_search
from katilim.proposals.routing import SOFTENED
from tests.factories import make_proposal

TITLES = [
    "İzmit sahilinde gece yürüyüşü için aydınlatma",
    "Parkta hiç ışık yok, akşamları karanlık",
    "Bisikletler için güvenli park yerleri",
    "Otobüs durağı taşınsın, 2026 bütçesine eklensin",
    "Kitabı olmayan okul kütüphanesi: kitap bağışı",
    "foo_bar gibi alt çizgili bir kelime ve 12ab sayılı ada",
    "Çayırova'da su baskını; yağmur suyu kanalı yok",
]
QUERIES = [
    "izmit",
    "IZMIT",
    "ışık",
    "isik",
    "bisiklet",
    "siklet",
    "park",
    "park ışık",
    "durak",
    "kitap",
    "kitab",
    "2026",
    "20",
    "12",
    "12ab",
    "bar",
    "foo_b",
    "foo",
    "b_siklet",
    "%",
    "_",
    "çayırova su",
    "cayirovada",
    "kanal",
    "yok",
    "yağmur kanal",
    "a",
    "ok",
]


def reference(terms: list[str], key: str) -> bool:
    """The meaning of a search, in plain Python: every term (or its softened stem) starts a
    word of the folded text."""
    words = key.split()

    def variants(term):
        if len(term) > 2 and term[-1] in SOFTENED:
            return [term, term[:-1] + SOFTENED[term[-1]]]
        return [term]

    return all(any(w.startswith(v) for w in words for v in variants(t)) for t in terms)


@pytest.fixture
def titled(app, council):
    with app.app_context():
        for title in TITLES:
            make_proposal(title=title, summary="Kısa özet.", text="Ayrıntılar burada.")
        db.session.commit()


@pytest.mark.parametrize("q", QUERIES)
def test_search_finds_exactly_the_word_prefix_matches(app, titled, q):
    with app.test_request_context():
        terms = fold_words(q)
        found = set(
            db.session.scalars(
                apply_search(select(Proposal.title), terms) if terms else select(Proposal.title)
            )
        )
        expected = {
            t for t in TITLES if reference(terms, search_key(t, "Kısa özet.", "Ayrıntılar burada."))
        }
        assert found == expected


def test_search_uses_the_full_text_index_on_postgresql(app, titled):
    with app.test_request_context():
        if db.session.get_bind().dialect.name != "postgresql":
            pytest.skip("PostgreSQL only: SQLite reads its FTS5 table (test_fulltext.py)")
        query = apply_search(select(Proposal.id), fold_words("Bisiklet İZMİT"))
        compiled = query.compile(db.engine)
        connection = db.session.connection()
        # A table this small is read whole unless told otherwise; the question is whether the
        # index can serve the search's prefix terms at all.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = "\n".join(
            row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
        )
        db.session.rollback()
        assert "Bitmap Index Scan on ix_proposals_search_vector" in plan, plan
        assert "''bisiklet'':*" in plan and "''izmit'':*" in plan, plan


def test_a_search_with_many_matches_is_counted_up_to_the_limit(client, titled, monkeypatch):
    from katilim.proposals import queries

    monkeypatch.setattr(queries, "SEARCH_COUNT_LIMIT", 2)
    html = client.get("/proposals?q=a").get_data(as_text=True)  # "a" starts a word of each
    assert "More than 2 proposals found" in html
    assert html.count('class="card proposal-card"') == len(TITLES)  # the page is not cut
    html = client.get("/proposals?q=bisiklet").get_data(as_text=True)
    assert "1 proposal found" in html and "More than" not in html
