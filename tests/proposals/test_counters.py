"""flask --app katilim check-counters [--fix]: every proposal's counters against its rows."""

from sqlalchemy import select, update

from katilim.audit.models import AuditLog
from katilim.comments.models import Stance
from katilim.comments.services import add_comment
from katilim.extensions import db
from katilim.organization.models import Council
from katilim.organization.services import load_council
from katilim.proposals.counters import find_drift, fix_drift
from katilim.proposals.models import Proposal
from katilim.voting.services import cast_vote
from tests.conftest import OTHER_COUNCIL_FILE
from tests.factories import acting_as, make_proposal, make_user
from tests.test_migrations import cli


def build(app) -> dict:
    """Three proposals with votes and comments, counters kept by the services."""
    with app.app_context():
        voters = [make_user(f"Seçmen {n}") for n in range(4)]
        quiet, busy, third = make_proposal(), make_proposal(), make_proposal()
        for voter, value in zip(voters, (1, 1, 1, -1), strict=True):
            cast_vote(voter, busy, value)
        cast_vote(voters[0], third, -1)
        root = add_comment(voters[0], busy, text="Katılıyorum.", stance=Stance.FOR)
        add_comment(voters[1], busy, text="Neden?", stance=Stance.QUESTION, parent=root)
        db.session.commit()
        return {"quiet": quiet.id, "busy": busy.id, "third": third.id}


def set_counters(app, proposal_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(update(Proposal).where(Proposal.id == proposal_id).values(**values))
        db.session.commit()


def counters(app, proposal_id: int) -> tuple[int, int, int]:
    with app.app_context():
        p = db.session.get(Proposal, proposal_id)
        return p.supports_count, p.opposes_count, p.comments_count


def test_counters_kept_by_the_services_match(app):
    ids = build(app)
    assert counters(app, ids["busy"]) == (3, 1, 2)
    result = cli(app, "check-counters")
    assert result.exit_code == 0, result.output
    assert "Every proposal's counters match its votes and comments." in result.output


def test_differences_are_printed_and_the_exit_status_says_so(app):
    ids = build(app)
    set_counters(app, ids["busy"], supports_count=4, comments_count=1)
    set_counters(app, ids["quiet"], opposes_count=2)
    result = cli(app, "check-counters")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:3] == [
        f"Proposal {ids['quiet']}: opposes_count 2 but 0 votes against.",
        f"Proposal {ids['busy']}: supports_count 4 but 3 votes for; "
        "comments_count 1 but 2 comments.",
        "2 proposal(s) with counters that differ from their rows.",
    ]
    assert counters(app, ids["busy"]) == (4, 1, 1)  # only --fix changes anything
    with app.app_context():
        assert db.session.scalars(select(AuditLog)).all() == []


def test_fix_sets_the_counters_to_the_rows_and_logs_each_fix(app):
    ids = build(app)
    set_counters(app, ids["busy"], supports_count=4, comments_count=1)
    set_counters(app, ids["third"], opposes_count=0)
    result = cli(app, "check-counters", "--fix")
    assert result.exit_code == 1  # something had drifted: worth a look even when repaired
    assert "Fixed the counters of 2 proposal(s)" in result.output
    assert counters(app, ids["busy"]) == (3, 1, 2)
    assert counters(app, ids["third"]) == (0, 1, 0)
    assert counters(app, ids["quiet"]) == (0, 0, 0)
    with app.app_context():
        entries = db.session.scalars(select(AuditLog).order_by(AuditLog.target_id)).all()
        assert [(e.action, e.target_type, e.target_id, e.actor_id) for e in entries] == [
            ("counters.fix", "proposal", ids["busy"], None),
            ("counters.fix", "proposal", ids["third"], None),
        ]
        assert entries[0].details == {
            "changes": {"supports_count": [4, 3], "comments_count": [1, 2]},
            "via": "cli",
        }
    again = cli(app, "check-counters")
    assert again.exit_code == 0, again.output


def test_the_check_is_one_query_whatever_the_number_of_proposals(app, count_queries):
    build(app)
    with app.app_context():
        for _ in range(5):
            make_proposal()
        db.session.commit()
        with count_queries() as counter:
            assert find_drift() == []
    assert counter.count == 1


def test_a_proposal_recounted_meanwhile_is_not_logged(app):
    ids = build(app)
    set_counters(app, ids["busy"], supports_count=9)
    with app.app_context():
        drifts = find_drift()
        db.session.execute(  # another fix got there first
            update(Proposal).where(Proposal.id == ids["busy"]).values(supports_count=3)
        )
        assert fix_drift(drifts) == 0
        db.session.commit()
        assert db.session.scalars(select(AuditLog)).all() == []


def test_each_fix_is_logged_for_the_council_of_the_proposal_fixed(app, council):
    """One installation, two councils: the installation's command writes each entry to the
    council whose proposal it fixed, where that council's admins read it."""
    ids = build(app)  # the installation's council (Kocaeli)
    with app.app_context():
        load_council(OTHER_COUNCIL_FILE)
        db.session.commit()
    with acting_as(app, "ornekkent"), app.app_context():
        other = make_proposal()
        cast_vote(make_user("Seçmen B"), other, 1)
        db.session.commit()
        other_id = other.id
    set_counters(app, ids["busy"], supports_count=4)
    set_counters(app, other_id, supports_count=0)
    result = cli(app, "check-counters", "--fix")
    assert "Fixed the counters of 2 proposal(s)" in result.output
    assert counters(app, other_id) == (1, 0, 0)
    with app.app_context():
        slugs = dict(db.session.execute(select(Council.id, Council.slug)).all())
        logged = {
            e.target_id: slugs[e.council_id]
            for e in db.session.scalars(select(AuditLog).where(AuditLog.action == "counters.fix"))
        }
    assert logged == {ids["busy"]: "kocaeli", other_id: "ornekkent"}
