"""Many councils on one installation: nothing of one council is readable or writable at
another's address (issue 13, items 2 and 3).

Council A is the installation's default (Kocaeli, at http://localhost) with one of everything a
route can name (tests/world.py); council B (tests/data/ornekkent.yaml) is served at its own
address, http://ornekkent.localhost, with its own staff and a proposal of its own. Every page,
list, search, filter, export, API answer, e-mail, link, sign-in and kept figure of B is checked
for A's data, and every id of A is asked for at B's address.
"""

from dataclasses import dataclass
from unittest import mock

import pytest
from flask import url_for
from sqlalchemy import func, select

from katilim.auth import sessions
from katilim.auth.models import SiteRole, User
from katilim.auth.services import send_password_reset
from katilim.comments.models import Comment
from katilim.core import cache
from katilim.core.text import fold
from katilim.extensions import db
from katilim.organization.models import Council
from katilim.organization.services import current_council, for_each_council, load_council
from katilim.proposals.models import Proposal
from tests.conftest import OTHER_COUNCIL_FILE, EnglishClient
from tests.factories import acting_as, get_body, make_comment, make_proposal, make_user
from tests.world import World, seed_world

B_HOST = "ornekkent.localhost"
B_URL = f"http://{B_HOST}"
ROLES = ("admin", "moderator", "facilitator", "resident", "anonymous")
# Text found only in council A's seeded world: its people, addresses and proposals.
A_MARKERS = (
    "odd.example",
    "Sakin Selin",
    "Moderatör Mine",
    "Yönetici Yasin",
    "Aday Can",
    "Üye Umut",
    "durağa rampa",
    "Köy yoluna",
    "Aylık toplantı",
    "Teşekkürler, bakıyoruz",
)
B_TITLE = "Sahil yoluna bisiklet şeridi çizilsin"


@dataclass
class Two:
    a: World  # council A's world (ids, tokens, slugs)
    b_users: dict[str, int]  # role → id of council B's accounts
    b_proposal_id: int


@pytest.fixture
def two(app) -> Two:
    world = seed_world(app)
    with app.app_context():
        load_council(OTHER_COUNCIL_FILE)
        db.session.commit()
    with acting_as(app, "ornekkent"), app.app_context():
        body = get_body("ulasim")
        users = {
            "resident": make_user("Deniz Kıyı", email="deniz@b.example"),
            "facilitator": make_user(
                "Gönüllü Ege", email="ege@b.example", role=SiteRole.FACILITATOR
            ),
            "moderator": make_user("Moderatör Poyraz", email="poyraz@b.example", moderates=body),
            "admin": make_user("Yönetici Lodos", email="lodos@b.example", role=SiteRole.ADMIN),
        }
        proposal = make_proposal(
            users["resident"],
            body=body,
            title=B_TITLE,
            summary="Sahil yolunda bisikletle gitmek tehlikeli.",
            text="Sahil yolunda bisiklet için ayrı bir şerit çizilmesini istiyoruz.",
        )
        make_comment(proposal, users["moderator"], text="Bisiklet şeridini konuşacağız.")
        for role, user in users.items():
            with mock.patch.object(sessions.secrets, "token_urlsafe", return_value=f"b-{role}"):
                sessions.start(user)
        db.session.commit()
        return Two(world, {r: u.id for r, u in users.items()}, proposal.id)


class AtB(EnglishClient):
    """A browser that opens every path at B's address."""

    def open(self, *args, **kwargs):
        if not (args and not isinstance(args[0], str)):  # a path, not a prepared request
            kwargs.setdefault("base_url", B_URL)
        return super().open(*args, **kwargs)


def _client(app, role: str, prefix: str = "b"):
    """A browser at B's address, signed in as B's ``role`` (or, with prefix "sweep", holding
    the cookie of A's account of that role)."""
    client = AtB(app, app.response_class, use_cookies=True)
    if role != "anonymous":
        with client.session_transaction(base_url=B_URL) as session:
            session["_user_id"] = f"{prefix}-{role}"
            session["_fresh"] = True
    return client


def _a_leaks(text: str) -> list[str]:
    found = [marker for marker in A_MARKERS if marker in text]
    if "kocaeli" in fold(text):
        found.append("Kocaeli")
    return found


