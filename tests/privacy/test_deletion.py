"""Deleting an account: the public record stays without the person; counters stay exact."""

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from katilim.audit.models import AuditLog, AuditLogIsAppendOnly
from katilim.audit.services import record
from katilim.auth.models import SiteRole, User
from katilim.comments.models import Comment, CommentRevision, Stance
from katilim.comments.services import edit_comment
from katilim.extensions import db
from katilim.mail.models import OutboxMessage
from katilim.moderation.models import Flag, FlagReason
from katilim.notifications.models import Follow, Notification
from katilim.notifications.services import follow_proposal, notify_users, set_email_frequency
from katilim.organization.models import Membership
from katilim.privacy import deletion
from katilim.privacy.models import Consent, ConsentPurpose
from katilim.proposals.models import Proposal, ProposalStatus
from katilim.voting.models import Vote
from katilim.voting.services import cast_vote
from tests.factories import PASSWORD, make_body, make_comment, make_proposal, make_user

LEAVER_EMAIL = "leaver@example.org"


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def build_world():
    """A person who wrote, voted, followed, reported and got e-mails; others who voted too."""
    body = make_body()
    leaver = make_user("Leyla Gider", email=LEAVER_EMAIL, moderates=body)
    other = make_user("Kalan Kişi")
    third = make_user("Üçüncü")
    own = make_proposal(leaver, body=body)
    draft = make_proposal(leaver, body=body, status=ProposalStatus.DRAFT)
    open_for = make_proposal(other, body=body)
    open_against = make_proposal(other, body=body)
    closed = make_proposal(other, body=body)
    cast_vote(leaver, open_for, 1)
    cast_vote(third, open_for, 1)
    cast_vote(leaver, open_against, -1)
    cast_vote(third, open_against, -1)
    cast_vote(leaver, closed, 1)
    cast_vote(third, closed, 1)
    closed.status = ProposalStatus.CLOSED
    comment = make_comment(open_for, leaver, text="Benim ilk yorumum")
    edit_comment(leaver, comment, text="Benim yorumum", stance=Stance.FOR)
    others = make_comment(open_for, other, text="Önce böyle yazdım")
    edit_comment(other, others, text="Sonra düzelttim", stance=None)
    follow_proposal(leaver, open_for)
    notify_users([leaver.id], open_for, "answered")
    set_email_frequency(leaver, "daily")
    db.session.add(OutboxMessage(recipient=LEAVER_EMAIL, subject="Merhaba", body_text="x"))
    db.session.add(OutboxMessage(recipient=other.email, subject="Öteki", body_text="y"))
    db.session.add(Flag(proposal_id=open_for.id, reporter_id=leaver.id, reason=FlagReason.SPAM))
    record(leaver, "proposal.answer", open_for, note="cevap")
    db.session.flush()
    return SimpleNamespace(
        leaver=leaver,
        leaver_id=leaver.id,
        other=other,
        own_id=own.id,
        draft_id=draft.id,
        open_for_id=open_for.id,
        open_against_id=open_against.id,
        closed_id=closed.id,
        comment_id=comment.id,
        others_comment_id=others.id,
    )


def counters(proposal_id: int) -> tuple[int, int]:
    proposal = db.session.get(Proposal, proposal_id)
    db.session.refresh(proposal)
    return proposal.supports_count, proposal.opposes_count


def test_deleting_keeps_the_public_record_without_the_person(ctx):
    w = build_world()
    summary = deletion.delete_account(w.leaver)
    uid = w.leaver_id

    assert db.session.get(User, uid) is None
    # votes on open proposals are gone, counters lowered exactly; closed ones kept, unlinked
    assert counters(w.open_for_id) == (1, 0)
    assert counters(w.open_against_id) == (0, 1)
    assert counters(w.closed_id) == (2, 0)
    assert count(Vote, Vote.proposal_id == w.closed_id) == 2
    assert count(Vote, Vote.proposal_id == w.closed_id, Vote.user_id.is_(None)) == 1
    assert count(Vote, Vote.proposal_id == w.open_for_id) == 1
    assert count(Vote, Vote.user_id == uid) == 0
    # proposals and comments stay, without the author; the draft is gone
    assert db.session.get(Proposal, w.own_id).author_id is None
    assert db.session.get(Proposal, w.draft_id) is None
    assert db.session.get(Comment, w.comment_id).author_id is None
    assert db.session.get(Comment, w.comment_id).text == "Benim yorumum"
    # the earlier versions of the person's comments go; another person's stay
    assert count(CommentRevision, CommentRevision.comment_id == w.comment_id) == 0
    assert count(CommentRevision, CommentRevision.comment_id == w.others_comment_id) == 1
    # everything personal is deleted
    for model in (Follow, Notification, Membership):
        assert count(model, model.user_id == uid) == 0
    assert count(OutboxMessage, OutboxMessage.recipient == LEAVER_EMAIL) == 0
    assert count(OutboxMessage) == 1  # the other person's e-mail stays
    # the report stays without its filer; consents stay unlinked and withdrawn
    assert db.session.scalar(select(Flag.reporter_id)) is None
    consent = db.session.scalar(select(Consent))
    assert consent.user_id is None and consent.withdrawn_at is not None
    assert consent.purpose == ConsentPurpose.EMAIL_UPDATES
    # the audit log keeps the action without the actor, and logs the deletion without data
    answered = db.session.scalar(select(AuditLog).where(AuditLog.action == "proposal.answer"))
    assert answered.actor_id is None and answered.details == {"note": "cevap"}
    logged = db.session.scalar(select(AuditLog).where(AuditLog.action == "account.delete"))
    assert (logged.actor_id, logged.target_id, logged.ip_address) == (None, uid, None)
    assert logged.details == {
        "by": "self",
        "votes_removed": 2,
        "votes_kept": 1,
        "drafts_deleted": 1,
        "photos_deleted": 0,
        "proposals_kept": 1,
        "comments_kept": 1,
        "comment_revisions_deleted": 1,
    }
    assert summary.votes_removed == 2
    assert "Leyla" not in str(logged.details) and LEAVER_EMAIL not in str(logged.details)


