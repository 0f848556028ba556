"""Comments and threaded replies (katilim.comments.services)."""

import pytest

from katilim.comments.models import MAX_DEPTH, Stance
from katilim.comments.services import add_comment, comment_threads
from katilim.core.errors import InvalidTransition, PermissionDenied
from katilim.extensions import db
from katilim.proposals.models import ProposalStatus
from tests.factories import make_comment, make_proposal, make_user


def comments_count(proposal) -> int:
    db.session.refresh(proposal)
    return proposal.comments_count


def test_resident_can_comment_and_the_count_goes_up(ctx):
    proposal = make_proposal()
    comment = make_comment(proposal, text="  Çok iyi bir fikir.  ", stance=Stance.QUESTION)
    assert (comment.depth, comment.parent_id, comment.root_id) == (0, None, None)
    assert comment.text == "Çok iyi bir fikir."
    assert comment.stance == Stance.QUESTION
    make_comment(proposal)
    assert comments_count(proposal) == 2


def test_resident_can_reply_to_a_comment(ctx):
    proposal = make_proposal()
    root = make_comment(proposal)
    reply = make_comment(proposal, parent=root)
    reply_to_reply = make_comment(proposal, parent=reply)
    assert (reply.parent_id, reply.root_id, reply.depth) == (root.id, root.id, 1)
    assert (reply_to_reply.parent_id, reply_to_reply.root_id, reply_to_reply.depth) == (
        reply.id,
        root.id,
        2,
    )
    assert comments_count(proposal) == 3


def test_reply_deeper_than_the_limit_joins_the_deepest_level(ctx):
    assert MAX_DEPTH == 3
    proposal = make_proposal()
    root = make_comment(proposal)
    level1 = make_comment(proposal, parent=root)
    level2 = make_comment(proposal, parent=level1)
    level3 = make_comment(proposal, parent=level2)
    level4 = make_comment(proposal, parent=level3)
    for deep in (level3, level4):
        assert (deep.depth, deep.parent_id, deep.root_id) == (2, level1.id, root.id)


def test_resident_cannot_reply_to_a_comment_of_another_proposal(ctx):
    proposal, other = make_proposal(), make_proposal()
    foreign = make_comment(other)
    with pytest.raises(InvalidTransition):
        make_comment(proposal, parent=foreign)
    assert comments_count(proposal) == 0


def test_resident_cannot_reply_to_a_hidden_comment(ctx):
    proposal = make_proposal()
    hidden = make_comment(proposal)
    hidden.is_hidden = True
    with pytest.raises(InvalidTransition):
        make_comment(proposal, parent=hidden)


def test_comment_markdown_is_sanitized(ctx):
    comment = make_comment(
        make_proposal(),
        text="**Evet** <script>alert(1)</script> <img src=x onerror=alert(1)> [a](javascript:x)",
    )
    assert "<strong>Evet</strong>" in comment.text_html
    assert "<script" not in comment.text_html and "<img" not in comment.text_html
    assert "href" not in comment.text_html


def test_unverified_user_cannot_comment(ctx):
    proposal = make_proposal()
    with pytest.raises(PermissionDenied):
        make_comment(proposal, make_user(verified=False))
    assert comments_count(proposal) == 0


def test_nobody_can_comment_on_a_draft(ctx):
    draft = make_proposal(status=ProposalStatus.DRAFT)
    with pytest.raises(PermissionDenied):
        add_comment(draft.author, draft, text="Kendi taslağıma not", stance=Stance.FOR)


def test_threads_come_back_with_every_reply_under_its_parent(ctx):
    proposal = make_proposal()
    first, second = make_comment(proposal), make_comment(proposal)
    reply = make_comment(proposal, parent=first)
    deeper = make_comment(proposal, parent=reply)
    roots, replies, _more = comment_threads(proposal, page=1, per_page=50)
    assert [c.id for c in roots.items] == [first.id, second.id]
    assert [c.id for c in replies[first.id]] == [reply.id]
    assert [c.id for c in replies[reply.id]] == [deeper.id]
    assert second.id not in replies
