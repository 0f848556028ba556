"""Proposal pages: the list, the page, the form with routing suggestions, edit, withdraw."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from katilim.extensions import db
from katilim.proposals.models import Proposal, ProposalStatus, RoutingMethod
from tests.factories import get_body, get_district, make_comment, make_proposal, make_user

TEXT = (
    "Tramvay durağında tekerlekli sandalye ile inip binmek mümkün değil. "
    "Durağa bir rampa yapılmasını öneriyoruz."
)


def form(**changes) -> dict:
    data = {
        "title": "Tramvay durağına rampa yapılsın",
        "summary": "Durağa rampa yapılsın ki herkes binebilsin.",
        "text": TEXT,
        "district": "izmit",
        "tags": "tramvay, erişilebilirlik",
        "body": "ulasim",
        "publish": "1",
    }
    data.update(changes)
    return data


def html(response) -> str:
    return response.get_data(as_text=True)


def proposal_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Proposal))


def order(page: str, *titles: str) -> list[str]:
    """The titles in the order they appear on the page."""
    return sorted(titles, key=page.index)


@pytest.fixture
def author(app, council):
    with app.app_context():
        user = make_user("Ayşe Yılmaz")
        db.session.commit()
        return user.id


# --- the list -----------------------------------------------------------------------------


@pytest.fixture
def two_proposals(app, council):
    """A transport proposal in İzmit and an environment one in Gebze, already accepted."""
    with app.app_context():
        make_proposal(
            title="Tramvay seferleri sıklaşsın",
            body=get_body("ulasim"),
            district=get_district("izmit"),
            tags=("tramvay",),
        )
        make_proposal(
            title="Mahalleye ağaç dikilsin",
            body=get_body("cevre-iklim"),
            district=get_district("gebze"),
            tags=("ağaç",),
            status=ProposalStatus.ACCEPTED,
        )
        db.session.commit()


def test_visitor_can_filter_the_list_by_body_district_status_and_tag(client, two_proposals):
    results = {}
    for name, value in [
        ("body", "ulasim"),
        ("district", "izmit"),
        ("status", "new"),
        ("tag", "tramvay"),
    ]:
        page = html(client.get("/proposals", query_string={name: value}))
        results[name] = (
            "Tramvay seferleri sıklaşsın" in page,
            "Mahalleye ağaç dikilsin" in page,
            "1 proposal found" in page,
        )
    assert results == dict.fromkeys(["body", "district", "status", "tag"], (True, False, True))


def test_visitor_list_shows_accepted_but_not_withdrawn_or_drafts(client, council, app):
    with app.app_context():
        make_proposal(title="Kabul edilmiş bir öneri", status=ProposalStatus.ACCEPTED)
        make_proposal(title="Geri çekilmiş bir öneri", status=ProposalStatus.WITHDRAWN)
        make_proposal(title="Taslak halinde bir öneri", status=ProposalStatus.DRAFT)
        db.session.commit()
    page = html(client.get("/proposals"))
    assert "Kabul edilmiş bir öneri" in page
    assert "Geri çekilmiş bir öneri" not in page
    assert "Taslak halinde bir öneri" not in page


def test_visitor_can_list_withdrawn_when_asking_for_them(client, council, app):
    with app.app_context():
        make_proposal(title="Geri çekilmiş bir öneri", status=ProposalStatus.WITHDRAWN)
        db.session.commit()
    assert "Geri çekilmiş bir öneri" in html(client.get("/proposals?status=withdrawn"))


def test_visitor_cannot_list_drafts_with_the_status_filter(client, council, app):
    with app.app_context():
        make_proposal(title="Taslak halinde bir öneri", status=ProposalStatus.DRAFT)
        db.session.commit()
    assert "Taslak halinde bir öneri" not in html(client.get("/proposals?status=draft"))


@pytest.fixture
def ranked(app, council):
    """Three proposals whose newest / supported / commented orders all differ."""
    now = datetime.now(UTC)
    with app.app_context():
        for title, days_ago, supports, comments in [
            ("Birinci öneri en yeni", 1, 5, 0),
            ("İkinci öneri en çok destekli", 3, 40, 1),
            ("Üçüncü öneri en çok yorumlu", 2, 1, 9),
        ]:
            proposal = make_proposal(title=title)
            proposal.published_at = now - timedelta(days=days_ago)
            proposal.supports_count = supports
            proposal.comments_count = comments
        db.session.commit()
    return ("Birinci öneri en yeni", "İkinci öneri en çok destekli", "Üçüncü öneri en çok yorumlu")


def test_visitor_can_sort_the_list(client, ranked):
    newest, supported, commented = ranked
    orders = {
        sort: order(html(client.get(f"/proposals?sort={sort}")), *ranked)
        for sort in ("newest", "supported", "commented")
    }
    assert orders == {
        "newest": [newest, commented, supported],
        "supported": [supported, newest, commented],
        "commented": [commented, supported, newest],
    }


def test_visitor_unknown_sort_falls_back_to_newest(client, ranked):
    page = html(client.get("/proposals?sort=drop+table"))
    assert order(page, *ranked) == [ranked[0], ranked[2], ranked[1]]


def test_visitor_unknown_status_is_ignored(client, ranked):
    page = html(client.get("/proposals?status=bogus"))
    assert "3 proposals found" in page


def test_visitor_can_open_page_two(client, ranked, app, monkeypatch):
    monkeypatch.setitem(app.config, "PROPOSALS_PER_PAGE", 2)
    first, second = html(client.get("/proposals")), html(client.get("/proposals?page=2"))
    assert ranked[0] in first and ranked[2] in first and ranked[1] not in first
    assert ranked[1] in second and ranked[0] not in second and ranked[2] not in second
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_visitor_odd_page_numbers_answer(client, ranked):
    pages = ["-1", "0", "abc", "99999", "1e9", ""]
    assert {p: client.get(f"/proposals?page={p}").status_code for p in pages} == dict.fromkeys(
        pages, 200
    )


# --- the proposal page --------------------------------------------------------------------


def test_visitor_sees_the_whole_proposal_page(client, council, app):
    with app.app_context():
        proposal = make_proposal(title="Tramvay durağına rampa", body=get_body("ulasim"))
        proposal.supports_count, proposal.opposes_count = 7, 2
        comment = make_comment(proposal, text="Çok **gerekli** bir öneri.")
        make_comment(proposal, text="Katılıyorum, ben de her gün zorlanıyorum.", parent=comment)
        db.session.commit()
        proposal_id = proposal.id
    page = html(client.get(f"/proposals/{proposal_id}"))
    assert "Tramvay durağına rampa" in page
    assert "<strong>Transport and Accessible Mobility Working Group</strong>" in page
    assert "The author chose this group." in page
    assert '<span class="status status-new">New</span>' in page
    assert "Published." in page and "Sent to Transport and Accessible Mobility" in page
    assert "<strong>7</strong> for" in page and "<strong>2</strong> against" in page
    assert "2 comments" in page
    assert "Çok <strong>gerekli</strong> bir öneri." in page
    assert "ben de her gün zorlanıyorum" in page


def test_visitor_sees_that_the_body_was_suggested(client, council, app):
    with app.app_context():
        proposal = make_proposal(body=get_body("ulasim"))
        proposal.routing_method = RoutingMethod.SUGGESTION
        db.session.commit()
        proposal_id = proposal.id
    page = html(client.get(f"/proposals/{proposal_id}"))
    assert "The platform suggested this group from the text" in page


def test_visitor_cannot_see_a_missing_proposal(client, council):
    assert client.get("/proposals/999999").status_code == 404


def test_visitor_cannot_see_a_draft(client, council, app):
    with app.app_context():
        proposal_id = make_proposal(status=ProposalStatus.DRAFT).id
        db.session.commit()
    assert client.get(f"/proposals/{proposal_id}").status_code == 404


def test_other_user_cannot_see_a_draft(login, council, app):
    with app.app_context():
        proposal_id = make_proposal(status=ProposalStatus.DRAFT).id
        other_id = make_user().id
        db.session.commit()
    assert login(other_id).get(f"/proposals/{proposal_id}").status_code == 404


def test_author_can_see_own_draft(login, council, app):
    with app.app_context():
        proposal = make_proposal(title="Benim taslağım burada", status=ProposalStatus.DRAFT)
        db.session.commit()
        proposal_id, author_id = proposal.id, proposal.author_id
    response = login(author_id).get(f"/proposals/{proposal_id}")
    assert response.status_code == 200
    assert "Benim taslağım burada" in html(response)
    assert "Edit or publish the draft" in html(response)


# --- submitting ---------------------------------------------------------------------------


def test_visitor_cannot_open_the_form_and_is_sent_to_login(client, council):
    response = client.get("/proposals/new")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/login"
    assert parse_qs(location.query)["next"] == ["/proposals/new"]


def test_unverified_user_cannot_submit(login, council, app):
    with app.app_context():
        user_id = make_user(verified=False).id
        db.session.commit()
    client = login(user_id)
    for response in (client.get("/proposals/new"), client.post("/proposals/new", data=form())):
        assert response.status_code == 403
        assert "Confirm your e-mail address first" in html(response)
    with app.app_context():
        assert proposal_count() == 0


def test_verified_user_can_publish_with_a_chosen_body(login, author, app):
    response = login(author).post("/proposals/new", data=form())
    assert response.status_code == 302
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert response.headers["Location"].endswith(f"/proposals/{proposal.id}")
        assert proposal.status == ProposalStatus.NEW
        assert proposal.body.slug == "ulasim"
        assert proposal.routing_method == RoutingMethod.CITIZEN
        assert proposal.district.slug == "izmit"
        assert sorted(t.slug for t in proposal.tags) == ["erisilebilirlik", "tramvay"]
        assert proposal.author_id == author


def test_verified_user_asking_for_suggestions_sees_them_before_anything_is_saved(
    login, author, app
):
    response = login(author).post("/proposals/new", data=form(body=""))
    assert response.status_code == 200
    page = html(response)
    assert 'name="suggested_body"' in page
    assert 'value="engelli-meclisi"' in page and 'value="ulasim"' in page
    assert 'value="general"' in page
    assert "Tramvay durağına rampa yapılsın" in page  # the typed text is kept
    with app.app_context():
        assert proposal_count() == 0


def test_verified_user_can_confirm_a_suggestion(login, author, app):
    client = login(author)
    client.post("/proposals/new", data=form(body=""))
    response = client.post("/proposals/new", data=form(body="", suggested_body="engelli-meclisi"))
    assert response.status_code == 302
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.body.slug == "engelli-meclisi"
        assert proposal.routing_method == RoutingMethod.SUGGESTION
        assert proposal.routing_confirmed_at is None
    page = html(client.get(response.headers["Location"]))
    assert "a moderator of the group still has to confirm it" in page


def test_verified_user_can_leave_routing_to_the_council(login, author, app):
    response = login(author).post("/proposals/new", data=form(body="", suggested_body="general"))
    assert response.status_code == 302
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.body is None and proposal.status == ProposalStatus.NEW
    page = html(login(author).get(response.headers["Location"]))
    assert "Not routed yet" in page


def test_verified_user_cannot_confirm_a_body_that_was_not_suggested(login, author, app):
    response = login(author).post("/proposals/new", data=form(body="", suggested_body="spor"))
    assert response.status_code == 200
    assert "Please choose one of the suggestions." in html(response)
    with app.app_context():
        assert proposal_count() == 0


def test_verified_user_can_save_a_draft(login, author, app):
    data = form(body="")
    del data["publish"]
    data["save_draft"] = "1"
    response = login(author).post("/proposals/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.status == ProposalStatus.DRAFT
        assert proposal.body is None and proposal.events == []


def test_verified_user_invalid_form_shows_the_error_beside_the_field_and_keeps_the_text(
    login, author, app
):
    response = login(author).post("/proposals/new", data=form(title="Kısa"))
    assert response.status_code == 200
    page = html(response)
    error_at = page.index('id="title-error"')
    assert "Use between 10 and 150 characters." in page[error_at : error_at + 200]
    assert 'aria-invalid="true"' in page
    assert 'value="Kısa"' in page
    assert "Durağa rampa yapılsın ki herkes binebilsin." in page
    assert TEXT in page
    with app.app_context():
        assert proposal_count() == 0


@pytest.mark.parametrize(("field", "value"), [("district", " "), ("language", " "), ("body", " ")])
def test_verified_user_blank_choice_is_an_error_not_a_value(login, author, app, field, value):
    response = login(author).post("/proposals/new", data=form(**{field: value}))
    assert response.status_code == 200
    assert f'id="{field}-error"' in html(response)
    with app.app_context():
        assert proposal_count() == 0


def test_verified_user_title_and_tags_lose_bidi_controls_and_invisible_characters(
    login, author, app
):
    title = "\u202eTramvay\u200b durağına\u2066 rampa\ufeff yapılsın"
    tags = "tram\u200bvay, \u202eerişilebilirlik, \u200b"
    response = login(author).post("/proposals/new", data=form(title=title, tags=tags))
    assert response.status_code == 302
    with app.app_context():
        proposal = db.session.scalar(select(Proposal))
        assert proposal.title == "Tramvay durağına rampa yapılsın"
        assert sorted(t.name for t in proposal.tags) == ["erişilebilirlik", "tramvay"]


def test_verified_user_title_of_invisible_characters_is_empty(login, author, app):
    response = login(author).post("/proposals/new", data=form(title="\u200b" * 12 + "\u202e"))
    assert response.status_code == 200
    assert 'id="title-error"' in html(response)
    with app.app_context():
        assert proposal_count() == 0


# --- editing and withdrawing -------------------------------------------------------------


@pytest.fixture
def published(app, council):
    """(proposal id, author id) of a new proposal routed to ulasim."""
    with app.app_context():
        proposal = make_proposal(body=get_body("ulasim"))
        db.session.commit()
        return proposal.id, proposal.author_id


def test_author_can_edit_before_review(login, published, app):
    proposal_id, author_id = published
    client = login(author_id)
    assert client.get(f"/proposals/{proposal_id}/edit").status_code == 200
    data = form(title="Tramvay durağına rampa hemen yapılsın")
    del data["publish"]
    data["save"] = "1"
    response = client.post(f"/proposals/{proposal_id}/edit", data=data)
    assert response.status_code == 302
    page = html(client.get(f"/proposals/{proposal_id}"))
    assert "Tramvay durağına rampa hemen yapılsın" in page
    assert "The author edited the proposal." in page


def test_other_user_cannot_edit(login, published, app):
    proposal_id, _ = published
    with app.app_context():
        other_id = make_user().id
        db.session.commit()
    client = login(other_id)
    assert client.get(f"/proposals/{proposal_id}/edit").status_code == 403
    assert client.post(f"/proposals/{proposal_id}/edit", data=form()).status_code == 403


def test_author_cannot_edit_once_under_review(login, published, app):
    proposal_id, author_id = published
    with app.app_context():
        db.session.get(Proposal, proposal_id).status = ProposalStatus.UNDER_REVIEW
        db.session.commit()
    client = login(author_id)
    assert client.get(f"/proposals/{proposal_id}/edit").status_code == 403
    assert client.post(f"/proposals/{proposal_id}/edit", data=form()).status_code == 403


def test_author_can_withdraw_and_the_page_says_so(login, published, app):
    proposal_id, author_id = published
    client = login(author_id)
    response = client.post(f"/proposals/{proposal_id}/withdraw", data={"reason": "Çözüldü."})
    assert response.status_code == 302
    page = html(client.get(f"/proposals/{proposal_id}"))
    assert '<span class="status status-withdrawn">Withdrawn</span>' in page
    assert "The author withdrew the proposal." in page and "Çözüldü." in page
    assert "Voting is closed for this proposal." in page


def test_other_user_cannot_withdraw(login, published, app):
    proposal_id, _ = published
    with app.app_context():
        other_id = make_user().id
        db.session.commit()
    assert login(other_id).post(f"/proposals/{proposal_id}/withdraw").status_code == 403
    with app.app_context():
        assert db.session.get(Proposal, proposal_id).status == ProposalStatus.NEW
