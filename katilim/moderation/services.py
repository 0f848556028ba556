"""The moderators' verbs: review, decide, answer, route, merge, hide.

Reports are handled in katilim/moderation/reports.py, answer templates in
katilim/moderation/answer_templates.py; the support threshold, which votes and merges both
reach, is katilim/proposals/threshold.py.

Every verb checks the actor's right on the proposal again, writes a public timeline event
(with its text), tells the author and followers, and writes the audit log. Status changes
use a conditional UPDATE on the old status, so two moderators deciding at the same time
end with one consistent state: the second gets InvalidTransition.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, or_, select, update

from katilim.audit.services import record
from katilim.auth.roles import check_admin
from katilim.comments.models import Comment
from katilim.core.errors import DomainError, InvalidTransition, PermissionDenied
from katilim.core.models import affected_rows, utcnow
from katilim.extensions import db
from katilim.moderation.models import MergedVote, MergeRecord
from katilim.moderation.permissions import can_moderate, can_refer
from katilim.notifications.services import (
    follower_ids,
    notify_event,
    notify_reviewers,
    notify_users,
)
from katilim.organization.models import Body, Council, District
from katilim.organization.services import for_council
from katilim.proposals.models import (
    EventKind,
    Proposal,
    ProposalEvent,
    ProposalStatus,
    RoutingMethod,
)
from katilim.proposals.threshold import check_threshold
from katilim.proposals.timeline import add_event
from katilim.voting.models import Vote

S = ProposalStatus


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: ProposalStatus
    needs_reason: bool = False


TRANSITIONS = {
    "claim": Transition(frozenset({S.NEW}), S.UNDER_REVIEW),
    "accept": Transition(frozenset({S.NEW, S.UNDER_REVIEW}), S.ACCEPTED),
    "reject": Transition(frozenset({S.NEW, S.UNDER_REVIEW, S.ACCEPTED}), S.REJECTED, True),
    "forward": Transition(frozenset({S.ACCEPTED}), S.FORWARDED),
    "implement": Transition(frozenset({S.ACCEPTED, S.FORWARDED}), S.IMPLEMENTED),
    "close": Transition(frozenset({S.ACCEPTED, S.FORWARDED}), S.CLOSED, True),
}
BEFORE_DECISION = frozenset({S.NEW, S.UNDER_REVIEW})
DECISIONS = frozenset({S.ACCEPTED, S.REJECTED})


class ReasonRequired(DomainError):
    status_code = 400


def allowed_actions(proposal: Proposal) -> list[str]:
    """The status actions available from the proposal's current status."""
    return [name for name, t in TRANSITIONS.items() if proposal.status in t.sources]


def check_moderator(moderator, proposal: Proposal) -> None:
    if not can_moderate(moderator, proposal):
        raise PermissionDenied(_("Only the moderators of this group can do this."))


def _move_status(proposal: Proposal, values: dict) -> None:
    """Change the proposal's row only if its status is still the one this request read.

    :raises InvalidTransition: if another moderator changed the status meanwhile.
    """
    result = db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.status == proposal.status)
        .values(**values),
        execution_options={"synchronize_session": False},
    )
    if affected_rows(result) != 1:
        raise InvalidTransition(
            _("Someone changed this proposal meanwhile. Please reload the page.")
        )
    db.session.refresh(proposal)


def mark_answered(proposal: Proposal, text: str | None) -> None:
    """A public text from the body is an answer: the first one starts the response clock."""
    if text and text.strip() and proposal.first_answer_at is None:
        proposal.first_answer_at = utcnow()


