"""The moderators' verbs (katilim.moderation.services): lifecycle, answers, routing, merging,
hiding, the support threshold, reports and answer templates."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from katilim.audit.models import AuditLog
from katilim.core.errors import InvalidTransition, PermissionDenied
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.moderation import answer_templates, reports, services
from katilim.moderation.models import AnswerTemplate, Flag, FlagReason, FlagResolution
from katilim.moderation.services import TRANSITIONS, ReasonRequired
from katilim.notifications.models import Notification
from katilim.notifications.services import follow_body, follow_proposal
from katilim.proposals.models import (
    EventKind,
    Proposal,
    ProposalEvent,
    ProposalStatus,
    RoutingMethod,
)
from katilim.voting.models import Vote
from katilim.voting.services import cast_vote
from tests.factories import make_body, make_comment, make_user
from tests.moderation.helpers import Since, general_proposal, proposal_in, suggested

S = ProposalStatus
ALLOWED = [(a, s) for a, t in TRANSITIONS.items() for s in sorted(t.sources)]
REFUSED = [(a, s) for a, t in TRANSITIONS.items() for s in S if s not in t.sources]
FORWARDED_ON = date(2025, 3, 3)


def status_args(action: str) -> dict:
    """A public text for every step, and the date for forward."""
    args = {"text": f"Kamuya açık metin: {action}."}
    if action == "forward":
        args["forwarded_on"] = FORWARDED_ON
    return args


def assert_told_author_and_followers(cast, since: Since, kind: str) -> None:
    """The author and followers (of the proposal and its body) are told, the actor is not."""
    assert since.recipients(kind) == {cast.author.id, cast.follower.id, cast.body_follower.id}
    assert cast.moderator.id not in since.recipients()


# --- status changes -------------------------------------------------------------------


def test_transition_table_matches_the_lifecycle_of_the_design():
    """The lifecycle (docs/rules.md#lifecycle) as the code reads it: accept straight from new,
    close from accepted."""
    assert {a: (set(t.sources), t.target, t.needs_reason) for a, t in TRANSITIONS.items()} == {
        "claim": ({S.NEW}, S.UNDER_REVIEW, False),
        "accept": ({S.NEW, S.UNDER_REVIEW}, S.ACCEPTED, False),
        "reject": ({S.NEW, S.UNDER_REVIEW, S.ACCEPTED}, S.REJECTED, True),
        "forward": ({S.ACCEPTED}, S.FORWARDED, False),
        "implement": ({S.ACCEPTED, S.FORWARDED}, S.IMPLEMENTED, False),
        "close": ({S.ACCEPTED, S.FORWARDED}, S.CLOSED, True),
    }


@pytest.mark.parametrize(("action", "source"), ALLOWED)
def test_moderator_moves_a_proposal_along_an_allowed_step(cast, action, source):
    proposal = proposal_in(cast, source)
    since = Since()
    args = status_args(action)

    event = services.change_status(cast.moderator, proposal, action, **args)
    db.session.commit()

    target = TRANSITIONS[action].target
    db.session.refresh(proposal)
    assert proposal.status == target
    assert (proposal.reviewer_id == cast.moderator.id) == (action == "claim")
    assert (proposal.decided_at is not None) == (target in (S.ACCEPTED, S.REJECTED))
    assert proposal.forwarded_on == (FORWARDED_ON if action == "forward" else None)
    assert proposal.first_answer_at is not None  # the public text is an answer

    [written] = since.rows(ProposalEvent)
    assert written.id == event.id
    assert (written.kind, written.from_value, written.to_value) == (
        EventKind.STATUS_CHANGED,
        source.value,
        target.value,
    )
    assert written.text == args["text"]
    assert written.actor_id == cast.moderator.id

    [entry] = since.rows(AuditLog)
    assert (entry.actor_id, entry.action, entry.target_type, entry.target_id) == (
        cast.moderator.id,
        f"proposal.{action}",
        "proposal",
        proposal.id,
    )
    assert entry.details["status"] == target.value
    assert entry.details["previous"] == source.value
    assert entry.details["text"] == args["text"]
    if action == "forward":
        assert entry.details["forwarded_on"] == "2025-03-03"

    assert_told_author_and_followers(cast, since, "status_changed")
    assert {n.event_id for n in since.rows(Notification)} == {event.id}


@pytest.mark.parametrize(("action", "source"), REFUSED)
def test_moderator_cannot_take_a_step_from_another_status(cast, action, source):
    proposal = proposal_in(cast, source)
    since = Since()
    with pytest.raises(InvalidTransition):
        services.change_status(cast.moderator, proposal, action, **status_args(action))
    db.session.rollback()
    db.session.refresh(proposal)
    assert proposal.status == source
    assert since.rows(ProposalEvent) == since.rows(AuditLog) == since.rows(Notification) == []


def test_moderator_cannot_take_an_unknown_step(cast):
    proposal = proposal_in(cast)
    with pytest.raises(InvalidTransition):
        services.change_status(cast.moderator, proposal, "delete", text="x")


@pytest.mark.parametrize(
    ("action", "source"), [("reject", S.NEW), ("reject", S.ACCEPTED), ("close", S.FORWARDED)]
)
@pytest.mark.parametrize("text", ["", "   \n "])
def test_moderator_must_give_a_reason_to_reject_or_close(cast, action, source, text):
    proposal = proposal_in(cast, source)
    since = Since()
    with pytest.raises(ReasonRequired):
        services.change_status(cast.moderator, proposal, action, text=text)
    db.session.rollback()
    db.session.refresh(proposal)
    assert proposal.status == source
    assert since.rows(ProposalEvent) == since.rows(AuditLog) == []


def test_moderator_must_give_the_date_to_forward(cast):
    proposal = proposal_in(cast, S.ACCEPTED)
    with pytest.raises(ReasonRequired):
        services.change_status(cast.moderator, proposal, "forward", text="İletildi.")
    db.session.rollback()
    db.session.refresh(proposal)
    assert (proposal.status, proposal.forwarded_on) == (S.ACCEPTED, None)


def test_steps_without_text_need_no_reason_and_write_no_event_text(cast):
    proposal = proposal_in(cast)
    event = services.change_status(cast.moderator, proposal, "claim")
    assert event.text is None
    assert proposal.first_answer_at is None  # no public text, no answer yet


def test_first_public_text_starts_the_answer_clock_and_later_ones_do_not_move_it(cast):
    proposal = proposal_in(cast)
    services.change_status(cast.moderator, proposal, "claim")
    assert proposal.first_answer_at is None
    services.change_status(cast.moderator, proposal, "accept", text="Kabul ettik.")
    first = proposal.first_answer_at
    assert first is not None
    services.answer(cast.moderator, proposal, "Bir ek açıklama.")
    services.change_status(
        cast.moderator, proposal, "forward", text="İlettik.", forwarded_on=FORWARDED_ON
    )
    db.session.commit()
    db.session.refresh(proposal)
    assert proposal.first_answer_at == first


@pytest.mark.parametrize("who", ["other_moderator", "resident", "author", "unverified"])
def test_only_the_bodys_moderators_change_the_status(cast, who):
    proposal = proposal_in(cast)
    with pytest.raises(PermissionDenied):
        services.change_status(getattr(cast, who), proposal, "accept", text="x")
    assert proposal.status == S.NEW


def test_admin_changes_the_status_of_any_body_and_of_the_general_queue(cast):
    services.change_status(cast.admin, proposal_in(cast), "accept", text="Kabul.")
    general = general_proposal(cast.author)
    services.change_status(cast.admin, general, "claim")
    assert general.status == S.UNDER_REVIEW
    with pytest.raises(PermissionDenied):
        services.change_status(cast.moderator, general_proposal(cast.author), "claim")


def test_a_stale_proposal_gives_invalid_transition_and_no_event(cast):
    """The conditional UPDATE: the status read earlier no longer holds."""
    proposal = proposal_in(cast)
    db.session.execute(  # another moderator's decision, unseen by this session's object
        update(Proposal).where(Proposal.id == proposal.id).values(status=S.REJECTED),
        execution_options={"synchronize_session": False},
    )
    since = Since()
    with pytest.raises(InvalidTransition):
        services.change_status(cast.moderator, proposal, "accept", text="Kabul.")
    assert since.rows(ProposalEvent) == since.rows(AuditLog) == []


# --- answer and agenda ------------------------------------------------------------------


def test_moderator_answers_in_public(cast):
    proposal = proposal_in(cast, S.UNDER_REVIEW)
    since = Since()
    event = services.answer(cast.moderator, proposal, "  Teşekkürler, inceliyoruz.  ")
    assert (event.kind, event.text) == (EventKind.ANSWERED, "Teşekkürler, inceliyoruz.")
    assert proposal.status == S.UNDER_REVIEW
    assert proposal.first_answer_at is not None
    [entry] = since.rows(AuditLog)
    assert (entry.action, entry.actor_id) == ("proposal.answer", cast.moderator.id)
    assert entry.details == {"text": "Teşekkürler, inceliyoruz."}
    assert_told_author_and_followers(cast, since, "answered")


def test_moderator_cannot_publish_an_empty_answer(cast):
    with pytest.raises(ReasonRequired):
        services.answer(cast.moderator, proposal_in(cast), "  ")


@pytest.mark.parametrize("status", [S.DRAFT, S.WITHDRAWN])
def test_moderator_cannot_answer_a_draft_or_withdrawn_proposal(cast, status):
    with pytest.raises(InvalidTransition):
        services.answer(cast.moderator, proposal_in(cast, status), "Cevap.")


def test_other_moderator_cannot_answer(cast):
    with pytest.raises(PermissionDenied):
        services.answer(cast.other_moderator, proposal_in(cast), "Cevap.")


def forwarded(cast, status=S.FORWARDED, on=FORWARDED_ON):
    proposal = proposal_in(cast, status)
    proposal.forwarded_on = on
    db.session.flush()
    return proposal


@pytest.mark.parametrize("status", [S.FORWARDED, S.IMPLEMENTED, S.CLOSED])
def test_moderator_records_the_municipal_council_agenda_of_a_forwarded_proposal(cast, status):
    proposal = forwarded(cast, status)
    since = Since()
    event = services.record_agenda(
        cast.moderator, proposal, agenda_on=date(2025, 4, 7), decision_reference=" 2025/112 "
    )
    assert (proposal.agenda_on, proposal.decision_reference) == (date(2025, 4, 7), "2025/112")
    assert (event.kind, event.to_value, event.text) == (
        EventKind.ON_AGENDA,
        "2025-04-07",
        "2025/112",
    )
    [entry] = since.rows(AuditLog)
    assert entry.action == "proposal.agenda"
    assert entry.details == {"agenda_on": "2025-04-07", "decision_reference": "2025/112"}
    assert_told_author_and_followers(cast, since, "on_agenda")


def test_agenda_on_the_forwarding_day_is_allowed_and_the_reference_is_optional(cast):
    proposal = forwarded(cast)
    event = services.record_agenda(cast.moderator, proposal, agenda_on=FORWARDED_ON)
    assert proposal.decision_reference is None and event.text is None


def test_agenda_cannot_be_before_the_forwarding_day(cast):
    proposal = forwarded(cast)
    with pytest.raises(ReasonRequired):
        services.record_agenda(cast.moderator, proposal, agenda_on=FORWARDED_ON - timedelta(days=1))
    assert proposal.agenda_on is None


@pytest.mark.parametrize("status", [S.NEW, S.UNDER_REVIEW, S.ACCEPTED, S.REJECTED, S.WITHDRAWN])
def test_agenda_only_for_forwarded_proposals(cast, status):
    with pytest.raises(InvalidTransition):
        services.record_agenda(cast.moderator, proposal_in(cast, status), agenda_on=date.today())


def test_agenda_needs_the_forwarding_date(cast):
    """Implemented straight from accepted: never forwarded, so never on the agenda."""
    with pytest.raises(InvalidTransition):
        services.record_agenda(
            cast.moderator, forwarded(cast, S.IMPLEMENTED, None), agenda_on=date.today()
        )


# --- routing ------------------------------------------------------------------------------


def test_moderator_confirms_a_suggested_routing_once(cast):
    proposal = suggested(proposal_in(cast))
    since = Since()
    event = services.confirm_routing(cast.moderator, proposal)
    assert proposal.routing_confirmed_at is not None
    assert not proposal.awaits_routing_confirmation
    assert (event.kind, event.to_value, event.actor_id) == (
        EventKind.ROUTING_CONFIRMED,
        cast.body.slug,
        cast.moderator.id,
    )
    [entry] = since.rows(AuditLog)
    assert (entry.action, entry.details) == ("proposal.confirm_routing", {"body": cast.body.slug})
    with pytest.raises(InvalidTransition):
        services.confirm_routing(cast.moderator, proposal)


def test_nothing_to_confirm_when_the_author_chose_the_body(cast):
    with pytest.raises(InvalidTransition):
        services.confirm_routing(cast.moderator, proposal_in(cast))


def test_other_moderator_cannot_confirm_the_routing(cast):
    with pytest.raises(PermissionDenied):
        services.confirm_routing(cast.other_moderator, suggested(proposal_in(cast)))


@pytest.mark.parametrize("source", [S.NEW, S.UNDER_REVIEW])
def test_moderator_reroutes_before_a_decision(cast, source):
    proposal = suggested(proposal_in(cast, source))
    proposal.reviewer_id = cast.moderator.id
    since = Since()
    event = services.reroute(cast.moderator, proposal, cast.spare_body, "  Ulaşım grubunun işi.  ")
    assert proposal.body_id == cast.spare_body.id
    assert proposal.status == S.NEW  # the new body's moderators review it from the start
    assert proposal.reviewer_id is None
    assert proposal.routing_method == RoutingMethod.MODERATOR
    assert not proposal.awaits_routing_confirmation
    assert (event.kind, event.from_value, event.to_value, event.text) == (
        EventKind.REROUTED,
        cast.body.slug,
        cast.spare_body.slug,
        "Ulaşım grubunun işi.",
    )
    [entry] = since.rows(AuditLog)
    assert entry.action == "proposal.reroute"
    assert entry.details == {
        "from_body": cast.body.slug,
        "to_body": cast.spare_body.slug,
        "reason": "Ulaşım grubunun işi.",
    }
    # Followers of the body it left (cast.body_follower) are told where it went, too.
    assert since.recipients("rerouted") == {cast.author.id, cast.follower.id, cast.body_follower.id}


def test_followers_of_the_new_body_are_told_of_a_reroute(cast):
    proposal = proposal_in(cast)
    watcher = make_user("Yeni grup takipçisi")
    follow_body(watcher, cast.spare_body)
    since = Since()
    services.reroute(cast.moderator, proposal, cast.spare_body, "Ulaşım grubunun işi.")
    assert watcher.id in since.recipients("rerouted")
    assert cast.moderator.id not in since.recipients()


@pytest.mark.parametrize("source", [s for s in S if s not in (S.NEW, S.UNDER_REVIEW)])
def test_moderator_cannot_reroute_after_a_decision(cast, source):
    proposal = proposal_in(cast, source)
    with pytest.raises(InvalidTransition):
        services.reroute(cast.moderator, proposal, cast.spare_body, "Neden")
    assert proposal.body_id == cast.body.id


def test_moderator_cannot_reroute_to_the_same_or_an_inactive_body_or_without_reason(cast):
    proposal = proposal_in(cast)
    inactive = make_body(is_active=False)
    with pytest.raises(InvalidTransition):
        services.reroute(cast.moderator, proposal, cast.body, "Neden")
    with pytest.raises(InvalidTransition):
        services.reroute(cast.moderator, proposal, inactive, "Neden")
    with pytest.raises(ReasonRequired):
        services.reroute(cast.moderator, proposal, cast.spare_body, "  ")
    assert proposal.body_id == cast.body.id
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_other_moderator_cannot_reroute(cast):
    with pytest.raises(PermissionDenied):
        services.reroute(cast.other_moderator, proposal_in(cast), cast.other_body, "Bizim.")


def test_admin_routes_a_proposal_of_the_general_queue(cast):
    proposal = general_proposal(cast.author)
    event = services.reroute(cast.admin, proposal, cast.body, "Bu grubun konusu.")
    assert proposal.body_id == cast.body.id
    assert (event.kind, event.from_value, event.to_value) == (
        EventKind.ROUTED,
        None,
        cast.body.slug,
    )


def test_rerouting_measures_the_threshold_against_the_new_body(cast):
    proposal = proposal_in(cast)
    for _ in range(3):
        cast_vote(make_user(), proposal, 1)
    assert proposal.threshold_reached_at is not None  # 3 of 3
    services.reroute(cast.moderator, proposal, make_body(support_threshold=10), "Taşındı.")
    assert proposal.threshold_reached_at is None
    low = make_body(support_threshold=2)
    services.reroute(cast.admin, proposal, low, "Yine taşındı.")
    assert proposal.threshold_reached_at is not None
    kinds = [e.kind for e in proposal.events]
    assert kinds.count(EventKind.THRESHOLD_REACHED) == 2


# --- merging duplicates ------------------------------------------------------------------------


def votes_of(proposal) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Vote.user_id, Vote.value).where(Vote.proposal_id == proposal.id)
        ).all()
    )


def test_moderator_merges_a_duplicate_and_its_votes_move_once_per_person(cast):
    duplicate = proposal_in(cast)
    target = proposal_in(cast, title="Asıl öneri: durağa rampa")
    only_dup_for, only_dup_against, both, only_target = (make_user() for _ in range(4))
    cast_vote(only_dup_for, duplicate, 1)
    cast_vote(only_dup_against, duplicate, -1)
    cast_vote(both, duplicate, 1)
    cast_vote(both, target, -1)  # the target's vote stands: nobody counts twice
    cast_vote(only_target, target, 1)
    follow_proposal(only_dup_for, target)  # following the target does not matter
    since = Since()

    event = services.merge(cast.moderator, duplicate, target, "Aynı öneri, #2 ile birleşti.")
    db.session.commit()
    db.session.refresh(duplicate)
    db.session.refresh(target)

    assert votes_of(target) == {
        only_dup_for.id: 1,
        only_dup_against.id: -1,
        both.id: -1,
        only_target.id: 1,
    }
    assert votes_of(duplicate) == {}
    assert (target.supports_count, target.opposes_count) == (2, 2)
    assert (duplicate.supports_count, duplicate.opposes_count) == (0, 0)
    assert duplicate.status == S.CLOSED
    assert duplicate.merged_into_id == target.id
    assert duplicate.decided_at is not None
    assert duplicate.first_answer_at is not None
    assert target.status == S.NEW
    assert (event.kind, event.from_value, event.to_value, event.text) == (
        EventKind.MERGED,
        "new",
        str(target.id),
        "Aynı öneri, #2 ile birleşti.",
    )
    [entry] = since.rows(AuditLog)
    assert entry.action == "proposal.merge"
    assert entry.details == {"into": target.id, "votes_moved": 2, "reason": event.text}
    # Supporters are told their vote moved; the author and followers get the event.
    assert since.recipients("merged_vote") == {only_dup_for.id, both.id}
    assert_told_author_and_followers(cast, since, "merged")


def test_merging_may_bring_the_target_to_its_threshold(cast):
    duplicate, target = proposal_in(cast), proposal_in(cast)
    for proposal in (duplicate, duplicate, target):
        cast_vote(make_user(), proposal, 1)
    services.merge(cast.moderator, duplicate, target, "Aynısı.")
    assert target.supports_count == 3
    assert target.threshold_reached_at is not None


def test_moderator_cannot_merge_a_proposal_into_itself(cast):
    proposal = proposal_in(cast)
    with pytest.raises(InvalidTransition):
        services.merge(cast.moderator, proposal, proposal, "Aynısı.")


@pytest.mark.parametrize(
    "target_status", [S.CLOSED, S.REJECTED, S.WITHDRAWN, S.DRAFT, S.IMPLEMENTED]
)
def test_moderator_cannot_merge_into_a_finished_proposal(cast, target_status):
    duplicate = proposal_in(cast)
    cast_vote(cast.resident, duplicate, 1)
    with pytest.raises(InvalidTransition):
        services.merge(cast.moderator, duplicate, proposal_in(cast, target_status), "Aynısı.")
    assert duplicate.status == S.NEW
    assert votes_of(duplicate) == {cast.resident.id: 1}


def test_moderator_cannot_merge_into_a_hidden_proposal(cast):
    target = proposal_in(cast)
    services.hide_proposal(cast.moderator, target, "Hakaret içeriyor.")
    with pytest.raises(InvalidTransition):
        services.merge(cast.moderator, proposal_in(cast), target, "Aynısı.")


@pytest.mark.parametrize("source", [s for s in S if s not in (S.NEW, S.UNDER_REVIEW)])
def test_moderator_cannot_merge_after_a_decision(cast, source):
    with pytest.raises(InvalidTransition):
        services.merge(cast.moderator, proposal_in(cast, source), proposal_in(cast), "Aynısı.")


def test_other_moderator_cannot_merge(cast):
    with pytest.raises(PermissionDenied):
        services.merge(cast.other_moderator, proposal_in(cast), proposal_in(cast), "Aynısı.")


# --- hiding ------------------------------------------------------------------------------------


def test_moderator_hides_a_proposal_with_a_public_reason(cast):
    proposal = proposal_in(cast)
    since = Since()
    event = services.hide_proposal(cast.moderator, proposal, " Kişisel veri içeriyor. ")
    assert proposal.is_hidden and proposal.hidden_reason == "Kişisel veri içeriyor."
    assert (event.kind, event.text) == (EventKind.HIDDEN, "Kişisel veri içeriyor.")
    [entry] = since.rows(AuditLog)
    assert (entry.action, entry.details) == (
        "proposal.hide",
        {"reason": "Kişisel veri içeriyor."},
    )
    assert_told_author_and_followers(cast, since, "hidden")
    with pytest.raises(InvalidTransition):
        services.hide_proposal(cast.moderator, proposal, "Yine.")


def test_hiding_needs_a_reason(cast):
    proposal = proposal_in(cast)
    comment = make_comment(proposal)
    with pytest.raises(ReasonRequired):
        services.hide_proposal(cast.moderator, proposal, " ")
    with pytest.raises(ReasonRequired):
        services.hide_comment(cast.moderator, comment, "")
    assert not proposal.is_hidden and not comment.is_hidden


def test_moderator_hides_a_comment_with_a_public_reason(cast):
    proposal = proposal_in(cast)
    comment = make_comment(proposal)
    since = Since()
    services.hide_comment(cast.moderator, comment, "Hakaret.")
    assert comment.is_hidden and comment.hidden_reason == "Hakaret."
    assert not proposal.is_hidden
    [entry] = since.rows(AuditLog)
    assert (entry.action, entry.target_type, entry.target_id) == (
        "comment.hide",
        "comment",
        comment.id,
    )
    assert entry.details == {"proposal": proposal.id, "reason": "Hakaret."}
    with pytest.raises(InvalidTransition):
        services.hide_comment(cast.moderator, comment, "Yine.")


def test_other_moderator_cannot_hide(cast):
    proposal = proposal_in(cast)
    comment = make_comment(proposal)
    with pytest.raises(PermissionDenied):
        services.hide_proposal(cast.other_moderator, proposal, "Neden")
    with pytest.raises(PermissionDenied):
        services.hide_comment(cast.other_moderator, comment, "Neden")


# --- the support threshold ---------------------------------------------------------------------


def test_reaching_the_threshold_marks_the_proposal_once_and_tells_the_moderators(cast):
    proposal = proposal_in(cast)  # the body's threshold is 3
    voters = [make_user() for _ in range(5)]
    cast_vote(voters[0], proposal, 1)
    cast_vote(voters[1], proposal, 1)
    cast_vote(voters[2], proposal, -1)
    assert proposal.threshold_reached_at is None
    since = Since()
    cast_vote(voters[3], proposal, 1)

    assert proposal.threshold_reached_at is not None
    [event] = since.rows(ProposalEvent)
    assert (event.kind, event.to_value, event.actor_id) == (
        EventKind.THRESHOLD_REACHED,
        "3",
        None,
    )
    told = since.recipients("threshold")
    assert cast.moderator.id in told
    assert cast.other_moderator.id not in told
    assert {cast.author.id, cast.follower.id} <= told

    marked_at = proposal.threshold_reached_at
    later = Since()
    cast_vote(voters[4], proposal, 1)
    cast_vote(voters[0], proposal, 0)
    cast_vote(voters[0], proposal, 1)
    db.session.commit()
    db.session.refresh(proposal)
    assert proposal.supports_count == 4
    assert proposal.threshold_reached_at == marked_at
    assert later.rows(ProposalEvent) == [] and later.rows(Notification) == []


def test_threshold_is_not_marked_after_a_decision_or_without_a_body(cast):
    accepted = proposal_in(cast, S.ACCEPTED)
    general = general_proposal(cast.author)
    for _ in range(3):
        voter = make_user()
        cast_vote(voter, accepted, 1)
        cast_vote(voter, general, 1)
    assert accepted.threshold_reached_at is None
    assert general.threshold_reached_at is None


# --- reports -------------------------------------------------------------------------------------


def test_verified_resident_reports_a_proposal_or_a_comment(cast):
    proposal = proposal_in(cast)
    comment = make_comment(proposal)
    on_proposal = reports.report_content(
        cast.resident, reason=FlagReason.SPAM, note="  Reklam.  ", proposal=proposal
    )
    on_comment = reports.report_content(
        cast.author, reason=FlagReason.PERSONALITY_RIGHTS, comment=comment
    )
    assert (on_proposal.proposal_id, on_proposal.comment_id) == (proposal.id, None)
    assert (on_proposal.reporter_id, on_proposal.note) == (cast.resident.id, "Reklam.")
    assert on_proposal.created_at is not None and on_proposal.resolved_at is None
    assert (on_comment.proposal_id, on_comment.comment_id) == (None, comment.id)


def test_unverified_user_cannot_report(cast):
    with pytest.raises(PermissionDenied):
        reports.report_content(cast.unverified, reason=FlagReason.SPAM, proposal=proposal_in(cast))
    assert db.session.scalar(select(func.count()).select_from(Flag)) == 0


def test_a_report_has_exactly_one_target(cast):
    proposal = proposal_in(cast)
    comment = make_comment(proposal)
    with pytest.raises(ValueError):
        reports.report_content(cast.resident, reason=FlagReason.SPAM)
    with pytest.raises(ValueError):
        reports.report_content(
            cast.resident, reason=FlagReason.SPAM, proposal=proposal, comment=comment
        )


def reported(cast, on_comment: bool = False):
    proposal = proposal_in(cast)
    comment = make_comment(proposal)
    flag = reports.report_content(
        cast.resident,
        reason=FlagReason.INSULT,
        **({"comment": comment} if on_comment else {"proposal": proposal}),
    )
    return proposal, comment, flag


def test_moderator_hides_a_reported_proposal_with_the_note_as_reason(cast):
    proposal, _, flag = reported(cast)
    since = Since()
    reports.resolve_flag(cast.moderator, flag, FlagResolution.HIDDEN, " Hakaret var. ")
    assert proposal.is_hidden and proposal.hidden_reason == "Hakaret var."
    assert (flag.resolution, flag.resolution_note) == (FlagResolution.HIDDEN, "Hakaret var.")
    assert flag.resolved_at is not None and flag.resolved_by_id == cast.moderator.id
    assert [e.kind for e in since.rows(ProposalEvent)] == [EventKind.HIDDEN]
    assert [a.action for a in since.rows(AuditLog)] == ["proposal.hide", "flag.resolve"]
    assert since.rows(AuditLog)[1].details == {"resolution": "hidden", "note": "Hakaret var."}


def test_moderator_hides_a_reported_comment(cast):
    proposal, comment, flag = reported(cast, on_comment=True)
    reports.resolve_flag(cast.moderator, flag, FlagResolution.HIDDEN, "Hakaret.")
    assert comment.is_hidden and comment.hidden_reason == "Hakaret."
    assert not proposal.is_hidden


@pytest.mark.parametrize("on_comment", [False, True])
def test_moderator_dismisses_a_report_and_the_content_stays(cast, on_comment):
    proposal, comment, flag = reported(cast, on_comment)
    reports.resolve_flag(cast.moderator, flag, FlagResolution.DISMISSED, "Kural ihlali yok.")
    assert not proposal.is_hidden and not comment.is_hidden
    assert flag.resolution == FlagResolution.DISMISSED
    assert flag.resolved_at is not None and flag.resolved_by_id == cast.moderator.id


def test_a_report_is_handled_once(cast):
    _, _, flag = reported(cast)
    reports.resolve_flag(cast.moderator, flag, FlagResolution.DISMISSED, "Yok.")
    with pytest.raises(InvalidTransition):
        reports.resolve_flag(cast.admin, flag, FlagResolution.HIDDEN, "Var.")
    assert flag.resolution == FlagResolution.DISMISSED


def test_handling_a_report_needs_a_note(cast):
    proposal, _, flag = reported(cast)
    with pytest.raises(ReasonRequired):
        reports.resolve_flag(cast.moderator, flag, FlagResolution.HIDDEN, "  ")
    assert flag.resolved_at is None and not proposal.is_hidden


@pytest.mark.parametrize("on_comment", [False, True])
def test_other_moderator_cannot_handle_a_report(cast, on_comment):
    _, _, flag = reported(cast, on_comment)
    with pytest.raises(PermissionDenied):
        reports.resolve_flag(cast.other_moderator, flag, FlagResolution.DISMISSED, "Yok.")
    assert flag.resolved_at is None


def test_open_flag_counts_include_reports_on_comments(cast):
    proposal, comment, _ = reported(cast)
    reports.report_content(cast.author, reason=FlagReason.SPAM, comment=comment)
    quiet = proposal_in(cast)
    assert reports.open_flag_counts([proposal.id, quiet.id]) == {proposal.id: 2}
    assert reports.open_flag_counts([]) == {}


# --- answer templates ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["moderator", "admin"])
def test_moderator_and_admin_manage_the_bodys_templates(cast, who):
    actor = getattr(cast, who)
    template = answer_templates.add_template(
        actor, cast.body, title=" Teşekkür ", text=" Sağ olun. "
    )
    assert (template.body_id, template.title, template.text) == (
        cast.body.id,
        "Teşekkür",
        "Sağ olun.",
    )
    answer_templates.delete_template(actor, template)
    assert db.session.scalar(select(func.count()).select_from(AnswerTemplate)) == 0
    actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["template.add", "template.delete"]


@pytest.mark.parametrize("who", ["other_moderator", "resident", "author"])
def test_others_cannot_manage_the_bodys_templates(cast, who):
    actor = getattr(cast, who)
    with pytest.raises(PermissionDenied):
        answer_templates.add_template(actor, cast.body, title="T", text="Metin")
    template = answer_templates.add_template(cast.moderator, cast.body, title="T", text="Metin")
    with pytest.raises(PermissionDenied):
        answer_templates.delete_template(actor, template)
    assert db.session.get(AnswerTemplate, template.id) is not None


def test_allowed_actions_follow_the_status(cast):
    assert services.allowed_actions(proposal_in(cast)) == ["claim", "accept", "reject"]
    assert services.allowed_actions(proposal_in(cast, S.ACCEPTED)) == [
        "reject",
        "forward",
        "implement",
        "close",
    ]
    assert services.allowed_actions(proposal_in(cast, S.REJECTED)) == []


def test_decided_at_is_an_aware_utc_time_of_now(cast):
    """decided_at is a timezone-aware UTC time close to now."""
    proposal = proposal_in(cast)
    services.change_status(cast.moderator, proposal, "accept")
    db.session.commit()
    db.session.refresh(proposal)
    assert abs(proposal.decided_at - utcnow()) < timedelta(minutes=1)
