"""Similar open proposals before publishing, and related proposals on a proposal's page."""

from unittest.mock import patch

import pytest
from sqlalchemy import func, select

from katilim.auth.models import User
from katilim.extensions import db
from katilim.proposals.models import Proposal, ProposalStatus
from katilim.proposals.queries import similar_proposals, similarity_terms
from tests.factories import get_council, make_proposal, make_user

LAMPS = "Sokak ışıkları yanmıyor, çevre karanlık"


def publish_form(**changes) -> dict:
    data = {
        "title": "Sokak isiklari yanmiyor cevre karanlik",
        "summary": "Akşam eve dönerken sokak karanlık, korkuyoruz.",
        "text": "Mahallemizde sokak lambaları aylardır yanmıyor. Akşamları yürümek tehlikeli, "
        "lambaların onarılmasını istiyoruz.",
        "body": "ulasim",
        "publish": "1",
    }
    data.update(changes)
    return data


@pytest.fixture
def writer(app, council) -> int:
    with app.app_context():
        user_id = make_user("Yazar").id
        db.session.commit()
        return user_id


def titles(proposals) -> list[str]:
    return [p.title for p in proposals]


def count_proposals(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Proposal))


def test_terms_are_folded_and_leave_out_words_about_nothing(app):
    assert similarity_terms("Parka bir çeşme yapılsın ve ışık", "") == ["parka", "cesme", "isik"]


@pytest.mark.parametrize(
    ("existing", "typed"),
    [
        (LAMPS, "Sokak isiklari yanmiyor cevre karanlik"),
        ("Parkta ışık yok", "Parkta isik yok"),
        ("Çevre temizliği için konteyner", "cevre temizligi konteyner"),
        # A softened stem, as in search: "durak" finds "durağı".
        ("Otobüs durağı taşınsın", "otobus durak tasinsin"),
    ],
)
def test_a_near_duplicate_typed_without_turkish_letters_is_found(ctx, council, existing, typed):
    make_proposal(title=existing)
    make_proposal(title="Kütüphane hafta sonu açık olsun", summary="Hafta sonu kütüphane açık.")
    found = similar_proposals(get_council().id, typed)
    assert titles(found) == [existing]


def test_only_open_visible_published_proposals_of_the_council_and_at_most_five(ctx, council):
    for n in range(7):
        make_proposal(title=f"Sokak ışıkları {n}. cadde yanmıyor")
    closed = make_proposal(title="Sokak ışıkları kapalı yanmıyor", status=ProposalStatus.CLOSED)
    make_proposal(title="Sokak ışıkları taslak yanmıyor", status=ProposalStatus.DRAFT)
    make_proposal(title="Sokak ışıkları geri çekildi", status=ProposalStatus.WITHDRAWN)
    hidden = make_proposal(title="Sokak ışıkları gizli yanmıyor")
    hidden.is_hidden = True
    db.session.flush()
    found = similar_proposals(get_council().id, "Sokak isiklari yanmiyor")
    assert len(found) == 5
    assert all(p.status == ProposalStatus.NEW and not p.is_hidden for p in found)
    assert closed not in found
    assert similar_proposals(get_council().id + 1, "Sokak isiklari yanmiyor") == []


def test_one_shared_common_word_is_not_similar(ctx, council):
    make_proposal(title="Sokak köpekleri için barınak", summary="Barınak yapılsın, lütfen.")
    assert similar_proposals(get_council().id, "Sokak ışıkları yanmıyor, karanlık") == []


def test_the_best_match_comes_first_then_the_most_supported(ctx, council):
    weak = make_proposal(title="Sokak ışıkları ve kaldırım", summary="Kaldırımlar bozuk olsun.")
    weak.supports_count = 90
    strong = make_proposal(title=LAMPS)
    db.session.flush()
    found = similar_proposals(get_council().id, "Sokak isiklari yanmiyor cevre karanlik")
    assert found[0] == strong and weak in found