def change_status(
    moderator,
    proposal: Proposal,
    action: str,
    *,
    text: str = "",
    forwarded_on: date | None = None,
    authorized: bool = False,
) -> ProposalEvent:
    """Move a proposal along its lifecycle (docs/rules.md#lifecycle) with a public text.

    ``authorized``: the caller already checked a right of its own (a body's chair applying
    its meeting's decision on an agenda item, katilim/meetings/decisions.py); otherwise the
    actor must moderate the proposal's body.

    :raises PermissionDenied: if the moderator does not moderate the proposal's body.
    :raises InvalidTransition: if the action is not possible from the current status, or
        another moderator changed the status meanwhile.
    :raises ReasonRequired: for reject and close without a reason, forward without a date.
    """
    if not authorized:
        check_moderator(moderator, proposal)
    transition = TRANSITIONS.get(action)
    if transition is None or proposal.status not in transition.sources:
        raise InvalidTransition(_("This step is not possible from the current status."))
    if transition.needs_reason and not text.strip():
        raise ReasonRequired(_("Please give the reason; it is shown in public."))
    if action == "forward" and forwarded_on is None:
        raise ReasonRequired(_("Please give the date it went to the municipal council."))
    old = proposal.status
    now = utcnow()
    values = {"status": transition.target, "updated_at": now}
    if action == "claim":
        values["reviewer_id"] = moderator.id
    if transition.target in DECISIONS:
        values["decided_at"] = now
    if action == "forward":
        values["forwarded_on"] = forwarded_on
    result = db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id, Proposal.status == old).values(**values),
        execution_options={"synchronize_session": False},
    )
    if affected_rows(result) != 1:
        raise InvalidTransition(
            _("Someone changed this proposal meanwhile. Please reload the page.")
        )
    db.session.refresh(proposal)
    mark_answered(proposal, text)
    event = add_event(
        proposal,
        moderator,
        EventKind.STATUS_CHANGED,
        from_value=old.value,
        to_value=transition.target.value,
        text=text,
    )
    notify_event(event)
    record(
        moderator,
        f"proposal.{action}",
        proposal,
        status=transition.target.value,
        previous=old.value,
        text=text.strip()[:500],
        forwarded_on=forwarded_on.isoformat() if forwarded_on else None,
    )
    return event


def record_agenda(
    moderator, proposal: Proposal, *, agenda_on: date, decision_reference: str = ""
) -> ProposalEvent:
    """Record the day the municipal council put the proposal on its agenda (5393 art. 76)."""
    check_moderator(moderator, proposal)
    if (
        proposal.status not in (S.FORWARDED, S.IMPLEMENTED, S.CLOSED)
        or proposal.forwarded_on is None
    ):
        raise InvalidTransition(
            _("Only a forwarded proposal can be on the municipal council's agenda.")
        )
    if agenda_on < proposal.forwarded_on:
        raise ReasonRequired(_("The agenda date cannot be before the date it was forwarded."))
    proposal.agenda_on = agenda_on
    proposal.decision_reference = decision_reference.strip() or None
    event = add_event(
        proposal,
        moderator,
        EventKind.ON_AGENDA,
        to_value=agenda_on.isoformat(),
        text=proposal.decision_reference,
    )
    notify_event(event)
    record(
        moderator,
        "proposal.agenda",
        proposal,
        agenda_on=agenda_on.isoformat(),
        decision_reference=proposal.decision_reference,
    )
    return event


def answer(moderator, proposal: Proposal, text: str) -> ProposalEvent:
    """Publish the body's answer on the proposal's timeline."""
    check_moderator(moderator, proposal)
    if not text.strip():
        raise ReasonRequired(_("The answer is empty."))
    if proposal.status in (S.DRAFT, S.WITHDRAWN):
        raise InvalidTransition(_("This proposal cannot be answered."))
    mark_answered(proposal, text)
    event = add_event(proposal, moderator, EventKind.ANSWERED, text=text)
    notify_event(event)
    record(moderator, "proposal.answer", proposal, text=text.strip()[:500])
    return event


def confirm_routing(moderator, proposal: Proposal) -> ProposalEvent:
    """A person confirms the body suggested from the text (KVKK art. 11: never automatic)."""
    check_moderator(moderator, proposal)
    body = proposal.body
    if not proposal.awaits_routing_confirmation or body is None:
        raise InvalidTransition(_("There is no suggested routing to confirm."))
    proposal.routing_confirmed_at = utcnow()
    event = add_event(proposal, moderator, EventKind.ROUTING_CONFIRMED, to_value=body.slug)
    record(moderator, "proposal.confirm_routing", proposal, body=body.slug)
    return event


