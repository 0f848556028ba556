"""No proposal goes unread: who is told of what, the unstaffed mark, taking and handing over,
the merge's confirmation and its undo, the deadline warnings and the weekly reports."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from katilim.audit.models import AuditLog
from katilim.auth.models import SiteRole
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.moderation import services, staffing
from katilim.moderation.models import FlagReason
from katilim.moderation.reports import report_content
from katilim.notifications.models import Notification
from katilim.organization.models import Membership, MembershipRole
from katilim.proposals.models import EventKind, Proposal, ProposalStatus
from katilim.voting.models import Vote
from katilim.voting.services import cast_vote
from tests.factories import get_council, make_body, make_proposal, make_user
from tests.moderation.helpers import make_cast, proposal_in, queue_items

S = ProposalStatus


def told(kind: str) -> set[int]:
    return set(db.session.scalars(select(Notification.user_id).where(Notification.kind == kind)))


# --- who is told ------------------------------------------------------------------------------


def test_a_new_proposal_tells_its_bodys_moderators(cast):
    proposal = make_proposal(cast.author, body=cast.body)
    recipients = {
        n.user_id
        for n in db.session.scalars(
            select(Notification).where(
                Notification.proposal_id == proposal.id, Notification.kind == "for_review"
            )
        )
    }
    assert recipients == {cast.moderator.id}  # not the admins: the body is staffed


def test_a_proposal_of_a_body_nobody_moderates_goes_to_the_admins(cast):
    nobody = make_body()
    proposal = make_proposal(cast.author, body=nobody)
    assert told("for_review") == {cast.admin.id}
    assert proposal.body_id == nobody.id


def test_a_deactivated_moderator_does_not_count_as_staff(cast):
    cast.moderator.is_active_account = False
    db.session.flush()
    make_proposal(cast.author, body=cast.body)
    assert told("for_review") == {cast.admin.id}


def test_a_report_tells_the_reviewers(cast):
    proposal = proposal_in(cast)
    report_content(cast.resident, reason=FlagReason.SPAM, proposal=proposal)
    assert told("reported") == {cast.moderator.id}


def test_rerouting_tells_the_new_bodys_reviewers(cast):
    proposal = proposal_in(cast)
    services.reroute(cast.moderator, proposal, cast.other_body, "Onların konusu.")
    assert cast.other_moderator.id in told("for_review")


def test_the_threshold_in_an_unstaffed_body_tells_the_admins(cast):
    nobody = make_body(support_threshold=1)
    proposal = make_proposal(cast.author, body=nobody)
    cast_vote(cast.resident, proposal, 1)
    assert cast.admin.id in told("threshold")


def test_staff_email_says_why_and_links_to_the_review_page(app, outbox):
    with app.app_context():
        cast = make_cast()
        cast.moderator.email_frequency = "immediate"
        cast.moderator.locale = "en"
        proposal = proposal_in(cast)
        db.session.commit()
        proposal_id = proposal.id
    mails = [m for m in outbox if "review the proposals of this group" in m.get_content()]
    assert mails, [m.get_content() for m in outbox]
    assert f"/moderation/proposals/{proposal_id}" in mails[0].get_content()


# --- the queue: unstaffed mark, assigned filter -------------------------------------------------


def test_admins_see_the_unstaffed_mark_and_filter(app, login):
    with app.app_context():
        cast = make_cast()
        staffed = proposal_in(cast)
        unstaffed = make_proposal(cast.author, body=make_body())
        db.session.commit()
        ids = staffed.id, unstaffed.id, cast.admin.id, cast.moderator.id
    staffed_id, unstaffed_id, admin_id, moderator_id = ids
    items = dict(queue_items(login(admin_id).get("/moderation").get_data(as_text=True)))
    assert "unstaffed" in items[unstaffed_id] and "unstaffed" not in items[staffed_id]
    only = queue_items(login(admin_id).get("/moderation?mark=unstaffed").get_data(as_text=True))
    assert [pid for pid, _ in only] == [unstaffed_id]
    # A moderator's queue has no such mark: their bodies are staffed by them.
    html = login(moderator_id).get("/moderation").get_data(as_text=True)
    assert "mark-unstaffed" not in html


def test_take_hand_over_and_filter_by_assignee(app, login):
    with app.app_context():
        cast = make_cast()
        second = make_user("İkinci Moderatör")
        db.session.add(
            Membership(user_id=second.id, body_id=cast.body.id, role=MembershipRole.CHAIR)
        )
        first, other = proposal_in(cast, commit=False), proposal_in(cast, commit=False)
        db.session.commit()
        ids = first.id, other.id, cast.moderator.id, second.id
    first_id, other_id, moderator_id, second_id = ids
    client = login(moderator_id)
    response = client.post(
        f"/moderation/proposals/{first_id}/assign", data={"assignee": str(moderator_id)}
    )
    assert response.status_code == 302
    mine = queue_items(client.get("/moderation?assigned=me").get_data(as_text=True))
    assert [pid for pid, _ in mine] == [first_id]
    nobody = queue_items(client.get("/moderation?assigned=nobody").get_data(as_text=True))
    assert [pid for pid, _ in nobody] == [other_id]

    response = client.post(
        f"/moderation/proposals/{first_id}/assign", data={"assignee": str(second_id)}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Proposal, first_id).reviewer_id == second_id
        assert told("assigned") == {second_id}
        assert (
            db.session.scalar(select(AuditLog.action).order_by(AuditLog.id.desc()).limit(1))
            == "proposal.assign"
        )


def test_handing_over_to_someone_outside_the_body_is_refused(app, login):
    with app.app_context():
        cast = make_cast()
        proposal = proposal_in(cast)
        ids = proposal.id, cast.moderator.id, cast.other_moderator.id, cast.resident.id
    proposal_id, moderator_id, other_id, resident_id = ids
    for outsider in (other_id, resident_id, 0):
        response = login(moderator_id).post(
            f"/moderation/proposals/{proposal_id}/assign", data={"assignee": str(outsider)}
        )
        assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Proposal, proposal_id).reviewer_id is None


# --- merging: a confirmation, the target's reviewers, the undo ----------------------------------


def test_merge_first_shows_the_target_and_changes_nothing(app, login):
    with app.app_context():
        cast = make_cast()
        duplicate = proposal_in(cast, commit=False)
        target = proposal_in(
            cast, title="Asıl öneri: durağa rampa", body=cast.other_body, commit=False
        )
        db.session.commit()
        ids = duplicate.id, target.id, cast.moderator.id
    duplicate_id, target_id, moderator_id = ids
    response = login(moderator_id).post(
        f"/moderation/proposals/{duplicate_id}/merge",
        data={"target_id": str(target_id), "reason": "Aynı durak."},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Asıl öneri: durağa rampa" in html
    assert "This proposal belongs to another group" in html
    assert 'name="confirmed" type="hidden" value="yes"' in html
    assert "Aynı durak." in html
    with app.app_context():
        assert db.session.get(Proposal, duplicate_id).merged_into_id is None


def test_the_targets_reviewers_are_told_of_a_merge(cast):
    duplicate = proposal_in(cast)
    target = proposal_in(cast, body=cast.other_body)
    services.merge(cast.moderator, duplicate, target, "Aynısı.")
    assert told("merged_in") == {cast.other_moderator.id}


def votes_of(proposal_id: int) -> set[tuple]:
    return set(
        db.session.execute(
            select(Vote.id, Vote.user_id, Vote.value, Vote.created_at).where(
                Vote.proposal_id == proposal_id
            )
        ).all()
    )


def test_undoing_a_merge_puts_every_vote_back_exactly(cast):
    duplicate = proposal_in(cast)
    target = proposal_in(cast, body=cast.other_body)
    voters = [make_user(f"Seçmen {i}") for i in range(6)]
    for voter, value in zip(voters[:4], (1, -1, 1, 1), strict=True):
        cast_vote(voter, duplicate, value)
    # Two people voted on both: their votes on the duplicate are dropped by the merge.
    cast_vote(voters[2], target, -1)
    cast_vote(voters[3], target, 1)
    cast_vote(voters[4], target, 1)
    db.session.refresh(duplicate)
    db.session.refresh(target)
    before = votes_of(duplicate.id), votes_of(target.id)
    counts = (
        (duplicate.supports_count, duplicate.opposes_count),
        (
            target.supports_count,
            target.opposes_count,
        ),
    )
    answered = duplicate.first_answer_at

    services.merge(cast.moderator, duplicate, target, "Aynısı.")
    assert votes_of(duplicate.id) == set()
    # After the merge a moved voter changes their vote on the target; undo restores the past.
    cast_vote(voters[0], target, -1)
    services.unmerge(cast.admin, duplicate, "Yanlış birleştirme.")

    db.session.refresh(duplicate)
    db.session.refresh(target)
    assert (votes_of(duplicate.id), votes_of(target.id)) == before
    assert (duplicate.supports_count, duplicate.opposes_count) == counts[0]
    assert (target.supports_count, target.opposes_count) == counts[1]
    assert duplicate.status == S.NEW and duplicate.merged_into_id is None
    assert duplicate.decided_at is None and duplicate.first_answer_at == answered
    assert duplicate.events[-1].kind == EventKind.UNMERGED
    assert (
        db.session.scalar(select(AuditLog.action).order_by(AuditLog.id.desc()).limit(1))
        == "proposal.unmerge"
    )
    # Only once: a second undo has nothing to undo.
    with pytest.raises(services.InvalidTransition):
        services.unmerge(cast.admin, duplicate, "Tekrar.")


def test_only_admins_undo_a_merge(cast):
    duplicate, target = proposal_in(cast), proposal_in(cast)
    services.merge(cast.moderator, duplicate, target, "Aynısı.")
    with pytest.raises(services.PermissionDenied):
        services.unmerge(cast.moderator, duplicate, "Geri al.")


def test_the_undo_form_is_on_the_review_page_for_admins_only(app, login):
    with app.app_context():
        cast = make_cast()
        duplicate, target = proposal_in(cast, commit=False), proposal_in(cast, commit=False)
        services.merge(cast.moderator, duplicate, target, "Aynısı.")
        db.session.commit()
        ids = duplicate.id, cast.admin.id, cast.moderator.id
    duplicate_id, admin_id, moderator_id = ids
    assert "/unmerge" in login(admin_id).get(f"/moderation/proposals/{duplicate_id}").get_data(
        as_text=True
    )
    assert "/unmerge" not in login(moderator_id).get(
        f"/moderation/proposals/{duplicate_id}"
    ).get_data(as_text=True)
    response = login(admin_id).post(
        f"/moderation/proposals/{duplicate_id}/unmerge", data={"reason": ""}
    )
    assert response.status_code == 400


# --- deadlines and weekly reports ------------------------------------------------------------


def published_days_ago(proposal, days: float) -> None:
    proposal.published_at = utcnow() - timedelta(days=days)
    db.session.flush()


def test_reviewers_are_warned_once_before_the_deadline(cast):
    soon = proposal_in(cast)  # the cast's body answers within 10 days
    published_days_ago(soon, 8)
    not_yet = proposal_in(cast)
    published_days_ago(not_yet, 2)
    late = proposal_in(cast)
    published_days_ago(late, 12)
    council = get_council()
    assert staffing.send_deadline_warnings(council, utcnow()) == 1
    assert told("deadline_near") == {cast.moderator.id}
    assert staffing.send_deadline_warnings(council, utcnow()) == 0  # once


def test_weekly_reports_list_what_is_late(app, outbox):
    with app.app_context():
        cast = make_cast()
        late = proposal_in(cast, title="Geciken öneri", commit=False)
        published_days_ago(late, 15)
        on_time = proposal_in(cast, title="Zamanında öneri", commit=False)
        make_body()  # nobody staffs it
        cast.other_moderator.email_verified_at = None  # unconfirmed: never e-mailed
        cast.moderator.locale = cast.admin.locale = "en"
        db.session.commit()
        sent = staffing.send_weekly_reports(get_council(), utcnow())
        db.session.commit()
        moderator, admin = cast.moderator.email, cast.admin.email
        assert on_time.id
    by_recipient = {m["To"]: m.get_content() for m in outbox}
    assert sent == 2 and set(by_recipient) == {moderator, admin}
    assert "Geciken öneri" in by_recipient[moderator]
    assert "Zamanında öneri" not in by_recipient[moderator]
    assert "5 days late" in by_recipient[moderator]
    admin_mail = by_recipient[admin]
    assert "Groups without a moderator or without a chair:" in admin_mail
    assert "nobody reviews its 0 open proposals but the admins" in admin_mail


def test_the_admin_home_page_shows_who_reviews_what(app, login, count_queries):
    with app.app_context():
        cast = make_cast()
        nobody = make_body()
        nobody.names = {"tr": "Kimsesiz Grup", "en": "Unstaffed group"}
        late = proposal_in(cast, commit=False)
        published_days_ago(late, 20)
        db.session.commit()
        admin_id, slug = cast.admin.id, nobody.slug
    client = login(admin_id)
    html = client.get("/admin").get_data(as_text=True)
    assert "Unstaffed group" in html and "nobody reviews it" in html
    assert re.search(r"Waiting past the answer deadline:.*\(1\)", html, re.S)
    with count_queries() as few:
        client.get("/admin")
    with app.app_context():
        for _ in range(15):
            make_body()
        db.session.commit()
    with count_queries() as many:
        client.get("/admin")
    assert many.count == few.count
    assert slug


def test_queue_filters_run_a_fixed_number_of_queries(app, login, count_queries):
    with app.app_context():
        cast = make_cast()
        for _ in range(2):
            make_proposal(cast.author, body=make_body())
        db.session.commit()
        admin_id = cast.admin.id
    client = login(admin_id)
    path = "/moderation?assigned=nobody&mark=unstaffed"
    client.get(path)
    with count_queries() as few:
        client.get(path)
    with app.app_context():
        cast2 = make_cast()
        for _ in range(15):
            make_proposal(cast2.author, body=make_body())
        db.session.commit()
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert many.count == few.count


def test_site_role_admin_is_the_reviewer_of_the_general_queue(cast):
    from katilim.organization.services import reviewer_ids

    assert reviewer_ids(None) == {cast.admin.id}
    assert cast.admin.site_role == SiteRole.ADMIN