def test_other_people_are_untouched(ctx):
    w = build_world()
    other_id = w.other.id
    follows_before = count(Follow, Follow.user_id == other_id)
    assert follows_before == 3  # authors follow their own proposals
    deletion.delete_account(w.leaver)
    assert db.session.get(User, other_id) is not None
    assert count(Follow, Follow.user_id == other_id) == follows_before
    assert db.session.get(Proposal, w.open_for_id).author_id == other_id


def test_the_only_admin_cannot_delete_the_account(ctx):
    admin = make_user(role=SiteRole.ADMIN)
    with pytest.raises(deletion.LastAdmin):
        deletion.delete_account(admin)
    second = make_user(role=SiteRole.ADMIN)
    deletion.delete_account(second)
    assert db.session.get(User, admin.id) is not None


def test_every_reference_to_users_is_handled(app):
    """A new foreign key to users must be nullable, cascade, or be handled in deletion.py."""
    for table in db.metadata.sorted_tables:
        if table.name in deletion.HANDLED_TABLES:
            continue
        for fk in table.foreign_keys:
            if fk.column.table.name == "users":
                cascades = (fk.ondelete or "").upper() == "CASCADE"
                assert fk.parent.nullable or cascades, f"{table.name}.{fk.parent.name}"


def test_audit_log_refuses_bulk_changes_except_detaching_a_deleted_actor(ctx):
    user = make_user()
    record(user, "body.update", user)
    db.session.flush()
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(update(AuditLog).values(action="changed"))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.execute(AuditLog.__table__.delete())


# --- through the page ------------------------------------------------------------------------


@pytest.fixture
def world_ids(app):
    with app.app_context():
        w = build_world()
        db.session.commit()
        return SimpleNamespace(**{k: v for k, v in vars(w).items() if k.endswith("_id")})


def snapshot(app, w) -> tuple:
    with app.app_context():
        return (
            db.session.get(User, w.leaver_id) is not None,
            counters(w.open_for_id),
            count(Vote),
            count(Follow),
            count(OutboxMessage),
            db.session.get(Proposal, w.own_id).author_id,
        )


def test_page_asks_for_password_and_confirmation(login, world_ids):
    page = login(world_ids.leaver_id).get("/me/delete").get_data(as_text=True)
    assert 'type="password"' in page and 'name="confirm"' in page
    assert "/me/data" in page


def test_wrong_password_changes_nothing(login, app, world_ids):
    before = snapshot(app, world_ids)
    client = login(world_ids.leaver_id)
    response = client.post("/me/delete", data={"password": "wrong password", "confirm": "y"})
    assert response.status_code == 400
    assert "This is not your password." in response.get_data(as_text=True)
    assert snapshot(app, world_ids) == before
    unconfirmed = client.post("/me/delete", data={"password": PASSWORD})
    assert unconfirmed.status_code == 400
    assert "Tick this box to confirm." in unconfirmed.get_data(as_text=True)
    assert snapshot(app, world_ids) == before


def test_right_password_deletes_and_signs_out(login, app, world_ids):
    client = login(world_ids.leaver_id)
    response = client.post("/me/delete", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, world_ids.leaver_id) is None
        assert counters(world_ids.open_for_id) == (1, 0)
        assert counters(world_ids.closed_id) == (2, 0)
    assert client.get("/me").status_code == 302  # signed out
    page = client.get(f"/proposals/{world_ids.own_id}").get_data(as_text=True)
    assert "Leyla" not in page and "A resident" in page


def test_merging_moves_votes_of_deleted_accounts_and_still_counts_each_person_once(ctx):
    """Votes without a voter (the account was deleted) must not stop the others moving:
    a NULL in the NOT IN subquery would make it false for every row."""
    from katilim.moderation.services import merge
    from tests.moderation.helpers import make_cast, proposal_in

    cast = make_cast()
    duplicate, target = proposal_in(cast), proposal_in(cast)
    voter, both = make_user(), make_user()
    cast_vote(voter, duplicate, 1)
    cast_vote(both, duplicate, 1)
    cast_vote(both, target, 1)
    # A vote each from people who since deleted their accounts (kept while voting was closed).
    db.session.add_all(
        [
            Vote(proposal_id=duplicate.id, user_id=None, value=1),
            Vote(proposal_id=target.id, user_id=None, value=-1),
        ]
    )
    db.session.flush()
    merge(cast.moderator, duplicate, target, "Aynı öneri.")
    db.session.refresh(target)
    assert count(Vote, Vote.proposal_id == target.id) == 4
    assert (target.supports_count, target.opposes_count) == (3, 1)
    assert count(Vote, Vote.proposal_id == duplicate.id) == 0


def test_rows_owned_through_a_cascading_key_are_deleted_even_if_not_listed(ctx, monkeypatch):
    """A later feature's table that cascades from users (as follows and memberships do) is
    emptied of the person's rows without a line in deletion.py."""
    w = build_world()
    monkeypatch.setattr(
        deletion, "HANDLED_TABLES", deletion.HANDLED_TABLES - {"follows", "memberships"}
    )
    deletion.delete_account(w.leaver)
    assert count(Follow, Follow.user_id == w.leaver_id) == 0
    assert count(Membership, Membership.user_id == w.leaver_id) == 0