def test_writer_sees_similar_proposals_before_publishing_and_the_text_is_kept(app, writer, login):
    with app.app_context():
        existing = make_proposal(title=LAMPS)
        existing.supports_count = 37
        existing_id = existing.id
        db.session.commit()
    client = login(writer)
    response = client.post("/proposals/new", data=publish_form())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Is it already proposed?" in page
    assert LAMPS in page and "37 supports" in page and "New" in page
    # Supporting it is a plain vote form.
    assert f'action="/proposals/{existing_id}/vote"' in page
    assert 'name="value" value="1"' in page
    # What was typed is kept, and the step is marked as seen.
    assert 'value="Sokak isiklari yanmiyor cevre karanlik"' in page
    assert "korkuyoruz" in page
    assert 'name="similar_seen" type="hidden" value="1"' in page
    assert count_proposals(app) == 1
    # Publishing again publishes.
    response = client.post("/proposals/new", data=publish_form(similar_seen="1"))
    assert response.status_code == 302
    assert count_proposals(app) == 2


def test_supporting_one_instead_counts_the_vote(app, writer, login):
    with app.app_context():
        existing_id = make_proposal(title=LAMPS).id
        db.session.commit()
    client = login(writer)
    client.post("/proposals/new", data=publish_form())
    assert client.post(f"/proposals/{existing_id}/vote", data={"value": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(Proposal, existing_id).supports_count == 1
    assert count_proposals(app) == 1


def test_no_similar_proposal_publishes_at_once_and_a_draft_skips_the_step(app, writer, login):
    with app.app_context():
        make_proposal(title="Kütüphane hafta sonu açık olsun", summary="Hafta sonu açık kalsın.")
        db.session.commit()
    client = login(writer)
    assert client.post("/proposals/new", data=publish_form()).status_code == 302
    draft = publish_form(title="Sokak ışıkları yanmıyor, çevre karanlık!", save_draft="1")
    del draft["publish"]
    assert client.post("/proposals/new", data=draft).status_code == 302
    assert count_proposals(app) == 3


def test_publishing_a_draft_shows_the_step_without_the_draft_itself(app, writer, login):
    with app.app_context():
        make_proposal(title=LAMPS)
        draft = make_proposal(
            db.session.get(User, writer),
            title="Sokak ışıkları yanmıyor, çevre karanlık kaldı",
            status=ProposalStatus.DRAFT,
        )
        draft_id = draft.id
        db.session.commit()
    client = login(writer)
    data = publish_form(title="Sokak ışıkları yanmıyor, çevre karanlık kaldı")
    page = client.post(f"/proposals/{draft_id}/edit", data=data).get_data(as_text=True)
    assert LAMPS in page
    assert (
        f'href="/proposals/{draft_id}"'
        not in page.split("similar-heading")[1].split("</section>")[0]
    )
    assert (
        client.post(f"/proposals/{draft_id}/edit", data={**data, "similar_seen": "1"}).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(Proposal, draft_id).status == ProposalStatus.NEW


def test_proposal_page_lists_related_proposals(app, client, council):
    with app.app_context():
        shown = make_proposal(title=LAMPS)
        related = make_proposal(title="Sokak ışıkları yanmıyor, karanlık sokaklar")
        make_proposal(title="Kütüphane hafta sonu açık olsun", summary="Hafta sonu açık kalsın.")
        shown_id, related_id = shown.id, related.id
        db.session.commit()
    page = client.get(f"/proposals/{shown_id}").get_data(as_text=True)
    section = page.split('id="related-heading"')[1].split("</section>")[0]
    assert f'href="/proposals/{related_id}"' in section
    assert f'href="/proposals/{shown_id}"' not in section
    assert "Kütüphane" not in section


def test_related_section_runs_one_query_for_one_or_five_related(
    app, client, council, count_queries
):
    from tests.proposals.test_query_counts import measure

    with app.app_context():
        shown_id = make_proposal(title=LAMPS).id
        make_proposal(title="Sokak ışıkları yanmıyor 1")
        db.session.commit()
    one = measure(client, count_queries, f"/proposals/{shown_id}")
    with app.app_context():
        for n in range(2, 9):
            make_proposal(title=f"Sokak ışıkları yanmıyor {n}", body=None)
        db.session.commit()
    many = measure(client, count_queries, f"/proposals/{shown_id}")
    page = client.get(f"/proposals/{shown_id}").get_data(as_text=True)
    assert page.split('id="related-heading"')[1].split("</section>")[0].count("<li>") == 5
    assert one == many


@pytest.fixture
def related_kept(app):
    """The related ids kept as in production (in this process's memory)."""
    from katilim.core import cache

    app.config["RELATED_CACHE_SECONDS"] = 600
    with app.app_context():
        cache.clear()
    yield
    app.config["RELATED_CACHE_SECONDS"] = 0
    with app.app_context():
        cache.clear()


def test_kept_related_ids_skip_the_search_but_not_the_checks(
    app, client, council, count_queries, related_kept
):
    from tests.proposals.test_query_counts import measure

    with app.app_context():
        shown_id = make_proposal(title=LAMPS).id
        first = make_proposal(title="Sokak ışıkları yanmıyor, karanlık sokaklar")
        second = make_proposal(title="Sokak ışıkları yanmıyor, gece karanlık")
        first_id, second_id = first.id, second.id
        db.session.commit()

    def related_section() -> str:
        page = client.get(f"/proposals/{shown_id}").get_data(as_text=True)
        return page.partition('id="related-heading"')[2].split("</section>")[0]

    assert f'href="/proposals/{first_id}"' in related_section()
    with patch("katilim.proposals.queries.similar_proposals") as search:
        # Kept: the page reads the two proposals by id without searching again...
        measure(client, count_queries, f"/proposals/{shown_id}")
        assert search.call_count == 0
        # ...and still checks each one: a hidden one drops out at once.
        with app.app_context():
            db.session.get(Proposal, first_id).is_hidden = True
            db.session.commit()
        section = related_section()
        assert f'href="/proposals/{first_id}"' not in section
        assert f'href="/proposals/{second_id}"' in section
        assert search.call_count == 0
    # An edit searches again at once (the title and summary are part of the key).
    with app.app_context():
        shown = db.session.get(Proposal, shown_id)
        shown.title = "Kütüphane hafta sonu açık olsun"
        shown.summary = "Hafta sonu da açık kalsın."
        db.session.commit()
    assert f'href="/proposals/{second_id}"' not in related_section()


def test_similar_step_runs_a_fixed_number_of_queries(app, writer, login, count_queries):
    client = login(writer)
    with app.app_context():
        make_proposal(title=LAMPS)
        db.session.commit()
    client.post("/proposals/new", data=publish_form())
    with count_queries() as one:
        client.post("/proposals/new", data=publish_form())
    with app.app_context():
        for n in range(6):
            make_proposal(title=f"Sokak ışıkları yanmıyor, çevre karanlık {n}", body=None)
        db.session.commit()
    with count_queries() as many:
        page = client.post("/proposals/new", data=publish_form()).get_data(as_text=True)
    assert page.count('class="similar-item"') == 5
    assert one.count == many.count


def test_the_words_of_the_similar_query_use_the_trigram_index_on_postgresql(app, council):
    from katilim.proposals.queries import any_word_matches

    with app.test_request_context():
        if db.session.get_bind().dialect.name != "postgresql":
            pytest.skip("PostgreSQL only: SQLite has no index for a word-prefix LIKE")
        terms = similarity_terms("Sokak isiklari yanmiyor")
        query = select(Proposal.id).where(any_word_matches(terms))
        compiled = query.compile(db.engine)
        connection = db.session.connection()
        # A table this small is read whole unless told otherwise; the question is whether the
        # index can serve every pattern of the query.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = "\n".join(
            row[0] for row in connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
        )
        db.session.rollback()
        assert "BitmapOr" in plan, plan
        # sokak, its softened stem sokag, isiklari, yanmiyor
        assert plan.count("Bitmap Index Scan on ix_proposals_search") == 4, plan
