"""Kept pages for anonymous visitors (katilim/core/pagecache.py): served without the
application, never personal, fresh after a change, never a failure."""

import random

import pytest

from katilim.core import cache, pagecache
from katilim.extensions import db
from katilim.moderation.services import answer
from katilim.voting.services import cast_vote
from tests.factories import make_comment, make_proposal, make_user
from tests.world import seed_world


@pytest.fixture
def world(app):
    return seed_world(app)


def cached_paths(world) -> list[str]:
    slug, proposal, meeting = (
        world.path_values["slug"],
        world.path_values["proposal_id"],
        world.path_values["meeting_id"],
    )
    return [
        "/",
        "/proposals",
        f"/proposals?body={slug}&status=new",
        "/proposals?sort=supported",
        f"/proposals/{proposal}",
        "/bodies",
        f"/bodies/{slug}",
        "/stats",
        "/stats/representation",
        "/meetings",
        f"/bodies/{slug}/meetings",
        f"/meetings/{meeting}",
        "/api/v1/proposals",
    ]


def anonymous(app):
    return app.test_client()


def test_every_marked_page_is_served_again_without_a_query(app, world, pages_on, count_queries):
    for path in cached_paths(world):
        client = anonymous(app)
        first = client.get(path)
        assert first.status_code == 200, path
        assert first.headers["X-Page-Cache"] == "miss", path
        assert not first.headers.getlist("Set-Cookie"), path
        with count_queries() as counter:
            second = anonymous(app).get(path)
        assert counter.count == 0, path
        assert second.headers["X-Page-Cache"] == "hit", path
        assert second.data == first.data, path
        assert second.content_type == first.content_type
        assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]


def test_anonymous_pages_print_no_csrf_token_and_set_no_cookie(app, world, pages_on):
    for path in cached_paths(world):
        response = anonymous(app).get(path)
        assert b"csrf_token" not in response.data, path
        assert not response.headers.getlist("Set-Cookie"), path


@pytest.mark.parametrize("role", ["resident", "moderator", "admin", "facilitator"])
def test_a_signed_in_person_is_never_served_nor_stored(app, world, pages_on, login, role):
    client = login(world.users[role])
    with app.app_context():
        from katilim.auth.models import User

        name = db.session.get(User, world.users[role]).display_name
    for path in cached_paths(world):
        personal = client.get(path)
        assert personal.status_code == 200, path
        assert "X-Page-Cache" not in personal.headers, path
        shared = anonymous(app).get(path)
        assert shared.headers["X-Page-Cache"] == "miss", (role, path)  # not stored by them
        again = client.get(path)
        assert "X-Page-Cache" not in again.headers  # nor served to them
        if path.startswith("/api/"):
            continue
        html = personal.get_data(as_text=True)
        assert "csrf_token" in html, path  # their page has their token (sign-out form)
        assert "csrf_token" not in shared.get_data(as_text=True), path
        assert "/auth/logout" not in shared.get_data(as_text=True), path
        if role != "resident":  # the resident is an author: that name is public
            assert name not in shared.get_data(as_text=True), (role, path)


def test_a_request_with_any_cookie_or_credentials_bypasses(app, world, pages_on):
    anonymous(app).get("/proposals")
    with_cookie = anonymous(app)
    with_cookie.set_cookie("anything", "1")  # any cookie, even one the site did not set
    assert "X-Page-Cache" not in with_cookie.get("/proposals").headers
    for headers in (
        {"Authorization": "Bearer x"},
        {"If-None-Match": '"x"'},
        {"If-Modified-Since": "Sat, 05 Dec 2026 10:00:00 GMT"},
        {"Range": "bytes=0-10"},
    ):
        response = anonymous(app).get("/proposals", headers=headers)
        assert "X-Page-Cache" not in response.headers, headers


