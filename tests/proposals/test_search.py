"""Searching proposals through GET /proposals?q=... (Turkish folding, word prefixes, AND)."""

import pytest

from katilim.extensions import db
from tests.factories import make_proposal

IZMIT = "İzmit sahilinde gece yürüyüşü için aydınlatma"
ISIK = "Parkta hiç ışık yok, akşamları karanlık"
BISIKLET = "Bisikletler için güvenli park yerleri"
OTOBUS = "Otobüs seferleri sabahları artırılsın, rengi de değişsin"
ALL_TITLES = (IZMIT, ISIK, BISIKLET, OTOBUS)


@pytest.fixture
def proposals(app, council):
    with app.app_context():
        for title in ALL_TITLES:
            make_proposal(title=title, text="Bu konuda belediyeden destek bekliyoruz. " * 3)
        db.session.commit()


def found(client, q: str) -> set[str]:
    response = client.get("/proposals", query_string={"q": q})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return {title for title in ALL_TITLES if title in html}


def test_visitor_can_find_izmit_in_any_spelling(client, proposals):
    spellings = ["izmit", "İZMİT", "Izmit", "IZMIT"]
    assert {q: found(client, q) for q in spellings} == {q: {IZMIT} for q in spellings}


def test_visitor_can_find_isik_with_or_without_turkish_letters(client, proposals):
    spellings = ["isik", "IŞIK", "ışık", "Işık"]
    assert {q: found(client, q) for q in spellings} == {q: {ISIK} for q in spellings}


def test_visitor_can_find_a_word_by_its_stem(client, proposals):
    assert found(client, "bisiklet") == {BISIKLET}


def test_visitor_can_find_a_word_typed_without_diacritics(client, proposals):
    assert found(client, "otobus") == {OTOBUS}


def test_visitor_cannot_find_by_the_middle_of_a_word(client, proposals):
    assert found(client, "siklet") == set()


def test_visitor_search_terms_must_all_match(client, proposals):
    assert found(client, "park bisiklet") == {BISIKLET}
    assert found(client, "park ışık") == {ISIK}
    assert found(client, "park otobüs") == set()


def test_visitor_search_shows_the_number_found(client, proposals):
    html = client.get("/proposals?q=park").get_data(as_text=True)
    assert "2 proposals found" in html


def test_visitor_search_keeps_the_query_in_the_box(client, proposals):
    html = client.get("/proposals", query_string={"q": "Işık <b>"}).get_data(as_text=True)
    assert 'value="Işık &lt;b&gt;"' in html


def test_visitor_can_search_the_tags(client, council, app):
    with app.app_context():
        make_proposal(title="Etiketli bir öneri burada", tags=("Kaldırım",))
        db.session.commit()
    assert "Etiketli bir öneri burada" in client.get("/proposals?q=kaldirim").get_data(as_text=True)


ODD_QUERIES = ["%", "_", "__", "'\"", "\\", "\x00%", "' OR 1=1 --", "b_siklet", "ş" * 500]


def test_visitor_odd_queries_answer_and_match_nothing(client, proposals):
    # "%" and "_" are LIKE wildcards and must stay plain characters: nothing matches them.
    assert {q[:20]: found(client, q) for q in ODD_QUERIES} == {q[:20]: set() for q in ODD_QUERIES}


def test_visitor_punctuation_around_a_word_is_ignored(client, proposals):
    queries = ["%otob", "'otobüs'", "otob\x00üs", "otobüs\\"]
    assert {q: found(client, q) for q in queries} == {q: {OTOBUS} for q in queries}


def test_visitor_finds_a_word_whose_last_consonant_softened(client, proposals):
    # "renk" is written "rengi" in the title: Turkish softens k to g before a vowel
    assert found(client, "renk") == {OTOBUS}
