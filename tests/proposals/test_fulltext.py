"""The full-text index (katilim.core.fulltext): best match first, Turkish folding, kept in
step with every change of a proposal, odd input, and a search that reads an index."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, text

from katilim.core import fulltext
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.moderation import services as moderation
from katilim.proposals.models import Proposal, RoutingMethod
from katilim.proposals.queries import (
    ProposalFilters,
    apply_search,
    list_proposals,
    relevance_tiers,
)
from katilim.proposals.services import ProposalContent, update_proposal
from tests.factories import get_council, make_proposal
from tests.moderation.helpers import make_cast


def search(q: str, per_page: int = 50, **args) -> list[str]:
    """The titles a search lists, in order (inside an app context)."""
    filters = ProposalFilters.from_args({"q": q, **args})
    return [p.title for p in list_proposals(get_council(), filters, per_page).items]


def publish_days_ago(proposal, days: int) -> None:
    proposal.published_at = utcnow() - timedelta(days=days)


@pytest.fixture
def ranked(ctx, council):
    """A word in a title (oldest), in a summary, in a text (newest), and a proposal without it."""
    in_title = make_proposal(title="Kaldırım onarımı", summary="Yaya yolu bozuk.", text="Acil.")
    in_summary = make_proposal(title="Yaya yolu", summary="Kaldırımlar çok dar.", text="Acil.")
    in_text = make_proposal(
        title="Sokak lambaları", summary="Akşam karanlık.", text="Kaldırım da kırık."
    )
    make_proposal(title="Otobüs seferleri", summary="Sabah az.", text="Artırılsın.")
    for days, proposal in ((30, in_title), (20, in_summary), (10, in_text)):
        publish_days_ago(proposal, days)
    db.session.commit()


TITLE_FIRST = ["Kaldırım onarımı", "Yaya yolu", "Sokak lambaları"]


def test_a_title_match_ranks_above_a_summary_match_above_a_text_match(ranked):
    assert search("kaldirim") == TITLE_FIRST


def test_the_search_sorts_by_relevance_unless_another_order_is_asked(ranked):
    assert search("kaldirim", sort="relevance") == TITLE_FIRST
    assert search("kaldirim", sort="newest") == TITLE_FIRST[::-1]
    # Without words, "relevance" means the plain list's order.
    assert ProposalFilters.from_args({"sort": "relevance"}).sort == "newest"


@pytest.mark.parametrize("per_page", [1, 2])
def test_pages_of_the_relevance_order_cut_it_without_gaps_or_repeats(ranked, per_page):
    filters = ProposalFilters.from_args({"q": "kaldirim"})
    pages = []
    for number in (1, 2, 3, 4):
        filters.page = number
        page = list_proposals(get_council(), filters, per_page)
        assert page.total == 3
        pages += [p.title for p in page.items]
    assert pages == TITLE_FIRST


def test_within_a_tier_the_newest_comes_first(ctx, council):
    old = make_proposal(title="Kaldırım eski", summary="Özet.", text="Metin.")
    new = make_proposal(title="Kaldırım yeni", summary="Özet.", text="Metin.")
    publish_days_ago(old, 5)
    publish_days_ago(new, 1)
    db.session.commit()
    assert search("kaldirim") == ["Kaldırım yeni", "Kaldırım eski"]


def test_every_word_in_the_title_ranks_above_one_word_in_the_title(ctx, council):
    split = make_proposal(title="Kaldırım ve yol", summary="Onarım bekliyor.", text="Metin.")
    both = make_proposal(title="Kaldırım onarımı", summary="Özet.", text="Metin.")
    publish_days_ago(both, 9)  # older, still first
    publish_days_ago(split, 1)
    db.session.commit()
    assert search("kaldirim onarim") == ["Kaldırım onarımı", "Kaldırım ve yol"]


def test_the_api_lists_the_best_match_first(client, ranked):
    answer = client.get("/api/v1/proposals", query_string={"q": "Kaldırım"}).get_json()
    assert [p["title"] for p in answer["items"]] == TITLE_FIRST


def test_the_list_offers_the_best_match_order_only_with_words(client, ranked):
    assert 'value="relevance" selected' in client.get("/proposals?q=kaldirim").text
    assert 'value="relevance"' not in client.get("/proposals").text


@pytest.mark.parametrize(
    ("q", "field"),
    [
        ("İZMİT", "title"),
        ("izmit", "title"),
        ("Izmit", "title"),
        ("isik", "summary"),
        ("IŞIK", "summary"),
        ("bisiklet", "text"),  # "Bisikletlerimizi": a word's beginning finds it
        ("cayirova", "tag"),
        ("durak", "text"),  # "durağı": the softened stem
    ],
)
def test_turkish_words_are_found_in_every_field_however_typed(ctx, council, q, field):
    make_proposal(
        title="İzmit körfezi sahili",
        summary="Parkta hiç ışık yok.",
        text="Bisikletlerimizi otobüs durağı yanına bırakıyoruz.",
        tags=("Çayırova",),
    )
    make_proposal(title="Başka bir öneri", summary="Özet.", text="Metin.")
    db.session.commit()
    assert search(q) == ["İzmit körfezi sahili"], field


def test_the_middle_of_a_word_is_not_a_match(ctx, council):
    make_proposal(title="Bisikletler için yol", summary="Özet.", text="Metin.")
    db.session.commit()
    assert search("siklet") == []


def test_arabic_text_is_indexed_and_found(ctx, council):
    make_proposal(title="إنارة الشوارع في الحي", summary="ملخص قصير.", text="النص.")
    db.session.commit()
    assert search("الشوارع") == ["إنارة الشوارع في الحي"]


# -- kept in step


def fts_rows(proposal_id: int) -> int:
    if db.session.get_bind().dialect.name != "sqlite":
        return -1
    return db.session.scalar(
        text(f"SELECT count(*) FROM {fulltext.FTS_TABLE} WHERE rowid = :id"), {"id": proposal_id}
    )


def test_an_edit_reindexes_the_proposal(ctx, council):
    proposal = make_proposal(title="Kaldırım onarımı", summary="Özet.", text="Metin.")
    db.session.commit()
    assert search("kaldirim") == ["Kaldırım onarımı"]
    update_proposal(
        proposal.author,
        proposal,
        ProposalContent(
            title="Çeşme yapılsın",
            summary="Özet.",
            text="Metin.",
            district=None,
            tag_names=(),
            pseudonymous=False,
        ),
        body=proposal.body,
        routing_method=RoutingMethod.CITIZEN,
    )
    db.session.commit()
    assert search("kaldirim") == []
    assert search("cesme") == ["Çeşme yapılsın"]
    assert fts_rows(proposal.id) in (1, -1)


def test_a_deleted_proposal_leaves_the_index_and_its_id_finds_nothing_old(ctx, council):
    gone = make_proposal(title="Kaldırım onarımı", summary="Özet.", text="Metin.")
    other = make_proposal(title="Kaldırım ikinci", summary="Özet.", text="Metin.")
    db.session.commit()
    gone_id, other_id = gone.id, other.id
    db.session.delete(gone)
    db.session.commit()
    assert search("kaldirim") == ["Kaldırım ikinci"]
    assert fts_rows(gone_id) in (0, -1)
    # A bulk delete too (an account's erasure deletes its proposals so): the ids are then
    # given again on SQLite, and a new proposal must not inherit an old one's words.
    db.session.execute(delete(Proposal).where(Proposal.id == other_id))
    db.session.commit()
    assert fts_rows(other_id) in (0, -1)
    reused = make_proposal(title="Çeşme yapılsın", summary="Özet.", text="Metin.")
    db.session.commit()
    assert search("kaldirim") == [] and search("cesme") == [reused.title]


def test_hidden_and_merged_proposals_follow_the_list(ctx, council):
    cast = make_cast()
    hidden = make_proposal(cast.author, body=cast.body, title="Kaldırım gizli")
    duplicate = make_proposal(cast.author, body=cast.body, title="Kaldırım kopya")
    target = make_proposal(cast.author, body=cast.body, title="Kaldırım asıl")
    db.session.commit()
    moderation.hide_proposal(cast.moderator, hidden, "Kişisel bilgi içeriyor.")
    moderation.merge(cast.moderator, duplicate, target, "Aynısı.")
    db.session.commit()
    listed = {p.title for p in list_proposals(get_council(), ProposalFilters(), 50).items}
    assert "Kaldırım gizli" not in listed
    assert set(search("kaldirim")) == {t for t in listed if t.startswith("Kaldırım")}


def test_filters_narrow_a_search(ctx, council):
    cast = make_cast()
    make_proposal(cast.author, body=cast.body, title="Kaldırım burada")
    make_proposal(cast.author, body=cast.other_body, title="Kaldırım orada")
    db.session.commit()
    assert search("kaldirim", body=cast.body.slug) == ["Kaldırım burada"]


# -- odd input

ODD = [
    "'",
    '"',
    "''",
    '"kaldırım',
    "a & b",
    "a | b",
    "!a",
    "!",
    "a:*",
    ":*",
    "a:*A",
    "(a",
    "a)",
    "()",
    "<->",
    "a <-> b",
    "a <2> b",
    "NEAR(a b)",
    "title:kaldirim",
    "{title}: x",
    "*",
    "-a",
    "^a",
    "+a",
    "AND",
    "OR NOT",
    "\\",
    "&|!:*()",
    "k" * 5000,
    "kaldırım " * 300,
    "?!.,;",
    "الشوارع & (إنارة)",
    "🚲 bisiklet",
    "\u200b",
]


@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_odd_searches_answer_and_never_fail(client, ranked, sort):
    for q in ODD:
        response = client.get("/proposals", query_string={"q": q, "sort": sort})
        assert response.status_code == 200, q[:30]
        # The API refuses a search over 200 characters (400), as it always has.
        response = client.get("/api/v1/proposals", query_string={"q": q, "sort": sort})
        assert response.status_code == (200 if len(q) <= 200 else 400), q[:30]
    # Operators are plain characters: "kaldırım & yaya" is the two words.
    assert "Kaldırım onarımı" in client.get("/proposals?q=kaldırım+%26+yaya").text


def test_a_very_long_word_is_indexed_by_its_beginning(ctx, council):
    word = "ş" * 3000
    make_proposal(title="Uzun kelime", summary="Özet.", text=f"{word} burada")
    db.session.commit()
    assert search("s" * 150) == ["Uzun kelime"]


# -- scale, without timing


def test_a_relevance_page_reads_one_page_of_proposals_whatever_the_matches(
    ctx, council, count_queries
):
    """Never a ranking of every match: a page loads its own proposals and nothing more,
    tier by tier, however many proposals the word is in."""
    for n in range(30):
        make_proposal(title=f"Öneri {n}", summary="Özet.", text="Kaldırım bozuk.")
    db.session.commit()
    loaded = []

    def count_loads(target, context):
        loaded.append(target.id)

    from sqlalchemy import event

    event.listen(Proposal, "load", count_loads)
    try:
        with count_queries() as counter:
            page = list_proposals(
                get_council(), ProposalFilters.from_args({"q": "kaldirim", "page": "2"}), 5
            )
    finally:
        event.remove(Proposal, "load", count_loads)
    assert len(page.items) == 5 and page.total == 30
    assert len(loaded) == 5
    assert counter.count <= 12, counter.statements


def _plan(query) -> str:
    compiled = query.compile(db.engine)
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {compiled}", tuple(compiled.params.values())
        )
        return str(rows.all())
    # A table this small is read whole unless told otherwise; the question is whether the
    # indexes can serve the conditions at all.
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    rows = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
    return "\n".join(row[0] for row in rows)


def test_the_search_and_its_tiers_read_the_full_text_indexes(ctx, ranked):
    count = select(func.count(Proposal.id))
    plans = [_plan(apply_search(count, ["kaldirim"]))]
    plans += [_plan(count.where(tier)) for tier in relevance_tiers(["kaldirim"])[:2]]
    db.session.rollback()
    if db.session.get_bind().dialect.name == "sqlite":
        for plan in plans:
            assert "VIRTUAL TABLE INDEX" in plan and fulltext.FTS_TABLE in plan, plan
        return
    assert "Bitmap Index Scan on ix_proposals_search_vector" in plans[0], plans[0]
    assert "''kaldirim'':*" in plans[0], plans[0]
    assert "Bitmap Index Scan on ix_proposals_search_title " in plans[1], plans[1]
    assert "Bitmap Index Scan on ix_proposals_search_title_summary" in plans[2], plans[2]