def _routes(app, methods: str):
    for rule in app.url_map.iter_rules():
        if methods in (rule.methods or ()) and rule.endpoint != "static" and rule.arguments:
            yield rule


def _url(app, rule, values: dict) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **{k: v for k, v in values.items() if k in rule.arguments})


def _a_values(world: World, rule) -> list[dict]:
    values = {arg: world.path_values.get(arg, 1) for arg in rule.arguments}
    values.update(world.endpoint_values.get(rule.endpoint, {}))
    candidates = [values]
    for arg in rule.arguments:
        candidates += [{**values, arg: other} for other in world.alternatives.get(arg, [])]
    return candidates


def _names_an_object(rule) -> bool:
    return any(arg.endswith("_id") for arg in rule.arguments)


def test_each_council_is_served_at_its_own_address(app, two):
    a_home = app.test_client().get("/").get_data(as_text=True)
    b_home = _client(app, "anonymous").get("/").get_data(as_text=True)
    assert "Kocaeli" in a_home and "Örnekkent" not in a_home
    assert "Örnekkent" in b_home and not _a_leaks(b_home)
    b_list = _client(app, "anonymous").get("/proposals").get_data(as_text=True)
    assert B_TITLE in b_list
    assert B_TITLE not in app.test_client().get("/proposals").get_data(as_text=True)


def test_every_id_of_one_council_is_not_found_at_another_s_address(app, two):
    """Every GET route that names an object, with A's ids, for every role of B: the answer a
    number that exists nowhere gets (404 once the role may open such a page; the sign-in page
    or 403 before), so that nothing tells that the object exists; and nothing of A is shown.
    Routes named by slug or token show B's own page or refuse, and show nothing of A either."""
    checked, not_found, failures = 0, 0, []
    for rule in _routes(app, "GET"):
        for values in _a_values(two.a, rule):
            url = _url(app, rule, values)
            nowhere = _url(
                app, rule, {k: (987654 if k.endswith("_id") else v) for k, v in values.items()}
            )
            for role in ROLES:
                response = _client(app, role).get(url)
                checked += 1
                text = response.get_data().decode("utf-8", "replace")
                if _names_an_object(rule):
                    expected = _client(app, role).get(nowhere).status_code
                    not_found += response.status_code == 404
                    if response.status_code != expected:
                        failures.append(
                            f"{rule.endpoint} {url} as {role}: {response.status_code}, "
                            f"not {expected} as for an id that exists nowhere"
                        )
                if leaks := _a_leaks(text + str(response.headers)):
                    failures.append(f"{rule.endpoint} {url} as {role} shows {leaks}")
    assert checked > 150 and not_found > 50
    assert not failures, "\n".join(failures)


def _a_state(app) -> tuple:
    with app.app_context():
        a = db.session.scalar(select(Council.id).where(Council.slug == "kocaeli"))
        proposals = db.session.execute(
            select(
                Proposal.id,
                Proposal.status,
                Proposal.body_id,
                Proposal.supports_count,
                Proposal.comments_count,
                Proposal.is_hidden,
            )
            .where(Proposal.council_id == a)
            .order_by(Proposal.id)
        ).all()
        comments = db.session.execute(
            select(Comment.id, Comment.text, Comment.is_hidden).order_by(Comment.id)
        ).all()
        users = db.session.execute(
            select(User.id, User.site_role, User.is_active_account)
            .where(User.council_id == a)
            .order_by(User.id)
        ).all()
        return proposals, comments, users


def test_nothing_of_one_council_can_be_changed_from_another_s_address(app, two):
    """Every POST route that names an object, with A's ids, by B's admin, moderator and
    resident: the answer an id that exists nowhere gets (404 for B's admin, who may do most),
    and A's proposals, comments and accounts are as they were."""
    before = _a_state(app)
    form = {"text": "B yazdı", "reason": "B istedi", "role": "admin", "active": "0"}
    failures = []
    for rule in _routes(app, "POST"):
        if not _names_an_object(rule):
            continue
        for values in _a_values(two.a, rule):
            url = _url(app, rule, values)
            nowhere = _url(
                app, rule, {k: (987654 if k.endswith("_id") else v) for k, v in values.items()}
            )
            for role in ("admin", "moderator", "resident"):
                status = _client(app, role).post(url, data=form).status_code
                expected = _client(app, role).post(nowhere, data=form).status_code
                if status != expected or (role == "admin" and status != 404):
                    failures.append(f"{rule.endpoint} {url} as {role}: {status}, not {expected}")
    assert not failures, "\n".join(failures)
    assert _a_state(app) == before


