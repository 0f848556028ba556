"""The top of a proposal page: the latest public answer, the status tracker, the support
progress and vote buttons that say which vote is the person's."""

import re

from katilim.extensions import db
from katilim.moderation import services as moderation
from katilim.proposals.models import Proposal, ProposalStatus
from katilim.proposals.tracker import status_steps
from tests.factories import make_body, make_proposal, make_user


def _setup(app, threshold: int = 50):
    with app.app_context():
        body = make_body(support_threshold=threshold)
        moderator = make_user("Moderatör Mine", moderates=body)
        proposal = make_proposal(body=body)
        db.session.commit()
        return proposal.id, moderator.id


def _track(html: str) -> list[tuple[str, bool]]:
    """(state class, aria-current) of each step, in order."""
    return [
        (m.group(1), bool(m.group(2)))
        for m in re.finditer(r'class="track-step track-(\w+)"\s*(aria-current="step")?', html)
    ]


def test_a_new_proposal_shows_published_as_current_and_the_rest_to_come(app, client):
    proposal_id, _ = _setup(app)
    html = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert _track(html) == [
        ("current", True),
        ("todo", False),
        ("todo", False),
        ("todo", False),
        ("todo", False),
    ]
    assert "The latest answer" not in html  # nothing answered yet
    assert '<ol class="track">' in html


def test_the_answer_and_the_steps_follow_the_moderators_decisions(app, client):
    proposal_id, moderator_id = _setup(app)
    with app.app_context():
        proposal, moderator = db.session.get(Proposal, proposal_id), _user(moderator_id)
        moderation.change_status(moderator, proposal, "claim")
        moderation.answer(moderator, proposal, "Teşekkürler, ekip yerinde baktı.")
        moderation.change_status(
            moderator, proposal, "accept", text="Kabul edildi: rampa yapılacak."
        )
        body_name = proposal.body.names["en"]  # the test client reads in English
        db.session.commit()
    html = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    answer = html[html.index('class="answer-first"') : html.index('class="status-track"')]
    assert "Kabul edildi: rampa yapılacak." in answer  # the latest public text, not the first
    assert f"A moderator answered for {body_name}" in answer
    assert "Moderatör Mine" not in answer  # the role is public, the moderator's name is not
    assert _track(html) == [
        ("done", False),
        ("done", False),
        ("current", True),
        ("todo", False),
        ("todo", False),
    ]
    # Dates of the steps reached, none for those to come; readable without colour
    assert html.count('class="track-date"') == 3
    assert html.count(">now<") == 1 and html.count(">done<") == 2


def test_a_rejected_proposal_stops_at_rejected(app):
    proposal_id, moderator_id = _setup(app)
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        moderation.change_status(_user(moderator_id), proposal, "claim")
        moderation.change_status(_user(moderator_id), proposal, "reject", text="Yetki dışında.")
        steps = status_steps(proposal)
        assert [(s.status, s.state) for s in steps] == [
            (ProposalStatus.NEW, "done"),
            (ProposalStatus.UNDER_REVIEW, "done"),
            (ProposalStatus.REJECTED, "current"),
        ]
        assert all(s.when is not None for s in steps)


def test_drafts_have_no_tracker(app):
    with app.app_context():
        proposal = make_proposal(status=ProposalStatus.DRAFT)
        assert status_steps(proposal) == []


def test_support_progress_says_how_many_of_the_threshold(app, client, login):
    proposal_id, _ = _setup(app, threshold=3)
    with app.app_context():
        voter = make_user("Destekçi").id
        db.session.commit()
    html = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert "0 of 3 supports" in html
    assert '<progress max="3" value="0" aria-labelledby="support-progress-text">' in html
    signed_in = login(voter)
    signed_in.post(f"/proposals/{proposal_id}/vote", data={"value": "1"})
    html = signed_in.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert "1 of 3 supports" in html
    assert "You support this proposal." in html
    assert re.search(r'vote-support" aria-pressed="true"', html)
    assert re.search(r'vote-against" aria-pressed="false"', html)
    signed_in.post(f"/proposals/{proposal_id}/vote", data={"value": "-1"})
    html = signed_in.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert "You are against this proposal." in html
    assert re.search(r'vote-against" aria-pressed="true"', html)
    signed_in.post(f"/proposals/{proposal_id}/vote", data={"value": "0"})
    html = signed_in.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert "You have not voted on this proposal." in html
    assert "Take back my vote" not in html  # nothing to take back
    assert 'aria-pressed="true"' not in html


def _user(user_id):
    from katilim.auth.models import User

    return db.session.get(User, user_id)


def test_a_step_gone_past_without_taking_it_is_left_out(app):
    proposal_id, moderator_id = _setup(app)
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        moderation.change_status(_user(moderator_id), proposal, "accept")
        moderation.change_status(_user(moderator_id), proposal, "implement")
        assert [(s.status, s.state) for s in status_steps(proposal)] == [
            (ProposalStatus.NEW, "done"),
            (ProposalStatus.ACCEPTED, "done"),
            (ProposalStatus.IMPLEMENTED, "current"),
        ]
