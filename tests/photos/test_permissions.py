"""Who may add, hide and see photos: the permission matrix of the photo actions."""

import io

import pytest
from sqlalchemy import select

from katilim.auth.models import SiteRole
from katilim.extensions import db
from katilim.photos import services as photo_services
from katilim.photos.models import ProposalPhoto
from katilim.photos.services import Upload
from katilim.proposals.models import Proposal, ProposalStatus
from tests.factories import make_body, make_proposal, make_user
from tests.photos.images import encoded

ROLES = ["visitor", "resident", "unverified", "author", "other_moderator", "moderator", "admin"]


@pytest.fixture
def world(app, council):
    with app.app_context():
        body, other_body = make_body(), make_body()
        author = make_user("Yazar")
        users = {
            "resident": make_user("Komşu"),
            "unverified": make_user("Yeni", verified=False),
            "author": author,
            "other_moderator": make_user("Başka moderatör", moderates=other_body),
            "moderator": make_user("Moderatör", moderates=body),
            "admin": make_user("Yönetici", role=SiteRole.ADMIN),
        }
        proposals = {}
        for name, status in (("public", ProposalStatus.NEW), ("draft", ProposalStatus.DRAFT)):
            proposal = make_proposal(author, body=body, status=status)
            prepared, _ = photo_services.prepare([Upload(encoded("PNG"), "Bir fotoğraf", 1)])
            photo_services.add_photos(author, proposal, prepared)
            proposals[name] = proposal.id
        db.session.commit()
        ids = {name: user.id for name, user in users.items()}
    return ids, proposals


def _client(client, login, ids, role):
    return client if role == "visitor" else login(ids[role])


def _photo_id(app, proposal_id) -> int:
    with app.app_context():
        return db.session.scalar(
            select(ProposalPhoto.id).where(ProposalPhoto.proposal_id == proposal_id)
        )


HIDE = {
    "visitor": 302,  # to the sign-in page
    "resident": 403,
    "unverified": 403,
    "author": 403,
    "other_moderator": 403,
    "moderator": 302,  # hidden, back to the proposal
    "admin": 302,
}


@pytest.mark.parametrize("role", ROLES)
def test_only_the_bodys_moderators_and_admins_hide_a_photo(app, client, login, world, role):
    ids, proposals = world
    photo_id = _photo_id(app, proposals["public"])
    response = _client(client, login, ids, role).post(
        f"/proposals/{proposals['public']}/photos/{photo_id}/hide",
        data={"reason": "Yüzler seçiliyor"},
    )
    assert response.status_code == HIDE[role]
    with app.app_context():
        photo = db.session.get(ProposalPhoto, photo_id)
        hidden = role in ("moderator", "admin")
        assert photo.is_hidden is hidden
        if hidden:
            from katilim.audit.models import AuditLog

            entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "photo.hide"))
            assert entry.actor_id == ids[role] and entry.details["reason"] == "Yüzler seçiliyor"


def test_hiding_needs_a_reason(app, login, world):
    ids, proposals = world
    photo_id = _photo_id(app, proposals["public"])
    login(ids["moderator"]).post(
        f"/proposals/{proposals['public']}/photos/{photo_id}/hide", data={"reason": " "}
    )
    with app.app_context():
        assert not db.session.get(ProposalPhoto, photo_id).is_hidden


