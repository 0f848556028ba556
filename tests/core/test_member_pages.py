"""Pages kept as shells for signed-in residents (katilim/core/pagecache.py, katilim/readers.py):
each plain resident gets exactly the page the application would render for them, nobody gets
another person's parts, and everyone else is served by the application."""

import re

import pytest

from katilim.auth.models import SiteRole, User
from katilim.core import pagecache
from katilim.extensions import db
from katilim.notifications.services import follow_proposal
from katilim.proposals.models import Proposal
from katilim.voting.services import cast_vote
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_body, make_comment, make_proposal, make_user

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="[^"]+"')


@pytest.fixture
def people(app):
    """An author with a proposal, a commenter, two plain residents, and people with roles."""
    with app.app_context():
        body = make_body()
        author = make_user("Yazar Yıldız", email="author@example.org")
        proposal = make_proposal(author, body=body, title="Durağa rampa yapılsın")
        commenter = make_user("Yorumcu Yavuz", email="commenter@example.org")
        make_comment(proposal, commenter, text="Katılıyorum, çok gerekli.")
        ids = {
            "author": author.id,
            "commenter": commenter.id,
            "ayse": make_user("Ayşe Birinci", email="ayse@example.org").id,
            "burak": make_user("Burak İkinci", email="burak@example.org").id,
            "arabic": make_user("Salma", email="salma@example.org", locale="ar").id,
            "moderator": make_user("Moderatör", email="mod@example.org", moderates=body).id,
            "admin": make_user("Yönetici", email="admin@example.org", role=SiteRole.ADMIN).id,
            "facilitator": make_user(
                "Gönüllü", email="desk@example.org", role=SiteRole.FACILITATOR
            ).id,
            "unverified": make_user("Yeni", email="new@example.org", verified=False).id,
            "proposal": proposal.id,
        }
        db.session.commit()
    return ids


EMAILS = {
    "author": "author@example.org",
    "commenter": "commenter@example.org",
    "ayse": "ayse@example.org",
    "burak": "burak@example.org",
    "arabic": "salma@example.org",
    "moderator": "mod@example.org",
    "admin": "admin@example.org",
    "facilitator": "desk@example.org",
    "unverified": "new@example.org",
}


def sign_in(app, who: str):
    """Signed in through the form, as a browser does; the welcome message is read once."""
    client = app.test_client()
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login", data={"email": EMAILS[who], "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    client.get("/me")  # the flash message is shown and leaves the session
    client.get("/proposals?first=1")  # the process learns which council the host names
    return client


def direct(app, client, path: str) -> str:
    """The page as the application renders it for this client, no kept shell involved."""
    seconds = app.config["PAGE_CACHE_SECONDS"]
    app.config["PAGE_CACHE_SECONDS"] = 0
    try:
        return TOKEN.sub("TOKEN", client.get(path).get_data(as_text=True))
    finally:
        app.config["PAGE_CACHE_SECONDS"] = seconds


def paths(people) -> list[str]:
    """Every page kept as a shell for residents."""
    return [
        "/",
        "/proposals",
        f"/proposals/{people['proposal']}",
        "/bodies",
        "/stats",
        "/stats/representation",
        "/meetings",
    ]


def test_a_plain_resident_gets_exactly_their_own_page_from_a_shell(app, people, pages_on):
    with app.app_context():
        ayse = db.session.get(User, people["ayse"])
        proposal = db.session.get(Proposal, people["proposal"])
        cast_vote(ayse, proposal, 1)
        follow_proposal(ayse, proposal)
        db.session.commit()
    ayse, burak = sign_in(app, "ayse"), sign_in(app, "burak")
    for path in paths(people):
        made = ayse.get(path)
        assert made.headers["X-Page-Cache"] == "miss", path
        served = burak.get(path)
        assert served.headers["X-Page-Cache"] == "hit", path
        again = ayse.get(path)
        assert again.headers["X-Page-Cache"] == "hit", path
        for client, page in ((burak, served), (ayse, again), (ayse, made)):
            assert TOKEN.sub("TOKEN", page.get_data(as_text=True)) == direct(app, client, path)
    page = burak.get(f"/proposals/{people['proposal']}").get_data(as_text=True)
    assert "You have not voted on this proposal." in page
    assert "Follow this proposal" in page
    page = ayse.get(f"/proposals/{people['proposal']}").get_data(as_text=True)
    assert "You support this proposal." in page
    assert "You follow this proposal." in page


