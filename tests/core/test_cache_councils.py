"""Kept figures and pages are made stale per council (katilim/core/cache.py,
katilim/core/touched.py): on an installation serving several councils, a write in one leaves
the others' kept figures and pages fresh, and makes its own stale at once.

Three councils: A, Kocaeli, the installation's default (http://localhost); B, Örnekkent, at its
own address and unrelated to A; D, Gölcük, a district council of A at its own address (A's
/stats shows D's record, so a write in D makes A's figures stale too).
"""

from dataclasses import dataclass

import pytest
from sqlalchemy import delete, insert, select, update

from katilim.comments.models import Comment
from katilim.core import cache, touched
from katilim.core.tenancy import current_council_id
from katilim.extensions import db
from katilim.organization.models import Council
from katilim.organization.services import load_council
from katilim.proposals.models import Proposal
from katilim.seed import DISTRICT_FILE
from katilim.voting.models import Vote
from katilim.voting.services import cast_vote
from tests.conftest import OTHER_COUNCIL_FILE, csrf_token_from
from tests.factories import PASSWORD, acting_as, make_comment, make_proposal, make_user

A = "http://localhost"
B = "http://ornekkent.localhost"
D = "http://golcuk.localhost:5000"
SLUGS = {A: "kocaeli", B: "ornekkent", D: "golcuk"}


@dataclass
class Three:
    ids: dict[str, int]  # slug → council id
    proposals: dict[str, int]  # slug → a proposal of that council
    voters: dict[str, int]  # slug → a verified account of that council


@pytest.fixture
def three(app, council) -> Three:
    with app.app_context():
        load_council(OTHER_COUNCIL_FILE)
        load_council(DISTRICT_FILE)
        db.session.commit()
    proposals, voters = {}, {}
    for slug in SLUGS.values():
        with acting_as(app, slug), app.app_context():
            proposal = make_proposal(title=f"{slug}: durağa rampa yapılsın")
            voter = make_user(f"Seçmen {slug}")
            db.session.commit()
            proposals[slug], voters[slug] = proposal.id, voter.id
    with app.app_context():
        ids = {slug: id_ for slug, id_ in db.session.execute(select(Council.slug, Council.id))}
    return Three(ids, proposals, voters)


@pytest.fixture
def pages_on(pages_on, app):
    """tests/core/conftest.py's, with pages kept longer than a slow test takes."""
    app.config["PAGE_CACHE_SECONDS"] = 30
    return pages_on


def page(app, base: str, path: str = "/proposals") -> str | None:
    """How the page was answered at that address: "miss" (made and kept), "hit" (kept), None
    (made, not kept)."""
    response = app.test_client().get(path, base_url=base)
    assert response.status_code == 200, (base, path)
    return response.headers.get("X-Page-Cache")


def keep_all_pages(app) -> None:
    for base in SLUGS:
        page(app, base)
        assert page(app, base) == "hit", base


def states(app) -> dict[str, str]:
    return {SLUGS[base]: page(app, base) for base in SLUGS}


def vote_in(app, three: Three, slug: str) -> None:
    """A vote (an INSERT and a counter UPDATE, as statements) in council ``slug``."""
    from katilim.auth.models import User

    with acting_as(app, slug), app.app_context():
        proposal = db.session.get(Proposal, three.proposals[slug])
        cast_vote(db.session.get(User, three.voters[slug]), proposal, 1)
        db.session.commit()


def comment_in(app, three: Three, slug: str) -> None:
    """A comment (rows through the unit of work) in council ``slug``."""
    with acting_as(app, slug), app.app_context():
        proposal = db.session.get(Proposal, three.proposals[slug])
        make_comment(proposal, make_user(f"Yorumcu {slug}"), text="Buna kesinlikle katılıyorum.")
        db.session.commit()


# -- pages


def test_a_write_in_one_council_leaves_the_others_kept_pages_fresh(app, three, pages_on):
    keep_all_pages(app)
    vote_in(app, three, "ornekkent")
    assert states(app) == {"kocaeli": "hit", "ornekkent": "miss", "golcuk": "hit"}
    comment_in(app, three, "ornekkent")
    assert states(app) == {"kocaeli": "hit", "ornekkent": "miss", "golcuk": "hit"}


def test_a_write_in_a_council_makes_its_own_kept_pages_stale(app, three, pages_on):
    keep_all_pages(app)
    comment_in(app, three, "kocaeli")
    # Its district council's pages show nothing of the provincial council's proposals.
    assert states(app) == {"kocaeli": "miss", "ornekkent": "hit", "golcuk": "hit"}
    vote_in(app, three, "kocaeli")
    assert states(app) == {"kocaeli": "miss", "ornekkent": "hit", "golcuk": "hit"}