def test_each_language_has_its_own_copy(app, world, pages_on):
    english = anonymous(app).get("/proposals", headers={"Accept-Language": "en"})
    turkish = anonymous(app).get("/proposals", headers={"Accept-Language": "tr"})
    assert turkish.headers["X-Page-Cache"] == "miss"
    assert 'lang="tr"' in turkish.get_data(as_text=True)
    assert 'lang="en"' in english.get_data(as_text=True)
    # Another header naming the same language finds the same copy.
    same = anonymous(app).get("/proposals", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert same.headers["X-Page-Cache"] == "hit"
    assert same.data == english.data
    none = anonymous(app).get("/proposals", headers={"Accept-Language": ""})
    assert 'lang="tr"' in none.get_data(as_text=True)


def test_a_vote_shows_to_visitors_on_the_next_request(app, world, pages_on):
    path = f"/proposals/{world.path_values['proposal_id']}"
    before = anonymous(app).get(path)
    assert anonymous(app).get(path).headers["X-Page-Cache"] == "hit"
    with app.app_context():
        from katilim.proposals.models import Proposal

        proposal = db.session.get(Proposal, world.path_values["proposal_id"])
        cast_vote(make_user("Oy Veren"), proposal, 1)
        db.session.commit()
    after = anonymous(app).get(path)
    assert after.headers["X-Page-Cache"] == "miss"
    assert after.data != before.data


def test_a_new_comment_and_an_answer_show_at_once(app, world, pages_on):
    path = f"/proposals/{world.path_values['proposal_id']}"
    anonymous(app).get(path)
    with app.app_context():
        from katilim.auth.models import User
        from katilim.proposals.models import Proposal

        proposal = db.session.get(Proposal, world.path_values["proposal_id"])
        make_comment(proposal, make_user("Yorumcu"), text="Kesinlikle katılıyorum buna.")
        db.session.commit()
    assert "Kesinlikle katılıyorum buna." in anonymous(app).get(path).get_data(as_text=True)
    with app.app_context():
        proposal = db.session.get(Proposal, world.path_values["proposal_id"])
        moderator = db.session.get(User, world.users["moderator"])
        answer(moderator, proposal, "Belediyeye ilettik, yanıt bekliyoruz.")
        db.session.commit()
    assert "Belediyeye ilettik" in anonymous(app).get(path).get_data(as_text=True)


def test_a_new_proposal_shows_on_the_list_and_home(app, world, pages_on):
    for path in ("/", "/proposals", "/api/v1/proposals"):
        anonymous(app).get(path)
    with app.app_context():
        make_proposal(title="Sahil yoluna gölgelik yapılsın lütfen")
        db.session.commit()
    for path in ("/", "/proposals"):
        assert "Sahil yoluna gölgelik" in anonymous(app).get(path).get_data(as_text=True), path
    titles = [item["title"] for item in anonymous(app).get("/api/v1/proposals").json["items"]]
    assert "Sahil yoluna gölgelik yapılsın lütfen" in titles


def test_a_page_with_a_flash_message_is_not_kept(app, world, pages_on):
    client = anonymous(app)
    client.get("/language/en")  # sets the session: the next page carries a cookie
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Your vote was counted.")]
    assert "Your vote was counted." in client.get("/proposals").get_data(as_text=True)
    shared = anonymous(app).get("/proposals")
    assert shared.headers["X-Page-Cache"] == "miss"
    assert "Your vote was counted." not in shared.get_data(as_text=True)


def test_a_flash_written_by_a_marked_view_is_not_kept(app, world, pages_on):
    from flask import flash

    from katilim.core import routes

    original = routes.home.__wrapped__  # type: ignore[attr-defined]

    def flashing():
        flash("Hoş geldiniz, Yasin")
        return original()

    app.view_functions["core.home"] = pagecache.shared_with_visitors(flashing)
    try:
        first = anonymous(app).get("/")
        assert first.headers.getlist("Set-Cookie")
        second = anonymous(app).get("/")
        assert "X-Page-Cache" not in second.headers  # made again, and again not kept
    finally:
        app.view_functions["core.home"] = routes.home


def test_unmarked_pages_errors_and_odd_methods_are_not_kept(app, world, pages_on):
    for path in ("/privacy", "/proposals/999999", "/bodies/no-such-body", "/no/such/page"):
        anonymous(app).get(path)
        assert "X-Page-Cache" not in anonymous(app).get(path).headers, path
    anonymous(app).head("/proposals")
    assert anonymous(app).get("/proposals").headers["X-Page-Cache"] == "miss"
    head = anonymous(app).head("/proposals")
    assert head.headers["X-Page-Cache"] == "hit" and head.data == b""


def test_a_foreign_host_is_refused_and_not_kept(app, world, pages_on, monkeypatch):
    from katilim import serving

    hooks = app.before_request_funcs.setdefault(None, [])
    installed = list(hooks)
    monkeypatch.setitem(app.config, "ALLOWED_HOSTS", "localhost")
    monkeypatch.setattr(app, "_got_first_request", False)
    serving._init_allowed_hosts(app)  # the check production installs at start-up
    try:
        for _ in range(2):
            response = anonymous(app).get("/proposals", headers={"Host": "evil.example"})
            assert response.status_code == 400
            assert response.headers.get("X-Page-Cache") is None  # looked up, never kept
        assert anonymous(app).get("/proposals").headers["X-Page-Cache"] == "miss"
        assert anonymous(app).get("/proposals").headers["X-Page-Cache"] == "hit"
    finally:
        hooks[:] = installed


def test_an_unreachable_cache_serves_the_page_uncached(app, world, pages_on, monkeypatch):
    backend = app.extensions["cache"][cache.cache]

    def broken(*_args, **_kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(backend, "get_many", broken)
    monkeypatch.setattr(backend, "set", broken)
    for _ in range(3):
        response = anonymous(app).get("/proposals")
        assert response.status_code == 200
        assert "X-Page-Cache" not in response.headers


def test_a_kept_page_lives_at_most_its_seconds(app, world, pages_on):
    now = [1_000_000.0]
    pages_on.clock = lambda: now[0]
    anonymous(app).get("/stats")
    now[0] += 4
    assert anonymous(app).get("/stats").headers["X-Page-Cache"] == "hit"
    now[0] += 2  # past PAGE_CACHE_SECONDS: made again
    assert anonymous(app).get("/stats").headers["X-Page-Cache"] == "miss"


def test_a_stale_page_is_served_while_another_request_remakes_it(app, world, pages_on):
    now = [1_000_000.0]
    pages_on.clock = lambda: now[0]
    first = anonymous(app).get("/stats")
    now[0] += 6  # stale
    backend = app.extensions["cache"][cache.cache]
    key = pages_on._key(
        {"HTTP_HOST": "localhost", "wsgi.url_scheme": "http", "PATH_INFO": "/stats"}, "en"
    )
    assert backend.add(f"{key}:remaking", 1, timeout=10)  # another worker is remaking it
    stale = anonymous(app).get("/stats")
    assert stale.headers["X-Page-Cache"] == "stale"
    assert stale.data == first.data
    backend.delete(f"{key}:remaking")
    assert anonymous(app).get("/stats").headers["X-Page-Cache"] == "miss"
    assert anonymous(app).get("/stats").headers["X-Page-Cache"] == "hit"


def test_the_per_process_copy_saves_the_round_trip_for_at_most_its_seconds(
    app, world, pages_on, monkeypatch
):
    app.config["PAGE_CACHE_LOCAL_SECONDS"] = 1
    now = [1_000_000.0]
    pages_on.clock = lambda: now[0]
    backend = app.extensions["cache"][cache.cache]
    calls = []
    real = backend.get_many
    monkeypatch.setattr(backend, "get_many", lambda *keys: calls.append(keys) or real(*keys))
    anonymous(app).get("/proposals")
    anonymous(app).get("/proposals")  # from the shared cache, kept locally
    asked = len(calls)
    assert anonymous(app).get("/proposals").headers["X-Page-Cache"] == "hit"
    assert len(calls) == asked  # no round trip
    now[0] += 1.5
    anonymous(app).get("/proposals")
    assert len(calls) == asked + 1


def test_a_page_too_large_is_not_kept(app, world, pages_on, monkeypatch):
    monkeypatch.setattr(pagecache, "MAX_BODY", 100)
    anonymous(app).get("/proposals")
    assert anonymous(app).get("/proposals").headers["X-Page-Cache"] == "miss"


def test_odd_languages_and_queries_never_fail_and_stay_bounded(app, world, pages_on):
    rng = random.Random(14)
    alphabet = "aeç;q=,*-_ 0.9ğ%&?=/\\\x00\t'\"<>" + "ar" + "ku"
    languages = set()
    for _ in range(60):
        header = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        query = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        response = anonymous(app).get(
            "/proposals?" + query, headers={"Accept-Language": header.replace("\x00", "")}
        )
        assert response.status_code < 500, (header, query)
        languages.add(pages_on._language({"HTTP_ACCEPT_LANGUAGE": header}))
    assert languages <= set(app.config["LANGUAGES"])