def refer_to_parent(moderator, proposal: Proposal, reason: str) -> ProposalEvent:
    """Refer the proposal to the provincial council its council names as parent, before a
    decision, with a public reason. It moves there whole (timeline, votes, comments,
    followers) into the parent's general queue; its timeline says from where and why, both
    councils' audit logs record it, and its address on the district council's site leads to
    its new one.
    """
    council = db.session.get(Council, proposal.council_id)
    parent_id = council.parent_id if council is not None else None
    if council is None or not can_refer(moderator, proposal, parent_id):
        raise PermissionDenied(
            _(
                "Only the moderators of a district council can refer its proposals, before a decision."
            )
        )
    if not reason.strip():
        raise ReasonRequired(_("Please give the reason; it is shown in public."))
    parent = db.session.get(Council, parent_id)
    assert parent is not None  # a foreign key
    told_before = follower_ids(proposal)  # the district body's followers hear where it went
    _move_status(proposal, {"status": S.NEW})  # not if a decision was made meanwhile
    proposal.referred_from_id = council.id
    proposal.council_id = parent.id
    proposal.body = None  # the parent's admins route it to one of its bodies
    proposal.routing_method = None
    proposal.routing_confirmed_at = None
    proposal.reviewer_id = None
    proposal.threshold_reached_at = None
    # The district council's neighbourhoods are not the province's districts: the province's
    # district of the same name as the district council, if it has one (Gölcük → golcuk).
    proposal.district = db.session.scalar(
        select(District).where(District.council_id == parent.id, District.slug == council.slug)
    )
    event = add_event(
        proposal,
        moderator,
        EventKind.REFERRED,
        from_value=council.slug,
        to_value=parent.slug,
        text=reason,
    )
    told = {n.user_id for n in notify_event(event)}
    notify_users(
        told_before - told - {moderator.id}, proposal, EventKind.REFERRED.value, event=event
    )
    details = {
        "from_council": council.slug,
        "to_council": parent.slug,
        "reason": reason.strip()[:500],
    }
    record(moderator, "proposal.refer", proposal, **details)
    with for_council(parent):  # its admins review it, and their e-mails link to its site
        record(moderator, "proposal.refer", proposal, **details)
        notify_reviewers(
            proposal, "for_review", event=event, skip=told | told_before | {moderator.id}
        )
    return event


def reroute(moderator, proposal: Proposal, body: Body, reason: str) -> ProposalEvent:
    """Send the proposal to another body, with a public reason, until a decision is made.

    The new body starts from "new": its own moderators review it.
    """
    check_moderator(moderator, proposal)
    if proposal.status not in BEFORE_DECISION:
        raise InvalidTransition(
            _("A proposal can be moved to another group only before a decision.")
        )
    if not reason.strip():
        raise ReasonRequired(_("Please give the reason; it is shown in public."))
    if body.council_id != proposal.council_id or not body.is_active or body.id == proposal.body_id:
        raise InvalidTransition(_("Choose another active group of this council."))
    old = proposal.body
    # Followers of the body it leaves hear where it went, too.
    told_before = follower_ids(proposal)
    _move_status(proposal, {"status": S.NEW})  # not if a decision was made meanwhile
    proposal.body = body
    proposal.routing_method = RoutingMethod.MODERATOR
    proposal.routing_confirmed_at = utcnow()
    proposal.reviewer_id = None
    proposal.threshold_reached_at = None
    kind = EventKind.REROUTED if old is not None else EventKind.ROUTED
    event = add_event(
        proposal,
        moderator,
        kind,
        from_value=old.slug if old else None,
        to_value=body.slug,
        text=reason,
    )
    told = {n.user_id for n in notify_event(event)}
    notify_users(told_before - told - {moderator.id}, proposal, kind.value, event=event)
    notify_reviewers(proposal, "for_review", event=event, skip=told | told_before | {moderator.id})
    record(
        moderator,
        "proposal.reroute",
        proposal,
        from_body=old.slug if old else None,
        to_body=body.slug,
        reason=reason.strip()[:500],
    )
    check_threshold(proposal)
    return event


def check_merge(moderator, proposal: Proposal, target: Proposal) -> None:
    """Refuse a merge that cannot happen, before the confirmation page shows it.

    :raises PermissionDenied: if the moderator does not moderate the duplicate's body.
    :raises InvalidTransition: if the duplicate is decided or the target cannot take votes.
    """
    check_moderator(moderator, proposal)
    if proposal.status not in BEFORE_DECISION:
        raise InvalidTransition(_("Only a proposal without a decision can be merged."))
    if (
        target.id == proposal.id
        or target.council_id != proposal.council_id
        # Votes can only move where voting is open: not into a finished or hidden proposal.
        or not target.is_voting_open
        or target.merged_into_id is not None
    ):
        raise InvalidTransition(_("Choose another open proposal to merge into."))


def _keep_votes(merge_record: MergeRecord, proposal: Proposal, target: Proposal) -> None:
    """Write down every vote of the duplicate, and whether it will move, before the merge."""
    on_target = select(Vote.user_id).where(Vote.proposal_id == target.id, Vote.user_id.is_not(None))
    doubles = set(db.session.scalars(on_target))
    for vote in db.session.scalars(select(Vote).where(Vote.proposal_id == proposal.id)):
        merge_record.votes.append(
            MergedVote(
                vote_id=vote.id,
                user_id=vote.user_id,
                value=vote.value,
                moved=vote.user_id is None or vote.user_id not in doubles,
                created_at=vote.created_at,
                updated_at=vote.updated_at,
            )
        )


