"""Error pages, CSRF on every POST route, and odd query strings that must never give a 500."""

import pytest
from flask import url_for
from sqlalchemy import func, select

from katilim.auth import tokens
from katilim.auth.models import User
from katilim.comments.models import Comment
from katilim.core.converters import IdConverter
from katilim.extensions import db
from katilim.proposals.models import Proposal, ProposalStatus
from katilim.voting.models import Vote
from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, get_body, make_proposal

CSRF_TEXT = "Please reload the page and send it again"


def test_visitor_gets_the_404_page_in_english(client, council):
    response = client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert '<html lang="en"' in page and "Page not found" in page


def test_visitor_gets_the_404_page_in_turkish(client, council):
    response = client.get("/no/such/page", headers={"Accept-Language": "tr"})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert '<html lang="tr"' in page and "Sayfa bulunamadı" in page


def test_api_client_gets_errors_as_json(client, council):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"] == "Page not found"


def test_visitor_huge_proposal_id_is_a_404(client, council):
    assert client.get("/proposals/99999999999999999999").status_code == 404


@pytest.mark.parametrize("written", ["٣", "３", "³", "2147483648", "9" * 400, "0", "-3"])
def test_visitor_id_not_written_in_ascii_digits_is_a_404(client, council, app, written):
    """Werkzeug's integer converter matches any Unicode digit: /proposals/٣ was proposal 3."""
    with app.app_context():
        for _ in range(3):
            make_proposal()
        db.session.commit()
    assert client.get("/proposals/3").status_code == 200
    assert client.get(f"/proposals/{written}").status_code == 404
    assert client.get(f"/api/v1/proposals/{written}").status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/auth/logout", {"POST", "OPTIONS"}),
        ("POST", "/proposals", {"GET", "HEAD", "OPTIONS"}),
        ("DELETE", "/auth/login", {"GET", "HEAD", "POST", "OPTIONS"}),
        ("POST", "/api/v1/bodies", {"GET", "HEAD", "OPTIONS"}),
    ],
)
def test_visitor_wrong_method_gets_a_405_that_says_which_are_allowed(
    client, council, method, path, allowed
):
    """RFC 9110: a 405 carries Allow. The error page is a response of its own, so the header
    is copied onto it (katilim.core.errors.error_headers)."""
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed


def test_visitor_form_without_csrf_token_gets_the_reload_page(client, council, app):
    app.config["WTF_CSRF_ENABLED"] = True  # the cleanup fixture switches it off again
    response = client.post("/auth/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert CSRF_TEXT in response.get_data(as_text=True)


def test_visitor_form_with_the_csrf_token_works(client, council, app):
    app.config["WTF_CSRF_ENABLED"] = True
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post(
        "/auth/login", data={"csrf_token": token, "email": "nobody@example.org", "password": "x"}
    )
    assert response.status_code == 200
    assert "The e-mail address or the password is wrong." in response.get_data(as_text=True)


def placeholder(rule, arg):
    return 1 if isinstance(rule._converters[arg], IdConverter) else "x"


def test_user_cannot_post_to_any_route_without_a_csrf_token(login, council, app):
    with app.app_context():
        proposal = make_proposal()
        db.session.commit()
        user_id, proposal_id = proposal.author_id, proposal.id
        reset_token = tokens.make_reset_token(proposal.author)
    app.config["WTF_CSRF_ENABLED"] = True
    client = login(user_id)
    values = {"proposal_id": proposal_id, "token": reset_token}
    form = {
        "value": "1",
        "text": "Yorum metni burada",
        "stance": "for",
        "locale": "tr",
        "email": "someone@example.org",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "reason": "Neden",
    }
    post_rules = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(post_rules) >= 11  # every form of the site, so a new one is not forgotten
    refused = {}
    with app.test_request_context():
        urls = {
            # CSRF is checked before any view runs, so made-up ids and slugs do for the rest.
            rule.rule: url_for(
                rule.endpoint,
                **{arg: values.get(arg, placeholder(rule, arg)) for arg in rule.arguments},
            )
            for rule in post_rules
        }
    for rule, url in urls.items():
        response = client.post(url, data=form)
        refused[rule] = (response.status_code, CSRF_TEXT in response.get_data(as_text=True))
    assert refused == {rule: (400, True) for rule in urls}
    with app.app_context():
        assert db.session.get(Proposal, proposal_id).status == ProposalStatus.NEW
        assert db.session.scalar(select(func.count()).select_from(Vote)) == 0
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 0
        assert db.session.scalar(select(func.count()).select_from(Proposal)) == 1
        assert db.session.get(User, user_id).locale is None
    assert client.get("/me").status_code == 200  # the sign-out was refused too


ODD_QUERIES = [
    "page=-1",
    "page=0",
    "page=99999999999999999999999",
    "page=1e400",
    "page=%00",
    "q=%27%22%3C%3E%5C",
    "q=%25%25_",
    "q=%00%00",
    "q=%ff%fe",
    "q=" + "x" * 5000,
    "q=" + "%C5%9F" * 3000,
    "sort=%27;DROP%20TABLE%20proposals;--",
    "status=" + "y" * 5000,
    "body=%00&district=%00&tag=%00",
    "body=" + "b" * 5000,
    "tag=" + "t" * 5000,
    "q=a&q=b&page=2&page=x",
    "unknown=1&utm_source=%00",
    "reply=99999999999999999999",
]


@pytest.mark.parametrize("path", ["/proposals", "/bodies/ulasim"])
def test_visitor_odd_query_strings_never_give_a_500(client, council, app, path):
    with app.app_context():
        for _ in range(3):
            make_proposal(body=get_body("ulasim"), tags=("tramvay",))
        db.session.commit()
    statuses = {query: client.get(f"{path}?{query}").status_code for query in ODD_QUERIES}
    assert statuses == {query: 200 for query in ODD_QUERIES}


def test_visitor_unknown_body_is_a_404(client, council):
    slugs = ["nope", "%00", "x" * 5000, "%27%22", "ulasim%2F..%2F"]
    statuses = {slug[:20]: client.get(f"/bodies/{slug}").status_code for slug in slugs}
    assert statuses == {slug[:20]: 404 for slug in slugs}


def test_oversized_request_gets_the_413_page(client, council):
    response = client.post(
        "/auth/login", data={"email": "a@example.org", "password": "x" * 300_000}
    )
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)
