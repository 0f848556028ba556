"""Photos cost a fixed number of queries: one for every list page, one for a proposal page,
whatever the number of cards or photos."""

from katilim.extensions import db
from katilim.photos.services import Upload, attach_photos, prepare
from tests.factories import make_proposal
from tests.photos.images import encoded


def _proposals_with_photos(app, how_many: int, photos: int = 1) -> list[int]:
    with app.app_context():
        ids = []
        for n in range(how_many):
            proposal = make_proposal()
            prepared, _ = prepare(
                [Upload(encoded("PNG", size=(64, 48)), f"Foto {n}", i) for i in range(photos)]
            )
            attach_photos(proposal, prepared)
            ids.append(proposal.id)
        db.session.commit()
        return ids


def _count(client, count_queries, url: str) -> int:
    client.get(url)
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_the_list_runs_the_same_queries_for_2_and_12_cards_with_photos(
    app, client, council, count_queries
):
    _proposals_with_photos(app, 2)
    few = _count(client, count_queries, "/proposals")
    _proposals_with_photos(app, 10)
    many = _count(client, count_queries, "/proposals")
    assert few == many
    assert client.get("/proposals").get_data(as_text=True).count('class="card-photo"') == 12


def test_a_proposal_page_runs_the_same_queries_with_1_and_3_photos(
    app, client, council, count_queries
):
    [one] = _proposals_with_photos(app, 1, photos=1)
    [three] = _proposals_with_photos(app, 1, photos=3)
    assert _count(client, count_queries, f"/proposals/{one}") == _count(
        client, count_queries, f"/proposals/{three}"
    )