def test_a_write_in_a_district_council_makes_its_province_s_pages_stale_too(app, three, pages_on):
    keep_all_pages(app)
    vote_in(app, three, "golcuk")  # Kocaeli's /stats/councils shows Gölcük's record
    assert states(app) == {"kocaeli": "miss", "ornekkent": "hit", "golcuk": "miss"}


def test_a_write_whose_council_cannot_be_told_makes_every_council_s_pages_stale(
    app, three, pages_on
):
    keep_all_pages(app)
    with app.app_context():  # a council's own row: its name shows on other councils' pages
        council = db.session.get(Council, three.ids["ornekkent"])
        council.names = {**council.names, "en": "Örnekkent Council"}
        db.session.commit()
    assert set(states(app).values()) == {"miss"}
    keep_all_pages(app)
    with app.app_context():  # a statement that names no row: it may write in any council
        db.session.execute(update(Proposal).values(is_hidden=False))
        db.session.commit()
    assert set(states(app).values()) == {"miss"}


def test_the_generation_and_the_page_are_read_in_one_round_trip(app, three, pages_on, monkeypatch):
    app.config["PAGE_CACHE_LOCAL_SECONDS"] = 0
    try:
        keep_all_pages(app)
        backend = app.extensions["cache"][cache.cache]
        calls: list[str] = []  # the calls the middleware makes (not those inside them)
        inside = [0]

        def counted(name, real):
            def call(*args, **kwargs):
                if not inside[0]:
                    calls.append(name)
                inside[0] += 1
                try:
                    return real(*args, **kwargs)
                finally:
                    inside[0] -= 1

            return call

        for name in ("get", "get_many", "has", "add", "set"):
            monkeypatch.setattr(backend, name, counted(name, getattr(backend, name)))
        for base in SLUGS:
            calls.clear()
            assert page(app, base) == "hit"
            assert calls == ["get_many"], base
    finally:
        app.config.pop("PAGE_CACHE_LOCAL_SECONDS", None)


def test_a_write_in_one_council_leaves_the_others_kept_shells_fresh(app, three, pages_on):
    """The pages kept as shells for signed-in residents follow their council's generation."""
    with app.app_context():
        make_user("Sakin Sema", email="sema@a.example")
        db.session.commit()
    resident = app.test_client()
    token = csrf_token_from(resident.get("/auth/login").get_data(as_text=True))
    form = {"email": "sema@a.example", "password": PASSWORD, "csrf_token": token}
    assert resident.post("/auth/login", data=form).status_code == 302
    resident.get("/me")  # the welcome message is read and leaves the session
    resident.get("/proposals?first=1")  # the process learns which council the host names

    def shell() -> str | None:
        return resident.get("/proposals").headers.get("X-Page-Cache")

    assert shell() == "miss"
    assert shell() == "hit"
    vote_in(app, three, "ornekkent")
    comment_in(app, three, "ornekkent")
    assert shell() == "hit"
    vote_in(app, three, "kocaeli")
    assert shell() == "miss"
    assert shell() == "hit"
    comment_in(app, three, "golcuk")  # its district council: its records show at Kocaeli
    assert shell() == "miss"


def test_a_page_made_for_another_council_than_expected_is_not_kept(app, three, pages_on):
    """A process that learned a host's council before an operator moved an address learns it
    again; meanwhile it keeps no page under the wrong council's generation."""
    page(app, B)
    assert pages_on.councils == {"ornekkent.localhost": three.ids["ornekkent"]}  # learned
    pages_on.councils["ornekkent.localhost"] = three.ids["kocaeli"]  # as before the move
    assert page(app, B) is None  # B's generation not read: made, and not kept
    assert "ornekkent.localhost" not in pages_on.councils  # learned again at the next request
    assert page(app, B) == "miss"
    assert page(app, B) == "hit"
    vote_in(app, three, "kocaeli")
    assert page(app, B) == "hit"


def test_a_host_is_learned_without_a_query_before_the_application(
    app, three, pages_on, count_queries
):
    """Which council a host is for comes from the pages the application made for it: the
    cache asks the database nothing of its own (a hanging database must not hold up /health),
    and a kept page costs no query at all."""
    with count_queries() as counter:
        response = app.test_client().get("/health", base_url=D)
    assert response.status_code == 200 and counter.count <= 1  # the health check's own
    assert page(app, D) == "miss"
    with count_queries() as counter:
        assert page(app, D) == "hit"
    assert counter.count == 0


# -- figures


