"""The named conditions for which proposals a page shows, and the one visible-or-404 lookup."""

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from katilim.extensions import db
from katilim.organization.queries import bodies_by_slug, get_body, get_body_or_404
from katilim.organization.services import current_council
from katilim.proposals.models import Proposal, ProposalStatus
from katilim.proposals.queries import get_visible_proposal_or_404, visible_proposal
from katilim.proposals.visibility import is_listed, is_public, is_received
from katilim.voting.services import parse_vote
from tests.factories import get_body as body_named
from tests.factories import make_proposal, make_user

S = ProposalStatus


@pytest.fixture
def proposals(council, ctx):
    author = make_user()
    made = {
        "new": make_proposal(author),
        "accepted": make_proposal(author, status=S.ACCEPTED),
        "withdrawn": make_proposal(author, status=S.WITHDRAWN),
        "hidden": make_proposal(author),
        "draft": make_proposal(author, status=S.DRAFT),
    }
    made["hidden"].is_hidden = True
    db.session.flush()
    return made


def names(proposals: dict, condition) -> set[str]:
    ids = set(db.session.scalars(select(Proposal.id).where(condition)))
    return {name for name, p in proposals.items() if p.id in ids}


def test_public_is_every_proposal_but_drafts(proposals):
    assert names(proposals, is_public(current_council().id)) == {
        "new",
        "accepted",
        "withdrawn",
        "hidden",
    }


def test_listed_leaves_out_hidden_withdrawn_and_drafts(proposals):
    assert names(proposals, is_listed(current_council().id)) == {"new", "accepted"}


def test_listed_by_status_shows_withdrawn_ones_but_never_drafts(proposals):
    council_id = current_council().id
    assert names(proposals, is_listed(council_id, S.WITHDRAWN)) == {"withdrawn"}
    assert names(proposals, is_listed(council_id, S.DRAFT)) == set()


def test_received_counts_hidden_and_withdrawn_ones(proposals):
    assert names(proposals, is_received(current_council().id)) == {
        "new",
        "accepted",
        "withdrawn",
        "hidden",
    }


def test_no_condition_reaches_another_council(proposals):
    for condition in (is_public(-1), is_listed(-1), is_received(-1)):
        assert names(proposals, condition) == set()


def test_a_draft_is_visible_to_its_author_only(proposals, app):
    draft = proposals["draft"]
    council = current_council()
    with app.test_request_context():
        assert visible_proposal(council, draft.id, draft.author) is draft
        assert visible_proposal(council, draft.id, make_user()) is None
        assert visible_proposal(council, draft.id, None) is None
        with pytest.raises(NotFound):
            get_visible_proposal_or_404(council, draft.id, None)
        with pytest.raises(NotFound):
            get_visible_proposal_or_404(council, 10**9, draft.author)
        hidden = proposals["hidden"]
        assert get_visible_proposal_or_404(council, hidden.id, None) is hidden


def test_a_body_is_found_by_slug_in_its_council_only(council, ctx, app):
    body = body_named("ulasim")
    assert get_body(current_council(), "ulasim") is body
    assert get_body(current_council(), "no-such-body") is None
    body.is_active = False
    db.session.flush()
    assert get_body(current_council(), "ulasim") is None
    assert get_body(current_council(), "ulasim", active_only=False) is body
    with app.test_request_context(), pytest.raises(NotFound):
        get_body_or_404(current_council(), "ulasim")
    assert bodies_by_slug(current_council().id, ["ulasim", "nope"]) == {"ulasim": body}
    assert bodies_by_slug(-1, ["ulasim"]) == {}


@pytest.mark.parametrize(
    ("raw", "value"),
    [("1", 1), ("-1", -1), ("0", 0), ("2", None), ("-2", None), ("", None), (None, None)],
)
def test_vote_values_are_read_against_the_one_list(raw, value):
    assert parse_vote(raw) == value