@pytest.mark.parametrize(
    "path, role",
    [
        ("/", "anonymous"),
        ("/proposals", "anonymous"),
        ("/proposals?q=rampa", "anonymous"),
        ("/proposals?q=otob%C3%BCs", "resident"),
        ("/proposals?body=ulasim&status=new", "anonymous"),
        ("/proposals?tag=tramvay", "anonymous"),
        ("/proposals?sort=supported", "anonymous"),
        ("/bodies", "anonymous"),
        ("/bodies/ulasim", "anonymous"),
        ("/meetings", "anonymous"),
        ("/bodies/ulasim/meetings", "anonymous"),
        ("/stats", "anonymous"),
        ("/stats/representation", "anonymous"),
        ("/stats.csv", "anonymous"),
        ("/proposals.csv", "anonymous"),
        ("/open-data", "anonymous"),
        ("/api/v1/proposals", "anonymous"),
        ("/api/v1/proposals?q=rampa", "anonymous"),
        ("/api/v1/bodies", "anonymous"),
        ("/api/v1/districts", "anonymous"),
        ("/moderation", "moderator"),
        ("/moderation", "admin"),
        ("/moderation/flags", "admin"),
        ("/admin", "admin"),
        ("/admin/users?q=Sakin", "admin"),
        ("/admin/users", "admin"),
        ("/admin/audit", "admin"),
        ("/admin/bodies/ulasim/members", "admin"),
        ("/me/notifications", "resident"),
        ("/me", "resident"),
        ("/assist", "facilitator"),
    ],
)
def test_lists_searches_exports_and_queues_show_only_their_council(app, two, path, role):
    response = _client(app, role).get(path)
    assert response.status_code in (200, 302), (path, response.status_code)
    text = response.get_data().decode("utf-8", "replace")
    assert not _a_leaks(text), (path, _a_leaks(text))


def test_lists_at_b_s_address_show_b_s_proposal(app, two):
    for path in ("/proposals?q=bisiklet", "/api/v1/proposals", "/proposals.csv", "/bodies/ulasim"):
        assert "bisiklet" in _client(app, "anonymous").get(path).get_data(as_text=True), path


def test_a_sign_in_of_one_council_opens_nothing_on_another(app, two):
    # The cookie of A's admin, sent to B's address: nobody is signed in there.
    response = _client(app, "admin", prefix="sweep").get("/admin")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    # A's address and password typed at B's address: no such account there.
    client = _client(app, "anonymous")
    page = client.post(
        "/auth/login", data={"email": "resident@odd.example", "password": "correct horse battery"}
    )
    assert page.status_code == 200 and "/me" not in page.headers.get("Location", "")
    with client.session_transaction(base_url=B_URL) as session:
        assert "_user_id" not in session


