"""One regression test per vulnerability class that Decidim's security advisories list
(28 advisories, 2023–2026, summarised in Decidim's ``.ai/security.md``; see
/work/shared/context/anchors-reliability.md). Each test is named after its class and cites
an advisory; each asserts on what a person (or an attacker) would see or change here.

Two classes of the list do not apply: signed-URL leaks of uploaded documents
(CVE-2026-45378) and SSRF, because Katılım stores no uploads and fetches no outside URL.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, inspect, select

from katilim.auth.models import SiteRole, User
from katilim.auth.tokens import make_reset_token, make_verify_token
from katilim.comments.models import Comment
from katilim.extensions import db
from katilim.mail.unsubscribe import make_unsubscribe_token
from katilim.moderation.models import Flag
from katilim.notifications.models import Follow, Notification
from katilim.notifications.services import follow_proposal
from katilim.organization.models import Body, BodyKind, Council
from katilim.proposals.models import EventKind, Proposal, ProposalEvent, ProposalStatus
from katilim.proposals.services import ProposalContent, create_proposal
from katilim.voting.models import Vote
from katilim.voting.services import cast_vote
from tests.factories import make_body, make_comment, make_proposal, make_user
from tests.moderation.helpers import make_cast, proposal_in


def html(response) -> str:
    return response.get_data(as_text=True)


def count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- 1. Broken access control ------------------------------------------------------------


@dataclass
class Others:
    owner: int
    intruder: int
    draft: int
    notification: int


@pytest.fixture
def others(app, council) -> Others:
    """A resident with a draft, a notification and a follow; another resident."""
    with app.app_context():
        owner = make_user("Sahibi Ayşe")
        intruder = make_user("Meraklı Kaan")
        draft = make_proposal(owner, publish=False, status=ProposalStatus.DRAFT)
        public = make_proposal(owner)
        follow_proposal(owner, public)
        notification = Notification(user_id=owner.id, proposal_id=public.id, kind="status_changed")
        db.session.add(notification)
        db.session.commit()
        return Others(owner.id, intruder.id, draft.id, notification.id)


def test_access_control_moderator_cannot_decide_another_bodys_proposal(app, council, login):
    """CVE-2026-40869 (anyone could accept amendments): a moderator of one body must not
    accept, answer, hide or even open the review of another body's proposal."""
    with app.app_context():
        cast = make_cast()
        proposal_id = proposal_in(cast).id
        intruder = cast.other_moderator.id
    client = login(intruder)
    responses = [
        client.get(f"/moderation/proposals/{proposal_id}"),
        client.post(f"/moderation/proposals/{proposal_id}/status", data={"action": "accept"}),
        client.post(f"/moderation/proposals/{proposal_id}/answer", data={"text": "Oldu."}),
        client.post(f"/moderation/proposals/{proposal_id}/hide", data={"reason": "x"}),
    ]
    assert {r.status_code for r in responses} <= {403, 404}
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        assert (proposal.status, proposal.is_hidden) == (ProposalStatus.NEW, False)
        kinds = db.session.scalars(
            select(ProposalEvent.kind).where(ProposalEvent.proposal_id == proposal_id)
        )
        assert EventKind.STATUS_CHANGED not in set(kinds)


def test_access_control_resident_cannot_use_the_admin_pages(app, others, login):
    """CVE-2026-40870 (an API without permission checks): every admin page and action
    refuses a resident, and a resident cannot make themselves an admin."""
    client = login(others.intruder)
    for path in ("/admin", "/admin/users", "/admin/bodies", "/admin/audit", "/admin/bodies/new"):
        assert client.get(path).status_code == 403, path
    response = client.post(f"/admin/users/{others.intruder}/role", data={"site_role": "admin"})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(User, others.intruder).site_role == SiteRole.RESIDENT


