"""Changing one's own comment: who may, until when, what is kept, who sees it."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from katilim.auth.models import SiteRole
from katilim.comments.models import Comment, CommentRevision, Stance
from katilim.extensions import db
from tests.factories import get_body, make_body, make_comment, make_proposal, make_user

EDITED = {"text": "Düzeltilmiş yorum metni.", "stance": "against"}


@pytest.fixture
def world(app, council):
    """A proposal of one body, a comment on it, and each kind of person."""
    with app.app_context():
        body = get_body("ulasim")
        proposal = make_proposal(body=body)
        author = make_user("Yorumcu")
        comment = make_comment(proposal, author, text="İlk yazdığım yorum.", stance=Stance.FOR)
        ids = {
            "proposal": proposal.id,
            "comment": comment.id,
            "author": author.id,
            "other": make_user("Başka Biri").id,
            "moderator": make_user("Moderatör", moderates=body).id,
            "other_moderator": make_user("Öteki Moderatör", moderates=make_body()).id,
            "admin": make_user("Yönetici", role=SiteRole.ADMIN).id,
        }
        db.session.commit()
        return ids


def comment_row(app, comment_id: int) -> Comment:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        db.session.expunge(comment)
        return comment


def revisions(app, comment_id: int) -> list[tuple[str, str | None]]:
    with app.app_context():
        return [
            (r.body, r.stance.value if r.stance else None)
            for r in db.session.scalars(
                select(CommentRevision).where(CommentRevision.comment_id == comment_id)
            )
        ]


def age_comment(app, comment_id: int, minutes: int) -> None:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        comment.created_at = comment.created_at - timedelta(minutes=minutes)
        db.session.commit()


def reply_to(app, comment_id: int) -> None:
    with app.app_context():
        from katilim.proposals.models import Proposal

        parent = db.session.get(Comment, comment_id)
        make_comment(db.session.get(Proposal, parent.proposal_id), parent=parent)
        db.session.commit()


def edit_url(world) -> str:
    return f"/comments/{world['comment']}/edit"


# --- the permission matrix -------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "situation", "allowed"),
    [
        ("author", "fresh", True),
        ("author", "after the window", False),
        ("author", "after a reply", False),
        ("other", "fresh", False),
        ("moderator", "fresh", False),
        ("admin", "fresh", False),
        ("anonymous", "fresh", False),
    ],
)
def test_who_may_change_a_comment(app, client, login, world, who, situation, allowed):
    if situation == "after the window":
        age_comment(app, world["comment"], 16)
    elif situation == "after a reply":
        reply_to(app, world["comment"])
    browser = client if who == "anonymous" else login(world[who])
    page = browser.get(f"/proposals/{world['proposal']}").get_data(as_text=True)
    assert (edit_url(world) in page) == allowed
    form = browser.get(edit_url(world))
    response = browser.post(edit_url(world), data=EDITED)
    if allowed:
        assert form.status_code == 200
        assert "İlk yazdığım yorum." in form.get_data(as_text=True)
        assert response.status_code == 302
        assert response.headers["Location"].endswith(
            f"/proposals/{world['proposal']}#comment-{world['comment']}"
        )
        assert comment_row(app, world["comment"]).text == EDITED["text"]
    else:
        expected = 302 if who == "anonymous" else 403  # to the sign-in page
        assert form.status_code == expected and response.status_code == expected
        assert comment_row(app, world["comment"]).text == "İlk yazdığım yorum."


def test_the_window_is_a_setting(app, login, world, monkeypatch):
    monkeypatch.setitem(app.config, "COMMENT_EDIT_MINUTES", 60)
    age_comment(app, world["comment"], 30)
    assert login(world["author"]).post(edit_url(world), data=EDITED).status_code == 302


def test_a_hidden_comment_cannot_be_changed(app, login, world):
    with app.app_context():
        db.session.get(Comment, world["comment"]).is_hidden = True
        db.session.commit()
    assert login(world["author"]).post(edit_url(world), data=EDITED).status_code == 403


def test_a_comment_on_a_draft_or_unknown_is_not_found(app, login, world):
    assert login(world["author"]).get("/comments/999999/edit").status_code == 404


# --- what an edit does ------------------------------------------------------------------


def test_an_edit_keeps_the_earlier_version_and_marks_the_comment(app, client, login, world):
    author = login(world["author"])
    author.post(edit_url(world), data=EDITED)
    author.post(edit_url(world), data={"text": "Üçüncü hali.", "stance": ""})
    comment = comment_row(app, world["comment"])
    assert comment.text == "Üçüncü hali." and comment.stance is None
    assert comment.edited_at is not None
    assert revisions(app, world["comment"]) == [
        ("İlk yazdığım yorum.", "for"),
        (EDITED["text"], "against"),
    ]
    page = client.get(f"/proposals/{world['proposal']}").get_data(as_text=True)
    assert 'class="muted comment-edited">edited <time datetime="' in page
    assert "İlk yazdığım yorum." not in page  # the earlier text is not public


def test_an_unchanged_save_keeps_no_version(app, login, world):
    login(world["author"]).post(
        edit_url(world), data={"text": "İlk yazdığım yorum.", "stance": "for"}
    )
    assert revisions(app, world["comment"]) == []
    assert comment_row(app, world["comment"]).edited_at is None


def test_an_empty_edit_is_refused_with_the_text_kept(app, login, world):
    response = login(world["author"]).post(edit_url(world), data={"text": "  ", "stance": "x"})
    assert response.status_code == 400
    assert comment_row(app, world["comment"]).text == "İlk yazdığım yorum."


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("moderator", True),
        ("admin", True),
        ("other_moderator", False),
        ("author", False),
        ("other", False),
        ("anonymous", False),
    ],
)
def test_who_reads_the_earlier_versions(app, client, login, world, who, allowed):
    login(world["author"]).post(edit_url(world), data=EDITED)
    browser = client if who == "anonymous" else login(world[who])
    response = browser.get(f"/comments/{world['comment']}/history")
    page = browser.get(f"/proposals/{world['proposal']}").get_data(as_text=True)
    assert (f"/comments/{world['comment']}/history" in page) == allowed
    if allowed:
        text = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "İlk yazdığım yorum." in text and EDITED["text"] in text
    else:
        assert response.status_code == (302 if who == "anonymous" else 403)


def test_comment_edits_are_rate_limited(app, login, world, rate_limits, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMITS", {**rate_limits, "comment_edit": "2 per hour"})
    author = login(world["author"])
    for n in range(2):
        author.post(edit_url(world), data={"text": f"Sürüm {n}.", "stance": ""})
    assert author.post(edit_url(world), data=EDITED).status_code == 429
    assert comment_row(app, world["comment"]).text == "Sürüm 1."


def test_a_plain_comment_needs_no_stance(app, login, world):
    client = login(world["other"])
    page = client.get(f"/proposals/{world['proposal']}").get_data(as_text=True)
    # "No position" is chosen unless the person picks one.
    assert 'checked id="stance-0" name="stance" type="radio" value=""' in page
    response = client.post(
        f"/proposals/{world['proposal']}/comments", data={"text": "Sadece bir not."}
    )
    assert response.status_code == 302
    with app.app_context():
        plain = db.session.scalar(select(Comment).where(Comment.author_id == world["other"]))
        assert plain.stance is None
    page = client.get(f"/proposals/{world['proposal']}").get_data(as_text=True)
    head = page.split(f'id="comment-{plain.id}-by"')[1].split("</p>")[0]
    assert "stance" not in head