def test_the_same_address_may_have_an_account_on_each_council(app, two, outbox):
    client = _client(app, "anonymous")
    response = client.post(
        "/auth/register",
        data={
            "email": "resident@odd.example",
            "display_name": "Başka Biri",
            "password": "another long password",
            "password_again": "another long password",
            "privacy_notice": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        accounts = db.session.execute(
            select(Council.slug, User.display_name)
            .join(Council, Council.id == User.council_id)
            .where(User.email == "resident@odd.example")
            .order_by(Council.slug)
        ).all()
    assert accounts == [("kocaeli", "Sakin Selin"), ("ornekkent", "Başka Biri")]
    # The confirmation link is at B's address, in an e-mail signed by B.
    [mail] = [m for m in outbox if m["To"] == "resident@odd.example"]
    assert f"{B_URL}/auth/verify/" in mail.get_content()
    assert not _a_leaks(mail.get_content().replace("resident@odd.example", ""))


def test_links_of_one_council_do_not_work_on_another(app, two):
    tokens = two.a.endpoint_values
    client = _client(app, "anonymous")
    reset = client.get(f"/auth/reset/{tokens['auth.reset_with_token']['token']}")
    assert reset.status_code in (302, 400, 404)  # the link names no account here
    unsubscribe = client.get(f"/unsubscribe/{two.a.path_values['token']}")
    assert unsubscribe.status_code in (302, 400, 404)
    assert not _a_leaks(unsubscribe.get_data(as_text=True))


def test_e_mails_carry_their_council_s_address_and_reach_only_its_people(app, two, outbox):
    with app.test_request_context(base_url=B_URL):
        send_password_reset("deniz@b.example")
        send_password_reset("resident@odd.example")  # A's address: no account on B
        db.session.commit()
    [mail] = list(outbox)
    assert mail["To"] == "deniz@b.example"
    assert mail["From"] == "Katılım · Örnekkent Kent Konseyi <no-reply@localhost>"
    assert f"{B_URL}/auth/reset/" in mail.get_content()
    assert "Örnekkent" in mail.get_content() and not _a_leaks(mail.get_content())


def test_a_new_proposal_tells_only_its_council_s_reviewers(app, two, outbox):
    resident = _client(app, "resident")
    response = resident.post(
        "/proposals/new",
        data={
            "title": "Sahil parkına gölgelik yapılsın",
            "summary": "Yazın parkta oturacak gölge yok.",
            "text": "Sahil parkına ağaç dikilsin ve gölgelik yapılsın, yaşlılar otursun.",
            "body": "ulasim",
            "language": "tr",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        b = db.session.scalar(select(Council.id).where(Council.slug == "ornekkent"))
        assert db.session.scalar(
            select(func.count(Proposal.id)).where(
                Proposal.council_id == b, Proposal.title.startswith("Sahil parkına")
            )
        )
    recipients = {m["To"] for m in outbox}
    assert not any(r.endswith("@odd.example") for r in recipients), recipients


def test_timed_commands_act_as_each_council_in_turn(app, two):
    with app.app_context():
        seen = []
        for_each_council(lambda council: seen.append((council.slug, current_council().slug)) or 0)
    assert seen == [("kocaeli", "kocaeli"), ("ornekkent", "ornekkent")]


def test_kept_figures_are_kept_per_council(app, two, monkeypatch):
    monkeypatch.setitem(app.config, "STATS_CACHE_SECONDS", 60)
    with app.app_context():  # this app's cache, not a leftover context's
        cache.clear()
    try:
        answers = {}
        for base in ("http://localhost", B_URL):
            with app.test_request_context(base_url=base):
                answers[base] = cache.cached(("which",), lambda: current_council().slug)
        assert answers == {"http://localhost": "kocaeli", B_URL: "ornekkent"}
        # And the figures pages, computed once at A's address, are B's own at B's.
        app.test_client().get("/stats")
        assert not _a_leaks(_client(app, "anonymous").get("/stats").get_data(as_text=True))
    finally:
        with app.app_context():
            cache.clear()


def test_each_council_has_its_own_rate_limits(app, two, rate_limits):
    form = {"email": "somebody@example.org"}
    a = app.test_client()
    statuses = [a.post("/auth/reset", data=form).status_code for _ in range(4)]
    assert statuses[-1] == 429
    assert _client(app, "anonymous").post("/auth/reset", data=form).status_code == 200


def test_kept_pages_are_kept_per_council(app, two):
    """The anonymous visitors' page cache (katilim/core/pagecache.py) keys by host: the list
    kept at A's address is never B's list."""
    from katilim.core import pagecache

    assert isinstance(app.wsgi_app, pagecache.PageCache)
    app.config["PAGE_CACHE_SECONDS"] = 5
    with app.app_context():
        cache.clear()
    app.wsgi_app.local.clear()
    try:
        for _ in range(2):  # made, then kept
            a = app.test_client().get("/proposals")
            b = _client(app, "anonymous").get("/proposals")
        assert a.headers.get("X-Page-Cache") == b.headers.get("X-Page-Cache") == "hit"
        assert B_TITLE in b.get_data(as_text=True) and not _a_leaks(b.get_data(as_text=True))
        assert B_TITLE not in a.get_data(as_text=True)
    finally:
        app.config["PAGE_CACHE_SECONDS"] = 0
        with app.app_context():
            cache.clear()
        app.wsgi_app.local.clear()
