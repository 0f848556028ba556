"""Deep pages (issue 14, item 5): the list is read only LIST_DEPTH proposals deep, and a busy
proposal's page shows a page of threads with their first replies, whatever the number of
comments; a comment's lasting address finds the page that holds it."""

import pytest

from katilim.comments import services as comment_services
from katilim.extensions import db
from katilim.proposals import queries
from katilim.proposals.models import Proposal, ProposalStatus
from tests.factories import get_body, make_comment, make_proposal, make_user
from tests.proposals.test_query_counts import add_comments, measure

SORTS = ["newest", "supported", "commented", "equity"]


@pytest.fixture
def shallow_list(app, monkeypatch):
    """Two proposals a page, read four deep: page 2 is the last one read."""
    monkeypatch.setattr(queries, "LIST_DEPTH", 4)
    monkeypatch.setitem(app.config, "PROPOSALS_PER_PAGE", 2)


def _proposals(app, how_many: int) -> list[int]:
    with app.app_context():
        body = get_body("ulasim")
        ids = [make_proposal(body=body, title=f"Derin öneri {i}").id for i in range(how_many)]
        db.session.commit()
        return ids


def test_deepest_page_is_the_depth_over_the_page_size():
    depth = queries.LIST_DEPTH
    assert queries.deepest_page(20) == -(-depth // 20)
    assert queries.deepest_page(depth) == 1
    assert queries.deepest_page(depth * 10) == 1  # a page larger than the depth: one page
    assert queries.deepest_page(0) >= 1  # never a division by zero


@pytest.mark.parametrize("sort", SORTS)
def test_the_last_page_read_says_how_to_go_on(app, client, council, shallow_list, sort):
    _proposals(app, 7)
    response = client.get(f"/proposals?sort={sort}&page=2")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count('class="card proposal-card"') == 2
    assert "depth-notice" in page and "/open-data" in page
    assert 'rel="next"' not in page  # no link to a page that is not read
    assert "page=3" not in page and "page=4" not in page
    # The first page links on to the second, without the notice.
    first = client.get(f"/proposals?sort={sort}").get_data(as_text=True)
    assert 'rel="next"' in first and "depth-notice" not in first


@pytest.mark.parametrize("sort", SORTS)
def test_a_page_beyond_the_depth_is_not_found_and_reads_no_proposal(
    app, client, council, shallow_list, count_queries, sort
):
    _proposals(app, 7)
    client.get(f"/proposals?sort={sort}&page=3")
    with count_queries() as counter:
        response = client.get(f"/proposals?sort={sort}&page=3&district=")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "depth-notice" in page and "Derin öneri" not in page
    assert f"/proposals?sort={sort}" in page or sort == "newest"  # back to the first page
    assert 'name="q"' in page  # the search and filters, the way onward
    assert not any("FROM proposals" in s and "LIMIT" in s for s in counter.statements)


def test_old_deep_links_of_the_body_page_and_the_api_are_not_found(
    app, client, council, shallow_list
):
    _proposals(app, 7)
    assert client.get("/bodies/ulasim?page=2").status_code == 200
    assert client.get("/bodies/ulasim?page=3").status_code == 404
    ok = client.get("/api/v1/proposals?per_page=2&page=2")
    assert ok.status_code == 200 and ok.get_json()["pagination"]["pages"] == 2
    beyond = client.get("/api/v1/proposals?per_page=2&page=3")
    assert beyond.status_code == 404 and beyond.get_json()["error"]


@pytest.mark.parametrize(
    "query",
    [
        "page=51",
        "page=10000",
        "page=10001",
        "page=-3",
        "page=0",
        "page=" + "9" * 400,
        "page=%D9%A3",
        "page=%EF%BC%93",
        "page=1e9",
        "page=%00",
        "page=2&page=99999",
        "sort=equity&page=9999",
        "q=tramvay&page=9999",
        "thread=abc",
        "thread=-1",
        "thread=" + "9" * 50,
    ],
)
def test_odd_page_numbers_are_never_an_error(app, client, council, query):
    _proposals(app, 3)
    assert client.get(f"/proposals?{query}").status_code in (200, 404)
    assert client.get(f"/bodies/ulasim?{query}").status_code in (200, 404)
    assert client.get(f"/api/v1/proposals?{query}").status_code in (200, 400, 404)


# ---------------------------------------------------------------- a busy proposal's threads


@pytest.fixture
def short_threads(app, monkeypatch):
    """Two threads a page, two replies shown under each."""
    monkeypatch.setitem(app.config, "COMMENTS_PER_PAGE", 2)
    monkeypatch.setattr(comment_services, "REPLIES_SHOWN", 2)


def _busy_proposal(app) -> dict:
    """Five threads; the first has five replies (the last one a reply to a reply), the second
    a hidden reply."""
    with app.app_context():
        proposal = make_proposal(body=get_body("ulasim"))
        roots = [
            make_comment(proposal, make_user(f"Kök {i}"), text=f"Kök yorum {i}") for i in range(5)
        ]
        replies = [
            make_comment(
                proposal, make_user(f"Yanıt {i}"), text=f"Yanıt metni {i}", parent=roots[0]
            )
            for i in range(4)
        ]
        nested = make_comment(proposal, make_user("İç"), text="İç yanıt", parent=replies[3])
        hidden = make_comment(proposal, make_user("Gizli"), text="Gizli yanıt", parent=roots[1])
        hidden.is_hidden = True
        db.session.commit()
        return {
            "proposal": proposal.id,
            "roots": [r.id for r in roots],
            "replies": [r.id for r in replies],
            "nested": nested.id,
            "hidden": hidden.id,
        }


def test_a_thread_shows_its_first_replies_and_a_link_to_all(app, client, council, short_threads):
    ids = _busy_proposal(app)
    url = f"/proposals/{ids['proposal']}"
    page = client.get(url).get_data(as_text=True)
    assert "Yanıt metni 0" in page and "Yanıt metni 1" in page
    assert "Yanıt metni 2" not in page and "İç yanıt" not in page
    root = ids["roots"][0]
    assert f"{url}?thread={root}#comment-{root}" in page  # a plain link, at the thread
    assert "Show all replies" in page
    # The second thread has one (hidden) reply: no link; the hidden text never shows.
    assert f"thread={ids['roots'][1]}" not in page and "Gizli yanıt" not in page
    full = client.get(f"{url}?thread={root}").get_data(as_text=True)
    for n in range(4):
        assert f"Yanıt metni {n}" in full
    assert "İç yanıt" in full and "Show all replies" not in full


def test_more_threads_are_on_numbered_pages_that_keep_the_anchor(
    app, client, council, short_threads
):
    ids = _busy_proposal(app)
    url = f"/proposals/{ids['proposal']}"
    page = client.get(url).get_data(as_text=True)
    assert f"{url}?page=2#comments-heading" in page
    third = client.get(f"{url}?page=3").get_data(as_text=True)
    assert "Kök yorum 4" in third and "Kök yorum 0" not in third
    assert client.get(f"{url}?page=9").status_code == 200  # past the end: no thread, no error
    assert client.get(f"{url}?page=2&thread={ids['roots'][0]}").status_code == 200


def test_a_comments_lasting_address_finds_its_page(app, client, council, short_threads):
    ids = _busy_proposal(app)
    url = f"/proposals/{ids['proposal']}"

    def place(comment_id: int) -> str:
        response = client.get(f"/comments/{comment_id}")
        assert response.status_code == 302
        return response.headers["Location"]

    assert place(ids["roots"][0]).endswith(f"{url}#comment-{ids['roots'][0]}")
    assert place(ids["roots"][4]).endswith(f"{url}?page=3#comment-{ids['roots'][4]}")
    assert place(ids["replies"][1]).endswith(f"{url}#comment-{ids['replies'][1]}")
    late = place(ids["replies"][3])
    assert late.endswith(f"{url}?thread={ids['roots'][0]}#comment-{ids['replies'][3]}")
    assert f'id="comment-{ids["replies"][3]}"' in client.get(late).get_data(as_text=True)
    nested = place(ids["nested"])
    assert f'id="comment-{ids["nested"]}"' in client.get(nested).get_data(as_text=True)
    # A hidden comment's address leads to its place, which shows no text.
    hidden = client.get(place(ids["hidden"])).get_data(as_text=True)
    assert f'id="comment-{ids["hidden"]}"' in hidden and "Gizli yanıt" not in hidden


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "9" * 30, "%D9%A3", "2147483648"])
def test_an_odd_comment_address_is_not_found(client, council, raw):
    assert client.get(f"/comments/{raw}").status_code == 404