def test_access_control_no_one_reaches_another_persons_draft(app, others, login):
    """IDOR on drafts (the access-control class): a draft is its author's alone, for every
    route that takes a proposal id."""
    client = login(others.intruder)
    draft = others.draft
    gets = [f"/proposals/{draft}", f"/proposals/{draft}/edit", f"/proposals/{draft}/flag"]
    posts = {
        f"/proposals/{draft}/vote": {"value": "1"},
        f"/proposals/{draft}/comments": {"text": "Gördüm!", "stance": "for"},
        f"/proposals/{draft}/follow": {},
        f"/proposals/{draft}/flag": {"reason": "spam"},
        f"/proposals/{draft}/edit": {"title": "Ele geçirildi, başlık değişti"},
        f"/proposals/{draft}/withdraw": {},
    }
    codes = [client.get(path).status_code for path in gets]
    codes += [client.post(path, data=data).status_code for path, data in posts.items()]
    assert set(codes) == {404}
    with app.app_context():
        assert db.session.get(Proposal, draft).title.startswith("Öneri")
    for model in (Vote, Comment, Flag):
        assert count(app, model) == 0
    assert count(app, Follow, Follow.user_id == others.intruder) == 0
    assert count(client.application, Proposal, Proposal.id == draft) == 1
    # Its owner still sees it.
    assert login(others.owner).get(f"/proposals/{draft}").status_code == 200


def test_access_control_no_one_opens_another_persons_notifications_or_follows(app, others, login):
    """IDOR on notifications and follows: ids of other people's rows lead nowhere, and a
    page only ever lists one's own."""
    client = login(others.intruder)
    assert client.get(f"/me/notifications/{others.notification}").status_code == 404
    client.post("/me/notifications/read")
    with app.app_context():
        assert db.session.get(Notification, others.notification).read_at is None
    assert "Sahibi" not in html(client.get("/me/notifications"))
    assert count(app, Follow, Follow.user_id == others.owner) == 1


# --- 2. Cross-council leaks --------------------------------------------------------------


SECRET = "Sakaryaya özel gizli öneri"


@pytest.fixture
def second_council(app, council):
    """A second council in the same database, with its own body, proposal, tag, comment,
    vote and open report. This instance serves Kocaeli (config COUNCIL_SLUG)."""
    with app.app_context():
        sakarya = Council(slug="sakarya", names={"tr": "Sakarya", "en": "Sakarya"}, principles={})
        db.session.add(sakarya)
        db.session.flush()
        body = Body(
            council_id=sakarya.id,
            kind=BodyKind.WORKING_GROUP,
            slug="sakarya-gizli-grup",
            names={"tr": "Sakarya Gizli Grup", "en": "Sakarya Secret Group"},
            descriptions={"tr": "x", "en": "x"},
            keywords=[],
            position=1,
        )
        db.session.add(body)
        db.session.flush()
        author = make_user("Sakaryalı Yazar")
        proposal = create_proposal(
            author,
            sakarya,
            ProposalContent(
                title=SECRET,
                summary="Sakarya için gizli kalması gereken bir özet metni.",
                text="Bu öneri yalnızca Sakarya Kent Konseyi'nin sitesinde görünmelidir. " * 2,
                district=None,
                tag_names=("sakaryaetiketi",),
            ),
            body=body,
            routing_method=None,
            publish=True,
        )
        comment = make_comment(proposal, text="Sakarya yorumu")
        cast_vote(make_user("Sakaryalı Seçmen"), proposal, 1)
        db.session.add(Flag(proposal_id=proposal.id, reporter_id=author.id, reason="spam"))
        db.session.commit()
        return {"proposal": proposal.id, "body": body.slug, "comment": comment.id}


def test_cross_council_objects_are_not_found_and_not_listed(app, second_council, login):
    """CVE-2026-45414 (a token replayed across organizations) and the cross-organization
    leaks of the list: nothing of another council shows in this council's lists, pages,
    search, tags or statistics, and its objects are 404 for everyone, admins included."""
    with app.app_context():
        admin = make_user("Yönetici", role=SiteRole.ADMIN)
        db.session.commit()
        admin_id = admin.id
    client = login(admin_id)
    proposal = second_council["proposal"]
    for path in (
        f"/proposals/{proposal}",
        f"/proposals/{proposal}/flag",
        f"/moderation/proposals/{proposal}",
        f"/bodies/{second_council['body']}",
        f"/admin/bodies/{second_council['body']}/edit",
        f"/comments/{second_council['comment']}/flag",
    ):
        assert client.get(path).status_code == 404, path
    for path, data in {
        f"/proposals/{proposal}/vote": {"value": "1"},
        f"/proposals/{proposal}/comments": {"text": "Merhaba", "stance": "for"},
        f"/moderation/proposals/{proposal}/status": {"action": "accept"},
        f"/bodies/{second_council['body']}/follow": {},
    }.items():
        assert client.post(path, data=data).status_code in (403, 404), path
    for path in (
        "/",
        "/proposals",
        "/proposals?q=gizli",
        "/proposals?tag=sakaryaetiketi",
        "/proposals?sort=supported",
        "/bodies",
        "/stats",
        "/stats.csv",
        "/moderation",
        "/moderation/flags",
        "/admin",
        "/admin/bodies",
    ):
        page = html(client.get(path))
        for secret in (SECRET, "Sakarya Gizli", "sakaryaetiketi", "Sakarya yorumu"):
            assert secret not in page or path.endswith("tag=sakaryaetiketi"), (path, secret)
        if path == "/proposals?tag=sakaryaetiketi":
            assert SECRET not in page
    with app.app_context():
        assert db.session.get(Proposal, proposal).comments_count == 1  # nothing added