def merge(moderator, proposal: Proposal, target: Proposal, reason: str) -> ProposalEvent:
    """Merge a duplicate into ``target``: its votes move there (one per person) and its
    supporters are told; the duplicate is closed and points to the target. What changed is
    recorded, so that an admin can undo it (``unmerge``)."""
    check_merge(moderator, proposal, target)
    old = proposal.status
    merge_record = MergeRecord(
        proposal_id=proposal.id,
        target_id=target.id,
        previous_status=old.value,
        previous_first_answer_at=proposal.first_answer_at,
    )
    _keep_votes(merge_record, proposal, target)
    _move_status(proposal, {"status": S.CLOSED})  # not if a decision was made meanwhile
    supporters = list(
        db.session.scalars(
            select(Vote.user_id).where(
                Vote.proposal_id == proposal.id, Vote.value == 1, Vote.user_id.is_not(None)
            )
        )
    )
    # Move each vote unless its owner already voted on the target: nobody counts twice.
    # A vote whose voter deleted the account (user_id NULL) moves too; NULLs are kept out of
    # the subquery, where one would make NOT IN false for every row.
    already = select(Vote.user_id).where(Vote.proposal_id == target.id, Vote.user_id.is_not(None))
    moved = affected_rows(
        db.session.execute(
            update(Vote)
            .where(
                Vote.proposal_id == proposal.id,
                or_(Vote.user_id.is_(None), Vote.user_id.not_in(already)),
            )
            .values(proposal_id=target.id),
            execution_options={"synchronize_session": False},
        )
    )
    db.session.execute(delete(Vote).where(Vote.proposal_id == proposal.id))
    _recount_votes(target.id)
    _recount_votes(proposal.id)
    proposal.merged_into_id = target.id
    proposal.decided_at = utcnow()
    mark_answered(proposal, reason)
    event = add_event(
        proposal,
        moderator,
        EventKind.MERGED,
        from_value=old.value,
        to_value=str(target.id),
        text=reason,
    )
    merge_record.event_id = event.id
    db.session.add(merge_record)
    told = {n.user_id for n in notify_event(event)}
    notify_users(
        set(supporters) - told - {moderator.id},
        proposal,
        "merged_vote",
        event=event,
    )
    # The target's reviewers learn that it carries more supporters now.
    notify_reviewers(target, "merged_in", event=event, skip={moderator.id})
    record(
        moderator,
        "proposal.merge",
        proposal,
        into=target.id,
        votes_moved=moved,
        reason=reason.strip()[:500],
    )
    db.session.refresh(target)
    check_threshold(target)
    return event


def last_merge(proposal: Proposal) -> MergeRecord | None:
    """The merge that closed the proposal, if it can still be undone."""
    if proposal.merged_into_id is None:
        return None
    return db.session.scalar(
        select(MergeRecord)
        .where(MergeRecord.proposal_id == proposal.id, MergeRecord.undone_at.is_(None))
        .order_by(MergeRecord.id.desc())
        .limit(1)
    )


