"""List and detail pages run a fixed number of SQL statements, whatever the data size
(docs/architecture.md#tests).

Run with -s to see the counts.
"""

import pytest

from katilim.extensions import db
from tests.factories import get_body, make_comment, make_proposal, make_user


def add_proposals(how_many: int, start: int = 0, body_slug: str | None = None) -> list[int]:
    """Proposals each with its own author and tag, spread over the bodies and districts.

    Spreading matters: a lazy load per card would run once per distinct body or district, so
    with the same body everywhere a missing eager load would not show in the counts.
    """
    from katilim.organization.services import current_council, list_bodies, list_districts

    council = current_council()
    bodies, districts = list_bodies(council), list_districts(council)
    ids = []
    for i in range(start, start + how_many):
        proposal = make_proposal(
            make_user(f"Yazar {i}"),
            body=get_body(body_slug) if body_slug else bodies[i % len(bodies)],
            district=districts[i % len(districts)],
            tags=(f"etiket {i}", "tramvay"),
        )
        ids.append(proposal.id)
    db.session.commit()
    return ids


def add_comments(proposal_id: int, threads: int, start: int = 0) -> None:
    """`threads` comments, each with a reply and a reply to the reply, all by different people."""
    from katilim.proposals.models import Proposal

    proposal = db.session.get(Proposal, proposal_id)
    for i in range(start, start + threads):
        root = make_comment(proposal, make_user(f"Yorumcu {i}"))
        reply = make_comment(proposal, make_user(f"Yanıtlayan {i}"), parent=root)
        make_comment(proposal, make_user(f"İkinci yanıt {i}"), parent=reply)
    db.session.commit()


def measure(client, count_queries, url: str) -> int:
    client.get(url)  # anything done once per process happens before counting
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


@pytest.fixture
def big_pages(app, monkeypatch):
    """Pages long enough to show all 50 items, so that a per-item query would show."""
    monkeypatch.setitem(app.config, "PROPOSALS_PER_PAGE", 50)
    monkeypatch.setitem(app.config, "COMMENTS_PER_PAGE", 50)


@pytest.mark.parametrize(
    "url", ["/proposals", "/proposals?sort=supported&tag=tramvay", "/bodies/ulasim"]
)
def test_visitor_list_pages_run_the_same_queries_for_5_and_50_proposals(
    client, council, app, count_queries, big_pages, url
):
    body_slug = "ulasim" if url.startswith("/bodies/") else None
    with app.app_context():
        add_proposals(5, body_slug=body_slug)
    small = measure(client, count_queries, url)
    with app.app_context():
        add_proposals(45, start=5, body_slug=body_slug)
    large = measure(client, count_queries, url)
    print(f"\n{url}: {small} statements with 5 proposals, {large} with 50")
    assert client.get(url).get_data(as_text=True).count('class="card proposal-card"') == 50
    assert small == large


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "resident"])
def test_proposal_page_runs_the_same_queries_for_5_and_50_threads(
    client, login, council, app, count_queries, big_pages, signed_in
):
    with app.app_context():
        (proposal_id,) = add_proposals(1)
        add_comments(proposal_id, 5)
        reader_id = make_user("Okuyucu").id
        db.session.commit()
    reader = login(reader_id) if signed_in else client
    url = f"/proposals/{proposal_id}"
    small = measure(reader, count_queries, url)
    with app.app_context():
        add_comments(proposal_id, 45, start=5)
    large = measure(reader, count_queries, url)
    print(
        f"\n{url} ({'signed in' if signed_in else 'visitor'}): "
        f"{small} statements with 5 threads (15 comments), {large} with 50 (150 comments)"
    )
    page = reader.get(url).get_data(as_text=True)
    assert "Yorumcu 49" in page and "İkinci yanıt 49" in page
    assert small == large


def test_the_whole_list_count_is_kept_like_the_figures(app, client, council, count_queries):
    from katilim.core import cache

    with app.app_context():
        add_proposals(3)
    client.get("/proposals")  # what is done once per process happens before counting
    app.config["STATS_CACHE_SECONDS"] = 60
    try:
        with count_queries() as counted:
            first = client.get("/proposals").get_data(as_text=True)
        with count_queries() as kept:
            second = client.get("/proposals?page=1&sort=supported").get_data(as_text=True)
        with count_queries() as filtered:  # another filter is another count
            client.get("/proposals?status=new")
        with count_queries() as tagged:  # a tag's list is always counted afresh
            client.get("/proposals?tag=x")
        with count_queries() as tagged_again:
            client.get("/proposals?tag=x")
    finally:
        app.config["STATS_CACHE_SECONDS"] = 0
        # In this app's context: outside one, the cache is whatever app another test's
        # leftover context names (under pytest-xdist, one with a closed Redis).
        with app.app_context():
            cache.clear()
    assert kept.count == counted.count - 1 == filtered.count - 1
    assert tagged_again.count == tagged.count
    assert "3 proposals found" in first and "3 proposals found" in second