def test_cross_council_statistics_count_only_this_council(app, second_council, client):
    """The statistics of one council must not include another's proposals."""
    from katilim.organization.services import current_council
    from katilim.stats.services import council_records, council_total

    with app.test_request_context():
        total = council_total(council_records(current_council()))
    assert total.received == 0
    assert "Sakarya" not in html(client.get("/stats.csv"))


# --- 3. SQL injection through ORDER BY and filters ---------------------------------------

INJECTIONS = [
    "id;DROP TABLE proposals",
    "supported desc; DELETE FROM votes",
    "(SELECT 1)",
    "1=1",
    "' OR '1'='1",
    '" OR ""="',
    "x' UNION SELECT email FROM users --",
    "\\",
    "%",
]


@pytest.fixture
def three_proposals(app, council):
    """Three proposals, newest first: C, B, A; A has the most supports."""
    with app.app_context():
        body = make_body()
        titles = ["Öneri A: parka bank", "Öneri B: yola kasis", "Öneri C: okula rampa"]
        proposals = [make_proposal(body=body, title=title, tags=("park",)) for title in titles]
        for n in range(2):
            cast_vote(make_user(f"Oylayan {n}"), proposals[0], 1)
        db.session.commit()
        return titles


def order_of(page: str, titles: list[str]) -> list[str]:
    shown = [title for title in titles if title in page]
    return sorted(shown, key=page.index)


def test_sql_injection_through_order_by_and_filters_is_inert(app, client, three_proposals, login):
    """CVE-2026-45376 (SQL injection in an admin search ORDER BY): sort names are looked up
    in a fixed list (unknown ones fall back to "newest"), and every filter is a bound
    parameter: metacharacters change nothing, match nothing, and break nothing."""
    titles = three_proposals
    newest = order_of(html(client.get("/proposals")), titles)
    assert newest == titles[::-1]
    assert order_of(html(client.get("/proposals?sort=supported")), titles)[0] == titles[0]
    for value in INJECTIONS:
        response = client.get("/proposals", query_string={"sort": value})
        assert response.status_code == 200, value
        assert order_of(html(response), titles) == newest, value
        for name in ("q", "body", "district", "tag", "status"):
            response = client.get("/proposals", query_string={name: value})
            assert response.status_code == 200, (name, value)
            shown = order_of(html(response), titles)
            # A filter with an unknown value finds nothing (status: ignored, so all).
            assert shown == (newest if name == "status" else []), (name, value)
    with app.app_context():
        admin_id = make_user("Yönetici", role=SiteRole.ADMIN).id
        db.session.commit()
    admin = login(admin_id)
    for value in INJECTIONS:
        for path, name in (
            ("/admin/users", "q"),
            ("/admin/audit", "action"),
            ("/admin/audit", "actor"),
            ("/moderation", "body"),
            ("/moderation", "status"),
            ("/moderation", "mark"),
        ):
            response = admin.get(path, query_string={name: value})
            assert response.status_code == 200, (path, name, value)
            assert "Öneri" not in html(response) or path == "/moderation"
    assert "@example.org" not in html(admin.get("/admin/users", query_string={"q": "' OR 1=1 --"}))
    with app.app_context():
        assert inspect(db.engine).has_table("proposals")
        assert db.session.scalar(select(func.count()).select_from(Proposal)) == 3
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 2


# --- 4. Stored XSS through names and texts -----------------------------------------------