def unmerge(admin, proposal: Proposal, reason: str) -> ProposalEvent:
    """Undo a merge (admins): every vote goes back to where it was before, with its id, value
    and times; the duplicate gets its status back and both proposals are recounted.

    A vote its owner changed or took back on the target since the merge goes back as it was
    at the merge: the duplicate is where the person voted.

    :raises PermissionDenied: if the actor is not an admin.
    :raises InvalidTransition: if the proposal was not merged, or the merge cannot be undone.
    """
    check_admin(admin)
    if not reason.strip():
        raise ReasonRequired(_("Please give the reason; it is shown in public."))
    merge_record = last_merge(proposal)
    if merge_record is None:
        raise InvalidTransition(_("This proposal is not merged into another one."))
    target = db.session.get(Proposal, merge_record.target_id)
    if target is None:  # the foreign key keeps it: only a damaged database gets here
        raise InvalidTransition(_("This proposal is not merged into another one."))
    _move_status(proposal, {"status": S(merge_record.previous_status)})
    kept = merge_record.votes
    # Take the moved votes off the target (by row, or by person if they voted again there),
    # then put every vote of the duplicate back as it was.
    voters = {v.user_id for v in kept if v.user_id is not None}
    db.session.execute(
        delete(Vote).where(
            Vote.proposal_id == target.id,
            or_(
                Vote.id.in_([v.vote_id for v in kept if v.moved]),
                Vote.user_id.in_({v.user_id for v in kept if v.moved and v.user_id is not None}),
            ),
        ),
        execution_options={"synchronize_session": False},
    )
    db.session.execute(
        delete(Vote).where(Vote.id.in_([v.vote_id for v in kept])),
        execution_options={"synchronize_session": False},
    )
    if kept:
        db.session.execute(
            insert(Vote),
            [
                {
                    "id": v.vote_id,
                    "proposal_id": proposal.id,
                    "user_id": v.user_id,
                    "value": v.value,
                    "created_at": v.created_at,
                    "updated_at": v.updated_at,
                }
                for v in kept
            ],
        )
    _recount_votes(target.id)
    _recount_votes(proposal.id)
    proposal.merged_into_id = None
    proposal.decided_at = None
    proposal.first_answer_at = merge_record.previous_first_answer_at
    merge_record.undone_at = utcnow()
    merge_record.undone_by_id = admin.id
    event = add_event(proposal, admin, EventKind.UNMERGED, from_value=str(target.id), text=reason)
    told = {n.user_id for n in notify_event(event)}
    notify_users(voters - told - {admin.id}, proposal, EventKind.UNMERGED.value, event=event)
    notify_reviewers(proposal, "for_review", event=event, skip=told | voters | {admin.id})
    record(
        admin,
        "proposal.unmerge",
        proposal,
        from_target=target.id,
        votes_back=len(kept),
        reason=reason.strip()[:500],
    )
    db.session.refresh(proposal)
    db.session.refresh(target)
    return event


def can_take(user, proposal: Proposal) -> bool:
    """Who a proposal can be handed to: its body's reviewers (admins everywhere)."""
    return getattr(user, "is_active_account", False) and can_moderate(user, proposal)


def assign(moderator, proposal: Proposal, assignee) -> bool:
    """Take a proposal ("assigned to me") or hand it to another reviewer of its body, who is
    told. Internal to the body: not on the public timeline. Returns False if nothing changed.

    :raises PermissionDenied: if either person does not review the proposal's body.
    """
    check_moderator(moderator, proposal)
    if not can_take(assignee, proposal):
        raise PermissionDenied(_("This person does not review this group's proposals."))
    if proposal.reviewer_id == assignee.id:
        return False
    previous = proposal.reviewer_id
    proposal.reviewer_id = assignee.id
    db.session.flush()
    if assignee.id != moderator.id:
        notify_users({assignee.id}, proposal, "assigned")
    record(moderator, "proposal.assign", proposal, assignee=assignee.id, previous=previous)
    return True


def _recount_votes(proposal_id: int) -> None:
    def total(value):
        return (
            select(func.count())
            .select_from(Vote)
            .where(Vote.proposal_id == proposal_id, Vote.value == value)
            .scalar_subquery()
        )

    db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id)
        .values(supports_count=total(1), opposes_count=total(-1)),
        execution_options={"synchronize_session": False},
    )


def hide_proposal(moderator, proposal: Proposal, reason: str) -> ProposalEvent:
    """Hide a proposal that breaks the rules. Never a deletion: the reason is public."""
    check_moderator(moderator, proposal)
    if not reason.strip():
        raise ReasonRequired(_("Please give the reason; it is shown in public."))
    if proposal.is_hidden:
        raise InvalidTransition(_("This proposal is already hidden."))
    proposal.is_hidden = True
    proposal.hidden_reason = reason.strip()
    event = add_event(proposal, moderator, EventKind.HIDDEN, text=reason)
    notify_event(event)
    record(moderator, "proposal.hide", proposal, reason=reason.strip()[:500])
    return event


def proposal_of(comment: Comment) -> Proposal:
    proposal = db.session.get(Proposal, comment.proposal_id)
    if proposal is None:  # the foreign key keeps it: only a damaged database gets here
        raise LookupError(f"comment {comment.id} has no proposal")
    return proposal


def hide_comment(moderator, comment: Comment, reason: str) -> None:
    """Hide a comment that breaks the rules; its place in the thread stays, with a notice."""
    proposal = proposal_of(comment)
    check_moderator(moderator, proposal)
    if not reason.strip():
        raise ReasonRequired(_("Please give the reason; it is shown in public."))
    if comment.is_hidden:
        raise InvalidTransition(_("This comment is already hidden."))
    comment.is_hidden = True
    comment.hidden_reason = reason.strip()
    record(moderator, "comment.hide", comment, proposal=proposal.id, reason=reason.strip()[:500])
    db.session.flush()
