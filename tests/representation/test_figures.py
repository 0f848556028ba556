"""/stats/representation: districts per 10,000 residents, heard index, voices, groups."""

import re

import pytest

from katilim.auth.models import SiteRole
from katilim.extensions import db
from katilim.proposals.models import ProposalStatus
from katilim.representation import services
from katilim.voting.services import cast_vote
from tests.factories import get_council, make_comment, make_user
from tests.representation.helpers import proposal, three_districts

ANSWERS = {"age_band": "30_44", "gender": "woman", "disability": "no", "mother_tongue": "turkish"}


def by_slug(figures):
    return {f.district.slug if f.district else None: f for f in figures}


def test_district_figures_per_10000_residents_and_heard_index(ctx):
    council = get_council()
    kiyi, dag, ova = three_districts()
    for _ in range(6):
        proposal(kiyi)
    proposal(dag)
    for _ in range(3):
        proposal(ova)
    proposal(None)  # about the whole province: counted apart
    proposal(dag, days_ago=400)  # older than 12 months
    proposal(dag, status=ProposalStatus.DRAFT)  # never published
    target = proposal(ova)  # 11th counted proposal
    voter = make_user("Seçmen")
    voter.district = ova
    cast_vote(voter, target, 1)
    make_comment(target, voter)
    make_comment(target, make_user("İlçesiz"))

    figures = by_slug(services.district_figures(council))
    assert [figures[s].proposals for s in ("kiyi", "dag", "ova", None)] == [6, 1, 4, 1]
    assert figures["kiyi"].proposals_per_10k == pytest.approx(0.6)
    assert figures["ova"].proposals_per_10k == pytest.approx(0.2)
    # Shares among the 11 proposals with a district: Kıyı 6/11 for ¼ of the residents.
    assert figures["kiyi"].heard_index == pytest.approx((6 / 11) / 0.25)
    assert figures["dag"].heard_index == pytest.approx((1 / 11) / 0.25)
    assert figures["ova"].heard_index == pytest.approx((4 / 11) / 0.5)
    assert (figures["ova"].comments, figures["ova"].votes) == (1, 1)
    assert figures["ova"].votes_per_10k == pytest.approx(0.05)
    assert (figures[None].comments, figures[None].heard_index) == (1, None)


def test_voice_shares_count_pseudonymous_and_assisted_proposals(ctx):
    council = get_council()
    facilitator = make_user("Gönüllü", role=SiteRole.FACILITATOR)
    proposal().is_pseudonymous = True
    proposal().assisted_by_id = facilitator.id
    proposal()
    proposal()
    db.session.flush()
    shares = services.voice_shares(council)
    assert (shares.proposals, shares.pseudonymous, shares.assisted) == (4, 1, 1)
    assert shares.pseudonymous_share == 0.25


def answer(n: int, **answers) -> list:
    users = [make_user(f"Yanıtlayan {n}-{i}") for i in range(n)]
    for user in users:
        services.save_answers(user, {**ANSWERS, **answers}, consent=True)
    return users


def test_group_tables_count_people_and_proposals_and_hide_small_groups(ctx):
    council = get_council()
    women = answer(12)
    answer(15, gender="man")
    answer(3, gender="other")
    proposal(author=women[0])
    proposal(author=women[1])
    proposal(author=women[1], days_ago=400)  # older than 12 months
    total, tables = services.group_tables(council)
    assert total == 30
    gender = {c.value: c for c in next(t for t in tables if t.dimension.name == "gender").cells}
    assert (gender["woman"].people, gender["woman"].proposals) == (12, 2)
    assert gender["other"].hidden == "small"
    # 3 alone could be recomputed as 30 − 12 − 15: the smallest big group is hidden too.
    assert gender["woman"].hidden == "complement"
    assert gender["man"].hidden == ""
    assert gender["prefer_not"].hidden == "small"  # empty
    age = next(t for t in tables if t.dimension.name == "age_band")
    assert [c.people for c in age.cells if not c.hidden] == [30]


def test_nothing_about_groups_is_shown_below_10_people(ctx):
    answer(9)
    total, tables = services.group_tables(get_council())
    assert total == 9
    assert all(cell.hidden for table in tables for cell in table.cells)


def cell_texts(page: str, caption: str) -> dict[str, str]:
    table = page[page.index(f"<caption>{caption}</caption>") :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', table, re.S)
    return {label: " ".join(re.sub(r"<[^>]+>", " ", cells).split()) for label, cells in rows}


def test_page_shows_districts_voices_and_groups_without_small_numbers(client, app):
    with app.app_context():
        get_council()
        kiyi, dag, ova = three_districts()
        women = answer(12)
        answer(15, gender="man")
        answer(3, gender="other")
        for _ in range(7):
            proposal(kiyi, author=women[0])
        db.session.commit()
    page = client.get("/stats/representation").get_data(as_text=True)
    assert "Who is heard, and who is not" in page
    assert 'role="img"' in page and "Share of residents" in page  # the chart
    gender = cell_texts(page, "Gender")
    assert gender == {
        "Woman": "hidden*",
        "Man": "15 0",
        "In another way": "fewer than 10",
        "I prefer not to say": "fewer than 10",
    }
    assert "30 people have answered." in page
    assert re.search(r"Kıyı</a></th>\s*<td class=\"num\">100,000</td>\s*<td class=\"num\">7<", page)


def test_page_runs_the_same_number_of_queries_whatever_the_data(client, app, count_queries):
    def measure() -> int:
        client.get("/stats/representation")
        with count_queries() as counter:
            assert client.get("/stats/representation").status_code == 200
        return counter.count

    with app.app_context():
        get_council()
        districts = three_districts()
        answer(10)
        proposal(districts[0])
        db.session.commit()
    small = measure()
    with app.app_context():
        for i in range(20):
            author = answer(1, gender="man")[0]
            target = proposal(districts[i % 3], author=author)
            make_comment(target)
        db.session.commit()
    assert measure() == small


def test_shares_are_written_the_readers_way(client, app):
    with app.app_context():
        get_council()
        kiyi, _dag, _ova = three_districts()
        proposal(kiyi)
        db.session.commit()
    english = client.get("/stats/representation").get_data(as_text=True)
    assert ">25%<" in english and ">100%<" in english  # Kıyı: ¼ of residents, all proposals
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    turkish = client.get("/stats/representation").get_data(as_text=True)
    assert ">%25<" in turkish and ">%100<" in turkish


def test_the_figures_page_is_kept_a_minute_and_still_renders(app, client, council, count_queries):
    from katilim.core import cache

    client.get("/stats/representation")  # what is done once per process happens before counting
    app.config["STATS_CACHE_SECONDS"] = 60
    try:
        with count_queries() as computed:
            first = client.get("/stats/representation")
        with count_queries() as kept:
            second = client.get("/stats/representation")
    finally:
        app.config["STATS_CACHE_SECONDS"] = 0
        with app.app_context():  # this app's cache, not a leftover context's
            cache.clear()
    assert first.status_code == second.status_code == 200
    assert kept.count < computed.count
    assert first.get_data(as_text=True) == second.get_data(as_text=True)


def test_group_labels_follow_the_reader_not_the_first_reader_of_the_cache(app):
    # The figures are cached across readers: a label made while a Turkish page was computed
    # must still read in English on an English page.
    from katilim.representation.models import DIMENSIONS

    with app.test_request_context(headers={"Accept-Language": "tr"}):
        label = DIMENSIONS[0].label_of("prefer_not")
        assert str(label) != "I prefer not to say"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert str(label) == "I prefer not to say"
