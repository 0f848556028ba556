"""POST /proposals/<id>/comments, and the reply form on the proposal page."""

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from katilim.comments.models import Comment
from katilim.extensions import db
from tests.factories import make_comment, make_proposal, make_user

LONG_TEXT = "Bu öneriye katılıyorum çünkü her sabah aynı sorunu yaşıyorum. " * 20


@pytest.fixture
def setup(app, council):
    """(proposal id, commenter id, id of a comment already on the proposal)."""
    with app.app_context():
        proposal = make_proposal()
        comment = make_comment(proposal, text="İlk yorum burada.")
        commenter = make_user("Zeynep Öztürk")
        db.session.commit()
        return proposal.id, commenter.id, comment.id


def comment_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Comment))


def test_resident_can_comment_and_lands_on_the_comment(login, setup, app):
    proposal_id, commenter_id, _ = setup
    response = login(commenter_id).post(
        f"/proposals/{proposal_id}/comments", data={"text": "Harika fikir!", "stance": "for"}
    )
    assert response.status_code == 302
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.author_id == commenter_id))
    assert response.headers["Location"].endswith(f"/proposals/{proposal_id}#comment-{comment.id}")
    page = login(commenter_id).get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert f'id="comment-{comment.id}"' in page and "Harika fikir!" in page


def test_resident_can_reply_through_the_page(login, setup, app):
    proposal_id, commenter_id, parent_id = setup
    response = login(commenter_id).post(
        f"/proposals/{proposal_id}/comments",
        data={"text": "Buna katılıyorum.", "stance": "for", "parent_id": str(parent_id)},
    )
    assert response.status_code == 302
    with app.app_context():
        reply = db.session.scalar(select(Comment).where(Comment.author_id == commenter_id))
        assert (reply.parent_id, reply.root_id, reply.depth) == (parent_id, parent_id, 1)


def test_resident_empty_comment_gets_the_error_beside_the_field(login, setup, app):
    proposal_id, commenter_id, _ = setup
    response = login(commenter_id).post(
        f"/proposals/{proposal_id}/comments", data={"text": "   ", "stance": "for"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    error_at = page.index('id="text-error"')
    assert "This field is required." in page[error_at : error_at + 200]
    assert comment_count(app) == 1


def test_resident_text_is_kept_when_another_field_fails(login, setup, app):
    proposal_id, commenter_id, _ = setup
    response = login(commenter_id).post(
        f"/proposals/{proposal_id}/comments", data={"text": LONG_TEXT, "stance": "maybe"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="stance-error"' in page
    assert LONG_TEXT.strip() in page
    assert comment_count(app) == 1


def test_resident_too_long_comment_is_refused_and_kept(login, setup, app):
    proposal_id, commenter_id, _ = setup
    text = "Uzun " * 1100
    response = login(commenter_id).post(
        f"/proposals/{proposal_id}/comments", data={"text": text, "stance": "against"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Use between 2 and 5000 characters." in page
    assert text.strip() in page
    assert comment_count(app) == 1


ODD_IDS = ["²", "①", "٣", "9" * 400, " "]


@pytest.mark.parametrize("parent", ["abc", "-1", "999999", "foreign", *ODD_IDS])
def test_resident_cannot_reply_to_a_missing_or_foreign_comment(login, setup, app, parent):
    proposal_id, commenter_id, _ = setup
    if parent == "foreign":
        with app.app_context():
            parent = str(make_comment(make_proposal()).id)
            db.session.commit()
    response = login(commenter_id).post(
        f"/proposals/{proposal_id}/comments",
        data={"text": "Yanıtım burada.", "stance": "for", "parent_id": parent},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The comment you answered no longer exists." in page
    assert "Yanıtım burada." in page  # the form comes back on top with the text
    assert 'name="parent_id" type="hidden" value=""' in page  # sending again posts a comment
    with app.app_context():
        query = select(func.count()).select_from(Comment)
        assert db.session.scalar(query.where(Comment.proposal_id == proposal_id)) == 1


def test_unverified_user_cannot_comment(login, setup, app):
    proposal_id, _, _ = setup
    with app.app_context():
        user_id = make_user(verified=False).id
        db.session.commit()
    client = login(user_id)
    page = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert 'id="comment-form"' not in page
    response = client.post(
        f"/proposals/{proposal_id}/comments", data={"text": "Merhaba", "stance": "for"}
    )
    assert response.status_code == 403
    assert comment_count(app) == 1


def test_visitor_cannot_comment_and_is_sent_to_login(client, setup, app):
    proposal_id, _, _ = setup
    response = client.post(
        f"/proposals/{proposal_id}/comments", data={"text": "Merhaba", "stance": "for"}
    )
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/auth/login"
    assert comment_count(app) == 1


@pytest.mark.parametrize("reply", ["999999", *ODD_IDS])
def test_anyone_asking_to_reply_to_a_missing_comment_gets_the_usual_form(
    client, login, setup, reply
):
    proposal_id, commenter_id, _ = setup
    for reader in (client, login(commenter_id)):
        response = reader.get(f"/proposals/{proposal_id}", query_string={"reply": reply})
        assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="comment-form"' in page
    assert 'name="parent_id" type="hidden" value=""' in page


def test_a_reply_id_in_other_digits_is_not_read_as_that_comment(login, setup):
    """int() reads "٣" as 3; the page must not (katilim.core.params: ASCII digits only)."""
    proposal_id, commenter_id, comment_id = setup
    arabic_indic = str(comment_id).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    page = login(commenter_id).get(
        f"/proposals/{proposal_id}", query_string={"reply": arabic_indic}
    )
    assert 'name="parent_id" type="hidden" value=""' in page.get_data(as_text=True)


def test_resident_asking_to_reply_gets_the_form_under_that_comment(login, setup):
    proposal_id, commenter_id, comment_id = setup
    page = login(commenter_id).get(f"/proposals/{proposal_id}?reply={comment_id}")
    page = page.get_data(as_text=True)
    comment_at, form_at = page.index(f'id="comment-{comment_id}"'), page.index('id="comment-form"')
    assert comment_at < form_at
    assert page.count('id="comment-form"') == 1
    assert f'value="{comment_id}"' in page[form_at:]
    assert "Send reply" in page