def figures(app, counters: dict[str, int]) -> dict[str, int]:
    """Each council's kept figure: how many times it was computed for that council."""

    def compute() -> int:
        slug = next(s for s, i in ids.items() if i == current_council_id())
        counters[slug] = counters.get(slug, 0) + 1
        return counters[slug]

    with app.app_context():
        ids = {slug: id_ for slug, id_ in db.session.execute(select(Council.slug, Council.id))}
    seen = {}
    for base, slug in SLUGS.items():
        with app.test_request_context(base_url=base):
            seen[slug] = cache.cached(("figure",), compute)
    return seen


def test_a_write_in_one_council_leaves_the_others_kept_figures_fresh(app, three, figures_kept):
    counters: dict[str, int] = {}
    assert (
        figures(app, counters)
        == figures(app, counters)
        == {
            "kocaeli": 1,
            "ornekkent": 1,
            "golcuk": 1,
        }
    )
    vote_in(app, three, "ornekkent")
    assert figures(app, counters) == {"kocaeli": 1, "ornekkent": 2, "golcuk": 1}
    comment_in(app, three, "kocaeli")
    assert figures(app, counters) == {"kocaeli": 2, "ornekkent": 2, "golcuk": 1}
    vote_in(app, three, "golcuk")  # and its province's, which shows its record
    assert figures(app, counters) == {"kocaeli": 3, "ornekkent": 2, "golcuk": 2}
    with app.app_context():
        db.session.execute(update(Proposal).values(is_hidden=False))  # any council's rows
        db.session.commit()
    assert figures(app, counters) == {"kocaeli": 4, "ornekkent": 3, "golcuk": 3}


def test_a_referral_makes_both_councils_stale(app, three, figures_kept, pages_on):
    keep_all_pages(app)
    counters: dict[str, int] = {}
    figures(app, counters)
    with app.app_context():
        proposal = db.session.get(Proposal, three.proposals["golcuk"])
        proposal.council_id = three.ids["kocaeli"]  # what refer_to_parent writes
        db.session.commit()
    assert figures(app, counters) == {"kocaeli": 2, "ornekkent": 1, "golcuk": 2}
    assert states(app) == {"kocaeli": "miss", "ornekkent": "hit", "golcuk": "miss"}


# -- how a write's councils are told


def test_the_councils_of_rows_and_statements(app, three):
    a, b = three.ids["kocaeli"], three.ids["ornekkent"]
    with app.app_context():
        session = db.session()
        in_b = db.session.get(Proposal, three.proposals["ornekkent"])
        assert touched.of_instance(session, in_b) == {b}
        someone_of_b = make_user("Yorumcu", council=db.session.get(Council, b))
        comment = make_comment(in_b, someone_of_b, text="Bir yorum yazıyorum burada.")
        assert touched.of_instance(session, comment) == {b}
        # A row pointing into two councils counts for both (an account of A, a proposal of B).
        someone_of_a = make_user("Komşu", council=db.session.get(Council, a))
        assert touched.of_instance(session, Vote(proposal_id=in_b.id, user_id=someone_of_a.id)) == {
            a,
            b,
        }
        # Statements: by primary key, by a foreign key, by values, by rows of parameters.
        p_a, p_b = three.proposals["kocaeli"], three.proposals["ornekkent"]
        assert touched.of_statement(session, update(Proposal).where(Proposal.id == p_b)) == {b}
        both = update(Proposal).where(Proposal.id.in_([p_a, p_b]), Proposal.is_hidden.is_(False))
        assert touched.of_statement(session, both) == {a, b}
        assert touched.of_statement(session, delete(Vote).where(Vote.proposal_id == p_a)) == {a}
        assert touched.of_statement(session, delete(Comment).where(Comment.id == comment.id)) == {b}
        values = insert(Vote).values(proposal_id=p_b, user_id=three.voters["ornekkent"], value=1)
        assert touched.of_statement(session, values) == {b}
        rows = [{"proposal_id": p_a, "value": 1}, {"proposal_id": p_b, "value": 1}]
        assert touched.of_statement(session, insert(Vote), rows) == {a, b}
        # Rows not held by the session are read by key, once.
        db.session.expunge_all()
        assert touched.of_statement(session, update(Proposal).where(Proposal.id == p_b)) == {b}
        # What names no council.
        assert touched.of_statement(session, update(Proposal)) is touched.ALL
        assert (
            touched.of_statement(session, update(Proposal).where(Proposal.is_hidden.is_(True)))
            is touched.ALL
        )
        assert touched.of_statement(session, update(Council).values(website=None)) is touched.ALL
        assert touched.of_instance(session, db.session.get(Council, b)) is touched.ALL
        # A district council's province is touched with it.
        assert touched.with_parents(session, {three.ids["golcuk"]}) == {
            three.ids["golcuk"],
            a,
        }
        db.session.rollback()