def test_each_reader_gets_their_own_token_and_count(app, people, pages_on):
    ayse, burak = sign_in(app, "ayse"), sign_in(app, "burak")
    path = "/proposals"
    ayse_page = ayse.get(path).get_data(as_text=True)
    burak_page = burak.get(path).get_data(as_text=True)
    ayse_token = csrf_token_from(ayse_page)
    burak_token = csrf_token_from(burak_page)
    assert ayse_token not in burak_page
    # Burak's token from the shell is one the site accepts from him: he can sign out with it.
    response = burak.post("/auth/logout", data={"csrf_token": burak_token})
    assert response.status_code == 302
    assert burak.get("/me").status_code == 302  # signed out


def test_a_kept_shell_holds_nothing_of_its_maker(app, people, pages_on, monkeypatch):
    stored = []
    keep = pages_on._store
    monkeypatch.setattr(pages_on, "_store", lambda *args: stored.append(args) or keep(*args))
    ayse = sign_in(app, "ayse")
    for path in paths(people):
        token = csrf_token_from(ayse.get(path).get_data(as_text=True))
    assert len(stored) == len(paths(people))
    text = repr(stored)
    assert token not in text
    assert "ayse@example.org" not in text
    assert "Ayşe Birinci" not in text


@pytest.mark.parametrize(
    "who", ["author", "commenter", "moderator", "admin", "facilitator", "unverified"]
)
def test_people_whose_page_differs_are_served_by_the_application(app, people, pages_on, who):
    burak = sign_in(app, "burak")
    for path in paths(people):
        burak.get(path)  # a shell is kept
        client = sign_in(app, who)
        for _ in range(2):
            response = client.get(path)
            # Only the proposal's page differs for its author or a commenter.
            if who in ("moderator", "admin", "facilitator", "unverified") or path.startswith(
                "/proposals/"
            ):
                assert response.headers.get("X-Page-Cache") != "hit", (who, path)
        assert TOKEN.sub("TOKEN", response.get_data(as_text=True)) == direct(app, client, path)


def test_the_author_never_makes_the_shell(app, people, pages_on):
    author = sign_in(app, "author")
    path = f"/proposals/{people['proposal']}"
    author_page = author.get(path).get_data(as_text=True)
    author.get(path)
    assert "You wrote this proposal" in author_page
    burak = sign_in(app, "burak")
    first = burak.get(path)
    assert first.headers["X-Page-Cache"] == "miss"  # nothing was kept from the author's page
    assert "You wrote this proposal" not in first.get_data(as_text=True)


def test_signing_out_ends_the_shell_at_once(app, people, pages_on):
    ayse = sign_in(app, "ayse")
    ayse.get("/proposals")
    thief = app.test_client()
    thief.set_cookie("session", ayse.get_cookie("session").value)
    assert thief.get("/proposals").headers["X-Page-Cache"] == "hit"
    token = csrf_token_from(ayse.get("/proposals").get_data(as_text=True))
    ayse.post("/auth/logout", data={"csrf_token": token})
    page = thief.get("/proposals")
    assert page.headers.get("X-Page-Cache") != "hit"
    assert "/auth/logout" not in page.get_data(as_text=True)


def test_a_vote_shows_at_once_on_the_voters_page(app, people, pages_on):
    burak = sign_in(app, "burak")
    path = f"/proposals/{people['proposal']}"
    page = burak.get(path).get_data(as_text=True)
    assert "You have not voted on this proposal." in page
    burak.post(f"{path}/vote", data={"value": "1", "csrf_token": csrf_token_from(page)})
    page = burak.get(path).get_data(as_text=True)
    assert "You support this proposal." in page


def test_each_language_has_its_own_shell(app, people, pages_on):
    burak, salma = sign_in(app, "burak"), sign_in(app, "arabic")
    burak.get("/proposals")
    page = salma.get("/proposals")
    assert 'lang="ar"' in page.get_data(as_text=True)
    assert TOKEN.sub("TOKEN", page.get_data(as_text=True)) == direct(app, salma, "/proposals")


def test_a_hit_costs_one_query(app, people, pages_on, count_queries):
    ayse, burak = sign_in(app, "ayse"), sign_in(app, "burak")
    for path in paths(people):
        ayse.get(path)
        with count_queries() as counter:
            response = burak.get(path)
        assert response.headers["X-Page-Cache"] == "hit"
        assert counter.count == 1, path


def test_a_tampered_or_foreign_cookie_is_served_by_the_application(app, people, pages_on):
    ayse = sign_in(app, "ayse")
    ayse.get("/proposals")
    forged = app.test_client()
    value = ayse.get_cookie("session").value
    forged.set_cookie("session", value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1])
    response = forged.get("/proposals")
    assert response.headers.get("X-Page-Cache") != "hit"
    assert "/auth/logout" not in response.get_data(as_text=True)
    # Another browser (User-Agent) with the same cookie: Flask-Login's identifier differs.
    other = app.test_client()
    other.set_cookie("session", value)
    response = other.get("/proposals", headers={"User-Agent": "another browser"})
    assert response.headers.get("X-Page-Cache") != "hit"


