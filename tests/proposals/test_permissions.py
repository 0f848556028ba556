"""Who may do what with a proposal: a matrix of actors × statuses per action
(docs/rules.md#who-may-do-what).

Each matrix test checks every cell of one action; pytest's diff names the cells that differ.
"""

import pytest
from flask_login import AnonymousUserMixin

from katilim.auth.models import SiteRole
from katilim.proposals import permissions
from katilim.proposals.models import ProposalStatus
from tests.factories import make_body, make_proposal, make_user

S = ProposalStatus
STATUSES = (S.DRAFT, S.NEW, S.UNDER_REVIEW, S.ACCEPTED, S.REJECTED, S.WITHDRAWN)
ACTORS = (
    "visitor",
    "unverified",
    "resident",
    "author",
    "moderator",
    "other_moderator",
    "admin",
)
VERIFIED = {"resident", "author", "moderator", "other_moderator", "admin"}
VOTING_OPEN = {S.NEW, S.UNDER_REVIEW, S.ACCEPTED}  # until a decision (or withdrawal)


def expected(action: str, actor: str, status: ProposalStatus) -> bool:
    if action == "can_view":
        # Drafts are private to their author (and admins); everything published is public.
        return status != S.DRAFT or actor in {"author", "admin"}
    if action == "can_edit":
        # Only the author, and only before review starts.
        return actor == "author" and status in {S.DRAFT, S.NEW}
    if action == "can_withdraw":
        # The author, from any published state before a decision. Not a draft: withdrawn
        # proposals are public, so withdrawing a draft would publish it.
        return actor == "author" and status in {S.NEW, S.UNDER_REVIEW}
    if action == "can_vote":
        # Verified e-mail; open from `new` until a decision.
        return actor in VERIFIED and status in VOTING_OPEN
    if action == "can_comment":
        # Verified e-mail; on every published proposal: comments stay open
        # (docs/rules.md#who-may-do-what).
        return actor in VERIFIED and status != S.DRAFT
    raise AssertionError(action)


@pytest.fixture
def world(ctx):
    """One proposal per status by the same author, routed to `body`, and every kind of actor."""
    body, other_body = make_body(), make_body()
    author = make_user("Yazar")
    proposals = {status: make_proposal(author, body=body, status=status) for status in STATUSES}
    actors = {
        "visitor": AnonymousUserMixin(),
        "unverified": make_user(verified=False),
        "resident": make_user(),
        "author": author,
        "moderator": make_user(moderates=body),
        "other_moderator": make_user(moderates=other_body),
        "admin": make_user(role=SiteRole.ADMIN),
    }
    return actors, proposals


@pytest.mark.parametrize(
    "action", ["can_view", "can_edit", "can_withdraw", "can_vote", "can_comment"]
)
def test_permission_matrix(world, action):
    """Every actor × status cell of one action; a failure lists the cells that differ."""
    actors, proposals = world
    check = getattr(permissions, action)
    actual, wanted = {}, {}
    for actor in ACTORS:
        for status in STATUSES:
            cell = f"{actor} on {status.value}"
            actual[cell] = check(actors[actor], proposals[status])
            wanted[cell] = expected(action, actor, status)
    assert actual == wanted


def test_nobody_can_vote_on_a_hidden_proposal(ctx):
    proposal = make_proposal()
    proposal.is_hidden = True
    assert not permissions.can_vote(make_user(), proposal)


def test_nobody_can_comment_on_a_hidden_proposal(ctx):
    proposal = make_proposal()
    proposal.is_hidden = True
    assert not permissions.can_comment(make_user(), proposal)


def test_author_cannot_edit_a_hidden_proposal(ctx):
    proposal = make_proposal()
    proposal.is_hidden = True
    assert not permissions.can_edit(proposal.author, proposal)


def test_moderator_of_the_body_can_see_hidden_content(ctx):
    body = make_body()
    proposal = make_proposal(body=body)
    assert permissions.can_see_hidden_content(make_user(moderates=body), proposal)
    assert not permissions.can_see_hidden_content(make_user(moderates=make_body()), proposal)
    assert not permissions.can_see_hidden_content(AnonymousUserMixin(), proposal)


def test_unverified_user_cannot_submit(ctx):
    assert not permissions.can_submit(make_user(verified=False))
    assert not permissions.can_submit(AnonymousUserMixin())
    assert permissions.can_submit(make_user())
