"""The honeypot of the public forms: people never meet it; a form that comes back with it
filled is refused quietly (the general message, the typed text kept, the trap emptied) and
changes nothing."""

import re

import pytest
from sqlalchemy import func, select

from katilim.auth.models import LoginThrottle, User
from katilim.comments.models import Comment
from katilim.extensions import db
from katilim.moderation.models import Flag
from katilim.proposals.models import Proposal
from tests.auth.test_routes import registration
from tests.factories import PASSWORD, make_comment, make_proposal, make_user
from tests.proposals.test_routes import form as proposal_form

REFUSED = "Your form could not be accepted. Please check it and send it again."
TRAP = {"website": "http://spam.example"}


@pytest.fixture
def world(app, council):
    with app.app_context():
        user = make_user("Zeynep Aksoy", email="zeynep@example.org")
        proposal = make_proposal(user)
        comment = make_comment(proposal)
        db.session.commit()
        return {"user": user.id, "proposal": proposal.id, "comment": comment.id}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def trap_of(page: str) -> str:
    match = re.search(r'<div class="form-trap" aria-hidden="true">.*?</div>', page, re.S)
    assert match, "no honeypot in the page"
    return match[0]


FORMS = {
    # name: (path, signed in, data)
    "register": (lambda w: "/auth/register", False, lambda w: registration()),
    "login": (
        lambda w: "/auth/login",
        False,
        lambda w: {"email": "zeynep@example.org", "password": PASSWORD},
    ),
    "reset": (lambda w: "/auth/reset", False, lambda w: {"email": "zeynep@example.org"}),
    "proposal": (lambda w: "/proposals/new", True, lambda w: proposal_form()),
    "comment": (
        lambda w: f"/proposals/{w['proposal']}/comments",
        True,
        lambda w: {"text": "Harika fikir!", "stance": "for"},
    ),
    "report": (
        lambda w: f"/proposals/{w['proposal']}/flag",
        True,
        lambda w: {"reason": "spam", "note": "Reklam."},
    ),
}


def client_for(app, login, world, signed_in):
    return login(world["user"]) if signed_in else app.test_client()


@pytest.mark.parametrize("name", FORMS)
def test_public_form_has_a_trap_people_never_meet(app, login, world, name):
    path, signed_in, _ = FORMS[name]
    get_path = path(world) if name != "comment" else f"/proposals/{world['proposal']}"
    page = client_for(app, login, world, signed_in).get(get_path).get_data(as_text=True)
    trap = trap_of(page)
    assert 'tabindex="-1"' in trap and 'autocomplete="off"' in trap
    assert '<label for="website">Leave this field empty</label>' in trap
    assert 'value=""' in trap
    assert page.count('id="website"') == 1


@pytest.mark.parametrize("name", FORMS)
def test_filled_trap_is_refused_quietly_and_changes_nothing(app, login, world, outbox, name):
    path, signed_in, data = FORMS[name]
    client = client_for(app, login, world, signed_in)
    models = (User, Proposal, Comment, Flag, LoginThrottle)
    before = {model: count(app, model) for model in models}
    response = client.post(path(world), data={**data(world), **TRAP})
    page = response.get_data(as_text=True)
    assert response.status_code in (200, 400)
    assert REFUSED in page
    assert "spam.example" not in trap_of(page)  # emptied, so a person's second try works
    assert {model: count(app, model) for model in models} == before
    assert len(outbox) == 0
    if name == "login":
        assert client.get("/me").status_code != 200


def test_refused_form_keeps_what_was_typed(app, login, world):
    page = login(world["user"]).post("/proposals/new", data={**proposal_form(), **TRAP})
    assert 'value="Tramvay durağına rampa yapılsın"' in page.get_data(as_text=True)


def test_empty_trap_is_no_obstacle(app, login, world):
    # Past the similar-proposals step: the world's proposal looks like this one.
    data = {**proposal_form(), "website": "", "similar_seen": "1"}
    response = login(world["user"]).post("/proposals/new", data=data)
    assert response.status_code == 302