class ActiveMarkup(HTMLParser):
    """Collects what a browser would run: event attributes, javascript: URLs, scripts that
    are not the site's own files, frames and plugins."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=>")
            url = (value or "").strip().lower()
            if name in ("href", "src", "action", "formaction") and url.startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:>")
        if tag == "script" and not (dict(attrs).get("src") or "").startswith("/static/"):
            self.found.append("<script>")
        if tag in ("iframe", "object", "embed", "base"):
            self.found.append(f"<{tag}>")


def dangerous_markup(page: str) -> list[str]:
    parser = ActiveMarkup()
    parser.feed(page)
    return parser.found


def test_stored_xss_through_names_and_texts_is_escaped(app, council, login):
    """CVE-2026-23891 (critical XSS through the user name) and the other stored-XSS
    advisories (11 of the 28): a display name, a proposal's title, summary and text, a
    comment, a tag and a body name set by an admin are shown as text, and markdown links
    to javascript: are dropped, on every page that shows them."""
    with app.app_context():
        cast = make_cast()
        cast.author.display_name = '<script>alert("name")</script>'
        proposal = make_proposal(
            cast.author,
            body=cast.body,
            title='<img src=x onerror=alert("title")> durak',
            summary='"><svg onload=alert("summary")> durağa rampa yapılsın, lütfen',
            text="[Tıklayın](javascript:alert('text')) <script>alert('text')</script> "
            "<a href=\"javascript:alert('a')\">bağlantı</a> <img src=x onerror=alert(1)> "
            "Tramvay durağına rampa yapılmasını öneriyoruz, herkes binebilsin.",
            tags=('<script>alert("tag")</script>', "javascript:alert(1)"),
        )
        make_comment(
            proposal,
            cast.resident,
            text="<img src=x onerror=alert('comment')> [bak](javascript:alert('c'))",
        )
        follow_proposal(cast.follower, proposal)
        db.session.commit()
        ids = {
            "proposal": proposal.id,
            "author": cast.author.id,
            "moderator": cast.moderator.id,
            "admin": cast.admin.id,
            "body": cast.body.slug,
        }
    admin = login(ids["admin"])
    response = admin.post(
        "/admin/bodies/new",
        data={
            "name_tr": '<script>alert("body")</script> Grup',
            "name_en": "<img src=x onerror=alert(1)> Group",
            "description_tr": "<svg onload=alert(1)> açıklama",
            "kind": "working_group",
            "slug": "xss-grup",
            "keywords": "",
            "support_threshold": "50",
            "response_days": "30",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    pages = {
        "detail": f"/proposals/{ids['proposal']}",
        "list": "/proposals",
        "search": "/proposals?q=durak",
        "home": "/",
        "bodies": "/bodies",
        "body": f"/bodies/{ids['body']}",
        "new body": "/bodies/xss-grup",
        "author's page": "/me",
    }
    seen = {name: html(login(ids["author"]).get(path)) for name, path in pages.items()}
    seen["english bodies"] = html(app.test_client().get("/bodies"))
    seen["review"] = html(login(ids["moderator"]).get(f"/moderation/proposals/{ids['proposal']}"))
    seen["queue"] = html(login(ids["moderator"]).get("/moderation"))
    for path in ("/admin/users", "/admin/bodies", "/admin/audit", "/admin"):
        seen[path] = html(admin.get(path))
    problems = {name: found for name, page in seen.items() if (found := dangerous_markup(page))}
    assert problems == {}
    # Shown as text, not dropped: people see what was written.
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in seen["detail"]
    assert "&lt;img src=x onerror=alert(&#34;title&#34;)&gt; durak" in seen["detail"]
    assert "&lt;img src=x onerror=alert(1)&gt; Group" in seen["english bodies"]
    assert dangerous_markup('<p><img src=x onerror="alert(1)"></p>') == ["<img onerror=>"]


# --- 5. Cross-site request forgery -------------------------------------------------------


def test_csrf_a_token_of_another_session_or_none_is_refused(app, council, login):
    """The CSRF advisories: every POST route refuses a form without a token (for the whole
    URL map: tests/core/test_errors.py::test_user_cannot_post_to_any_route_without_a_csrf_token).
    Here also: a token taken from the attacker's own session does not work in the victim's,
    and signing in needs a token (no login CSRF)."""
    with app.app_context():
        victim_id = make_user("Kurban").id
        proposal_id = make_proposal().id
        db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True  # the clean-up fixture turns it off again
    attacker = app.test_client()
    match = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', html(attacker.get("/auth/login"))
    )
    attackers_token = match[1]
    victim = login(victim_id)
    response = victim.post(
        f"/proposals/{proposal_id}/vote", data={"value": "1", "csrf_token": attackers_token}
    )
    assert response.status_code == 400
    assert count(app, Vote) == 0
    anonymous = app.test_client()
    response = anonymous.post("/auth/login", data={"email": "x@example.org", "password": "y"})
    assert response.status_code == 400


# --- 6. Token expiry ---------------------------------------------------------------------


def tampered(token: str) -> str:
    """One character of the signed payload changed (the first: all its bits count, unlike
    the last character of a base64 signature, whose low bits may be padding)."""
    return ("A" if token[0] != "A" else "B") + token[1:]


def test_token_expiry_verify_reset_and_unsubscribe_links_expire_and_resist_tampering(
    app, council, client, monkeypatch
):
    """The token-expiry advisories: verification and reset links expire, a reset link works
    once, a changed character or a token made for another purpose is refused, and a
    refused link changes nothing. (Unsubscribe links never expire on purpose, see
    katilim/mail/unsubscribe.py: they can only switch e-mails off.)"""
    with app.app_context():
        user = make_user("Tokenci", email="token@example.org", verified=False)
        user.email_frequency = "immediate"
        db.session.commit()
        verify, reset = make_verify_token(user), make_reset_token(user)
        unsubscribe = make_unsubscribe_token(user)
        user_id = user.id
    refused = {
        f"/auth/verify/{tampered(verify)}",
        f"/auth/verify/{reset}",
        f"/auth/reset/{tampered(reset)}",
        f"/auth/reset/{verify}",
        f"/unsubscribe/{tampered(unsubscribe)}",
        f"/unsubscribe/{verify}",
    }
    assert {path: client.get(path).status_code for path in refused} == dict.fromkeys(refused, 400)
    assert client.post(f"/unsubscribe/{tampered(unsubscribe)}").status_code == 400
    monkeypatch.setitem(app.config, "VERIFY_TOKEN_MAX_AGE", -1)
    monkeypatch.setitem(app.config, "RESET_TOKEN_MAX_AGE", -1)
    assert client.get(f"/auth/verify/{verify}").status_code == 400
    assert client.get(f"/auth/reset/{reset}").status_code == 400
    with app.app_context():
        user = db.session.get(User, user_id)
        assert (user.email_verified_at, user.email_frequency) == (None, "immediate")
    monkeypatch.setitem(app.config, "RESET_TOKEN_MAX_AGE", 3600)
    new = {"password": "a brand new long password", "password_again": "a brand new long password"}
    assert client.post(f"/auth/reset/{reset}", data=new).status_code == 302
    assert app.test_client().get(f"/auth/reset/{reset}").status_code == 400  # used once


# --- 7. Counter races --------------------------------------------------------------------


def test_counter_races_repeated_submissions_keep_counters_equal_to_rows(app, council, login):
    """GHSA-r275-j57c-7mf2 (a race condition in counters). The truly concurrent cases run
    on PostgreSQL: tests/voting/test_concurrency.py (500 voters at once, one voter's 20
    identical votes at once, votes changed at once) and tests/moderation/test_concurrency.py
    (two moderators deciding at once). Here the same repeated submissions, one after
    another, on any database: counters change by SQL expressions and always equal the rows."""
    from tests.moderation import test_concurrency as moderators
    from tests.voting import test_concurrency as votes

    assert hasattr(votes, "test_500_people_voting_at_once_give_500_votes_and_matching_counters")
    assert hasattr(moderators, "test_two_moderators_in_two_threads_give_one_decision")
    with app.app_context():
        voter_id = make_user("Seçmen").id
        proposal_id = make_proposal().id
        db.session.commit()
    client = login(voter_id)
    for value in ("1", "1", "1", "-1", "-1", "0", "0", "1"):
        client.post(f"/proposals/{proposal_id}/vote", data={"value": value})
    for _ in range(2):
        client.post(
            f"/proposals/{proposal_id}/comments", data={"text": "Aynı yorum", "stance": "for"}
        )
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        votes_now = list(db.session.scalars(select(Vote.value)))
        comments = db.session.scalar(select(func.count()).select_from(Comment))
        assert votes_now == [1]
        assert (proposal.supports_count, proposal.opposes_count) == (1, 0)
        assert proposal.comments_count == comments == 2