def test_markers_with_another_secret_are_text():
    secret = "0" * 20
    other = "1" * 20
    body = f"a[hole-{other}=csrf]b[hole-{secret}=csrf]c".encode()
    segments = pagecache.parse_shell(body, secret)
    assert pagecache.fill_shell(segments, {"csrf": "<T>"}, {}) == (
        f"a[hole-{other}=csrf]b&lt;T&gt;c".encode()
    )
    assert pagecache.parse_shell(f"[hole-{secret}?vote=1]x".encode(), secret) is None


@pytest.fixture
def moderators(app, people):
    """Two moderators of the proposal's body (one reviews it), one of another body."""
    with app.app_context():
        proposal = db.session.get(Proposal, people["proposal"])
        other_body = make_body()
        second = make_user("İkinci Moderatör", email="mod2@example.org", moderates=proposal.body)
        elsewhere = make_user("Başka Moderatör", email="mod3@example.org", moderates=other_body)
        proposal.reviewer_id = people["moderator"]
        db.session.commit()
        EMAILS.update(second="mod2@example.org", elsewhere="mod3@example.org")
        return {"second": second.id, "elsewhere": elsewhere.id}


def test_moderators_of_the_same_bodies_share_the_queue_each_with_their_own_parts(
    app, people, moderators, pages_on
):
    first, second = sign_in(app, "moderator"), sign_in(app, "second")
    made = first.get("/moderation")
    assert made.headers["X-Page-Cache"] == "miss"
    served = second.get("/moderation")
    assert served.headers["X-Page-Cache"] == "hit"
    assert "<span>Assigned to me</span>" in made.get_data(as_text=True)
    assert "<span>Assigned to me</span>" not in served.get_data(as_text=True)
    assert "<span>Assigned to Moderatör</span>" in served.get_data(as_text=True)
    for client, page in ((first, made), (second, served), (first, first.get("/moderation"))):
        assert TOKEN.sub("TOKEN", page.get_data(as_text=True)) == direct(app, client, "/moderation")


def test_a_moderator_of_other_bodies_or_an_admin_gets_their_own_queue(
    app, people, moderators, pages_on
):
    sign_in(app, "moderator").get("/moderation")
    for who in ("elsewhere", "admin"):
        client = sign_in(app, who)
        for _ in range(2):
            response = client.get("/moderation")
            if who == "admin":
                assert response.headers.get("X-Page-Cache") != "hit"
        assert TOKEN.sub("TOKEN", response.get_data(as_text=True)) == direct(
            app, client, "/moderation"
        )
        assert "Durağa rampa yapılsın" not in response.get_data(as_text=True) or who == "admin"


def test_what_is_mine_is_never_shared(app, people, moderators, pages_on):
    first, second = sign_in(app, "moderator"), sign_in(app, "second")
    path = "/moderation?assigned=me"
    first.get(path)
    response = second.get(path)
    assert response.headers["X-Page-Cache"] != "hit"
    assert "Durağa rampa yapılsın" not in response.get_data(as_text=True)


def test_residents_and_moderators_never_share_a_page(app, people, moderators, pages_on):
    sign_in(app, "burak").get("/proposals")
    response = sign_in(app, "moderator").get("/proposals")
    assert response.headers.get("X-Page-Cache") != "hit"
    assert 'href="/moderation"' in response.get_data(as_text=True)
    page = sign_in(app, "ayse").get("/proposals").get_data(as_text=True)
    assert 'href="/moderation"' not in page


def test_the_queue_from_a_shell_costs_one_query(app, people, moderators, pages_on, count_queries):
    first, second = sign_in(app, "moderator"), sign_in(app, "second")
    first.get("/moderation")
    with count_queries() as counter:
        response = second.get("/moderation")
    assert response.headers["X-Page-Cache"] == "hit"
    assert counter.count == 1


ODD_COOKIES = [
    "",
    "x",
    "." * 5000,
    "eyJfdXNlcl9pZCI6IngifQ.AAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "ğüşİı\u202e",
    '"quoted; value"',
    "a" * 4096,
    "\x00\x01",
]


@pytest.mark.parametrize("value", ODD_COOKIES)
def test_odd_session_cookies_never_fail(app, people, pages_on, value):
    sign_in(app, "burak").get("/proposals")  # a shell is kept
    client = app.test_client()
    for path in [*paths(people), "/moderation", "/proposals?page=x"]:
        response = client.get(path, environ_overrides={"HTTP_COOKIE": f"session={value}"})
        assert response.status_code < 500, (value, path)
        assert response.headers.get("X-Page-Cache") != "hit"