def test_a_comment_of_a_proposal_one_may_not_see_is_not_found(
    app, client, council, login, short_threads
):
    with app.app_context():
        author = make_user("Taslakçı")
        draft = make_proposal(author, body=get_body("ulasim"))
        comment_id = make_comment(draft, author).id
        draft.status = ProposalStatus.DRAFT  # back to a draft: only its author sees it
        db.session.commit()
        author_id = author.id
    assert client.get(f"/comments/{comment_id}").status_code == 404
    assert login(author_id).get(f"/comments/{comment_id}").status_code == 302


def test_a_new_comment_on_a_later_page_is_shown_after_posting(app, council, login, short_threads):
    ids = _busy_proposal(app)
    with app.app_context():
        writer_id = make_user("Yazan").id
        db.session.commit()
    writer = login(writer_id)
    url = f"/proposals/{ids['proposal']}"
    response = writer.post(f"{url}/comments", data={"text": "En yeni yorum", "stance": "for"})
    assert response.status_code == 302
    assert f"{url}?page=3#comment-" in response.headers["Location"]
    assert "En yeni yorum" in writer.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "resident"])
def test_the_page_of_a_busy_proposal_runs_the_same_queries_for_few_and_many_replies(
    app, client, login, council, count_queries, signed_in
):
    with app.app_context():
        proposal = make_proposal(body=get_body("ulasim"))
        proposal_id = proposal.id
        add_comments(proposal_id, 3)
        reader_id = make_user("Okuyucu").id
        db.session.commit()
    reader = login(reader_id) if signed_in else client
    url = f"/proposals/{proposal_id}"
    small = measure(reader, count_queries, url)
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        add_comments(proposal_id, 60, start=3)  # more threads than a page holds
        roots = comment_services.comment_threads(proposal, 1, 50)[0].items
        for n in range(comment_services.REPLIES_SHOWN + 5):  # one thread longer than shown
            make_comment(proposal, make_user(f"Uzun {n}"), parent=roots[0])
        db.session.commit()
    large = measure(reader, count_queries, url)
    print(f"\n{url}: {small} statements with 9 comments, {large} with 200")
    assert small == large
