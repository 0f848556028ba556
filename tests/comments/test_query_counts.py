"""The comment pages added for editing run a fixed number of queries, whatever the history."""

from datetime import timedelta

from katilim.comments.models import Comment, CommentRevision, Stance
from katilim.core.models import utcnow
from katilim.extensions import db
from tests.factories import get_body, make_comment, make_proposal, make_user


def _comment_with_versions(app, versions: int) -> tuple[int, int, int]:
    with app.app_context():
        body = get_body("ulasim")
        author = make_user("Yorumcu")
        comment = make_comment(
            make_proposal(body=body), author, text="Son hâli.", stance=Stance.FOR
        )
        for n in range(versions):
            db.session.add(
                CommentRevision(
                    comment_id=comment.id,
                    body=f"Sürüm {n}",
                    stance=Stance.FOR,
                    edited_at=utcnow() - timedelta(minutes=versions - n),
                )
            )
        comment.edited_at = utcnow()
        moderator = make_user("Moderatör", moderates=body)
        db.session.commit()
        return comment.id, author.id, moderator.id


def test_the_versions_page_runs_the_same_queries_for_2_and_20_versions(
    app, council, login, count_queries
):
    counts = []
    for versions in (2, 20):
        comment_id, _, moderator_id = _comment_with_versions(app, versions)
        client = login(moderator_id)
        client.get(f"/comments/{comment_id}/history")  # warm: the council and templates
        with count_queries() as counter:
            response = client.get(f"/comments/{comment_id}/history")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("Sürüm ") == versions
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_the_edit_form_runs_a_few_queries(app, council, login, count_queries):
    comment_id, author_id, _ = _comment_with_versions(app, 0)
    with app.app_context():
        db.session.get(Comment, comment_id).edited_at = None
        db.session.commit()
    client = login(author_id)
    client.get(f"/comments/{comment_id}/edit")
    with count_queries() as counter:
        response = client.get(f"/comments/{comment_id}/edit")
    assert response.status_code == 200
    assert counter.count <= 10, counter.statements