SEE_HIDDEN = {
    "visitor": 404,
    "resident": 404,
    "unverified": 404,
    "author": 200,
    "other_moderator": 404,
    "moderator": 200,
    "admin": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_a_hidden_photo_is_seen_by_its_author_and_the_moderators_only(
    app, client, login, world, role
):
    ids, proposals = world
    photo_id = _photo_id(app, proposals["public"])
    with app.app_context():
        photo = db.session.get(ProposalPhoto, photo_id)
        photo_services.hide_photo(
            db.session.get(__import__("katilim.auth.models").auth.models.User, ids["moderator"]),
            db.session.get(Proposal, proposals["public"]),
            photo,
            "Kişisel bilgi",
        )
        db.session.commit()
    reader = _client(client, login, ids, role)
    response = reader.get(f"/proposals/{proposals['public']}/photos/{photo_id}/large.jpg")
    assert response.status_code == SEE_HIDDEN[role]
    if response.status_code == 200:
        assert response.headers["Cache-Control"] == "private, no-store"
    page = reader.get(f"/proposals/{proposals['public']}").get_data(as_text=True)
    assert ("Kişisel bilgi" in page) is True  # the public reason is shown to everyone
    assert (f"/photos/{photo_id}/large.jpg" in page) is (SEE_HIDDEN[role] == 200)


SEE_DRAFT = {role: 404 for role in ROLES} | {"author": 200, "admin": 200}


@pytest.mark.parametrize("role", ROLES)
def test_a_drafts_photo_is_seen_where_the_draft_is(app, client, login, world, role):
    ids, proposals = world
    photo_id = _photo_id(app, proposals["draft"])
    response = _client(client, login, ids, role).get(
        f"/proposals/{proposals['draft']}/photos/{photo_id}/small.jpg"
    )
    assert response.status_code == SEE_DRAFT[role]


UPLOAD_NEW = {
    "visitor": 302,  # to the sign-in page
    "resident": 302,  # published
    "unverified": 403,
    "author": 302,
    "other_moderator": 302,
    "moderator": 302,
    "admin": 302,
}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_upload_with_a_new_proposal(app, client, login, world, role):
    ids, _ = world
    data = {
        "title": "Parka yeni banklar konulsun",
        "summary": "Parkta oturacak yer yok, yaşlılar ayakta kalıyor.",
        "text": "Mahalle parkında yalnızca iki bank var ve ikisi de kırık. "
        "Yeni banklar konulmasını öneriyoruz.",
        "body": "",
        "suggested_body": "general",
        "language": "tr",
        "publish": "1",
        "photo_1": (io.BytesIO(encoded("PNG")), "park.png"),
        "photo_alt_1": "Kırık bank",
    }
    response = _client(client, login, ids, role).post(
        "/proposals/new", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == UPLOAD_NEW[role]
    with app.app_context():
        photos = db.session.scalar(select(db.func.count()).select_from(ProposalPhoto))
    assert photos == (3 if UPLOAD_NEW[role] == 302 and role != "visitor" else 2)


UPLOAD_EDIT = {role: 403 for role in ROLES} | {"visitor": 302, "author": 302}


@pytest.mark.parametrize("role", ROLES)
def test_only_the_author_adds_photos_to_an_existing_proposal(app, client, login, world, role):
    ids, proposals = world
    proposal_id = proposals["public"]
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        data = {
            "title": proposal.title,
            "summary": proposal.summary,
            "text": proposal.text,
            "body": proposal.body.slug,
            "language": "tr",
            "save": "1",
            "photo_1": (io.BytesIO(encoded("WEBP")), "yeni.webp"),
            "photo_alt_1": "Yeni açı",
        }
    response = _client(client, login, ids, role).post(
        f"/proposals/{proposal_id}/edit", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == UPLOAD_EDIT[role]
    with app.app_context():
        count = db.session.scalar(
            select(db.func.count())
            .select_from(ProposalPhoto)
            .where(ProposalPhoto.proposal_id == proposal_id)
        )
    assert count == (2 if role == "author" else 1)


def test_the_author_cannot_add_photos_once_review_started(app, login, world):
    ids, proposals = world
    with app.app_context():
        proposal = db.session.get(Proposal, proposals["public"])
        proposal.status = ProposalStatus.UNDER_REVIEW
        db.session.commit()
        prepared, _ = photo_services.prepare([Upload(encoded("PNG"), "Geç kalan", 1)])
        with pytest.raises(photo_services.PermissionDenied):
            photo_services.add_photos(proposal.author, proposal, prepared)


@pytest.mark.parametrize("role", ROLES)
def test_the_hide_form_shows_to_those_who_may_hide(app, client, login, world, role):
    ids, proposals = world
    response = _client(client, login, ids, role).get(f"/proposals/{proposals['public']}")
    assert response.status_code == 200
    assert ("Hide this photo" in response.get_data(as_text=True)) is (
        HIDE[role] == 302 and role != "visitor"
    )
