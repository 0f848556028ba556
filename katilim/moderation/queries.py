"""The moderation queue: open proposals of a moderator's bodies, oldest first, with marks."""

from dataclasses import dataclass, field
from datetime import datetime

from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from katilim.auth.models import User
from katilim.core.models import utcnow
from katilim.core.params import choice_arg, page_arg, text_arg
from katilim.extensions import db
from katilim.moderation.models import AnswerTemplate, Flag
from katilim.moderation.reports import has_open_flags, open_flag_counts
from katilim.organization.models import Body
from katilim.organization.services import current_council, reviewer_ids, staffed_body_ids
from katilim.proposals.deadlines import is_overdue, overdue_condition
from katilim.proposals.models import Proposal, ProposalStatus, RoutingMethod

S = ProposalStatus
OPEN = (S.NEW, S.UNDER_REVIEW, S.ACCEPTED, S.FORWARDED)
AWAITING_ANSWER = (S.NEW, S.UNDER_REVIEW)
MARKS = ("threshold", "routing", "overdue", "flagged", "unstaffed")
ASSIGNED = ("me", "nobody")


@dataclass
class QueueFilters:
    body: str = ""
    status: str = ""
    mark: str = ""
    assigned: str = ""  # "me": taken by the person looking; "nobody": not taken yet
    page: int = 1

    @classmethod
    def from_args(cls, args=None) -> "QueueFilters":
        return cls(
            body=text_arg("body", 60, args=args),
            status=choice_arg("status", {s.value for s in OPEN}, args=args),
            mark=choice_arg("mark", MARKS, args=args),
            assigned=choice_arg("assigned", ASSIGNED, args=args),
            page=page_arg(args),
        )

    def as_args(self, **changes) -> dict:
        values = {
            "body": self.body,
            "status": self.status,
            "mark": self.mark,
            "assigned": self.assigned,
        } | changes
        return {k: v for k, v in values.items() if v}


@dataclass
class QueueItem:
    proposal: Proposal
    flags: int = 0
    marks: list[str] = field(default_factory=list)
    # Whole days since publication while the proposal waits for a decision (new, under
    # review); None once decided (accepted, forwarded): it no longer waits for the group.
    waiting_days: int | None = None


def waiting_days(proposal: Proposal, now: datetime) -> int | None:
    if proposal.status not in AWAITING_ANSWER or proposal.published_at is None:
        return None
    return max((now - proposal.published_at).days, 0)


def marks_of(
    proposal: Proposal, flags: int, now: datetime, staffed: set[int] | None = None
) -> list[str]:
    """The queue's marks; ``staffed``: the bodies with a moderator or chair (None: not shown,
    for a moderator, whose own bodies are staffed by definition)."""
    marks = []
    if proposal.threshold_reached_at is not None and proposal.status in AWAITING_ANSWER:
        marks.append("threshold")
    if proposal.awaits_routing_confirmation:
        marks.append("routing")
    if is_overdue(proposal, now):
        marks.append("overdue")
    if flags:
        marks.append("flagged")
    if staffed is not None and proposal.body_id is not None and proposal.body_id not in staffed:
        marks.append("unstaffed")  # the admins review it until the body has a moderator
    return marks


def queue(
    council,
    body_ids: set[int] | None,
    bodies: list[Body],
    filters: QueueFilters,
    per_page: int = 20,
    now: datetime | None = None,
    viewer_id: int | None = None,
) -> tuple[Pagination, list[QueueItem]]:
    """The page of the queue and its items with marks, in a fixed number of queries.

    :param body_ids: the moderator's bodies; None for admins, who also see the general queue
        and review the proposals of bodies nobody staffs (marked so).
    :param viewer_id: the person looking, for the "assigned to me" filter.
    """
    now = now or utcnow()
    staffed = staffed_body_ids(council) if body_ids is None else None
    query = select(Proposal).where(Proposal.council_id == council.id, Proposal.status.in_(OPEN))
    if body_ids is not None:
        query = query.where(Proposal.body_id.in_(body_ids))
    if filters.body:
        if filters.body == "general":
            query = query.where(Proposal.body_id.is_(None))
        else:
            query = query.where(
                Proposal.body_id.in_([b.id for b in bodies if b.slug == filters.body])
            )
    if filters.status:
        query = query.where(Proposal.status == S(filters.status))
    if filters.mark == "threshold":
        query = query.where(
            Proposal.threshold_reached_at.is_not(None), Proposal.status.in_(AWAITING_ANSWER)
        )
    elif filters.mark == "routing":
        query = query.where(
            Proposal.routing_method == RoutingMethod.SUGGESTION,
            Proposal.routing_confirmed_at.is_(None),
        )
    elif filters.mark == "overdue":
        query = query.where(overdue_condition(bodies, now))
    elif filters.mark == "flagged":
        query = query.where(has_open_flags(Proposal.id))
    elif filters.mark == "unstaffed" and staffed is not None:
        query = query.where(Proposal.body_id.is_not(None), Proposal.body_id.not_in(staffed))
    if filters.assigned == "me":
        query = query.where(Proposal.reviewer_id == viewer_id)
    elif filters.assigned == "nobody":
        query = query.where(Proposal.reviewer_id.is_(None))
    # Proposals that reached their support threshold and still wait for a decision first
    # (they must reach the agenda; the same rule as their mark), then the ones still waiting
    # for an answer, each oldest first.
    query = query.order_by(
        ~and_(Proposal.threshold_reached_at.is_not(None), Proposal.status.in_(AWAITING_ANSWER)),
        Proposal.status.not_in(AWAITING_ANSWER),
        Proposal.published_at,
        Proposal.id,
    ).options(
        joinedload(Proposal.body),
        joinedload(Proposal.district),
        joinedload(Proposal.author),
        joinedload(Proposal.reviewer),
    )
    page = db.paginate(query, page=filters.page, per_page=per_page, error_out=False)
    flags = open_flag_counts([p.id for p in page.items])
    items = [
        QueueItem(
            p,
            flags.get(p.id, 0),
            marks_of(p, flags.get(p.id, 0), now, staffed),
            waiting_days(p, now),
        )
        for p in page.items
    ]
    return page, items


def counts_per_body(council, body_ids: set[int] | None) -> dict[int | None, int]:
    """Open proposals per body (None: the general queue), for the queue's summary."""
    query = (
        select(Proposal.body_id, func.count())
        .where(Proposal.council_id == council.id, Proposal.status.in_(OPEN))
        .group_by(Proposal.body_id)
    )
    if body_ids is not None:
        query = query.where(Proposal.body_id.in_(body_ids))
    return dict(db.session.execute(query).all())


def _open_flags_query(council, body_ids: set[int] | None, columns):
    """Unhandled reports on the moderator's bodies (on proposals or on their comments)."""
    from katilim.comments.models import Comment

    target = func.coalesce(Flag.proposal_id, Comment.proposal_id)
    query = (
        select(*columns)
        .select_from(Flag)
        .outerjoin(Comment, Comment.id == Flag.comment_id)
        .join(Proposal, Proposal.id == target)
        .where(Flag.resolved_at.is_(None), Proposal.council_id == council.id)
    )
    if body_ids is not None:
        query = query.where(Proposal.body_id.in_(body_ids))
    return query


def open_flags(council, body_ids: set[int] | None, limit: int = 100) -> list[Flag]:
    """Unhandled reports on the moderator's bodies, oldest first."""
    query = (
        _open_flags_query(council, body_ids, [Flag])
        .options(joinedload(Flag.proposal), joinedload(Flag.comment))
        .order_by(Flag.created_at)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def count_open_flags(council, body_ids: set[int] | None) -> int:
    """How many reports wait for a decision (a COUNT, not a page of rows)."""
    return db.session.scalar(_open_flags_query(council, body_ids, [func.count(Flag.id)]))


def templates_of_body(body_id: int) -> list[AnswerTemplate]:
    """A body's answer templates by title."""
    return list(
        db.session.scalars(
            select(AnswerTemplate)
            .where(AnswerTemplate.body_id == body_id)
            .order_by(AnswerTemplate.title)
        )
    )


def template_for(proposal: Proposal, template_id: int | None) -> AnswerTemplate | None:
    """The template asked for, if it is one of the proposal's body (others are ignored)."""
    if template_id is None:
        return None
    template = db.session.get(AnswerTemplate, template_id)
    if template is None or template.body_id != proposal.body_id:
        return None
    return template


def template_body(template: AnswerTemplate) -> Body:
    """The body a template belongs to (read before the template is deleted); another
    council's template is not found."""
    body = db.get_or_404(Body, template.body_id)
    if body.council_id != current_council().id:
        abort(404)
    return body


def merge_target_loads() -> tuple:
    """What the merge confirmation page shows of the target: its body and district."""
    return (joinedload(Proposal.body), joinedload(Proposal.district))


def reviewers_for_assignment(proposal: Proposal) -> list[User]:
    """Who a proposal can be handed to: the reviewers of its body (the admins while it has
    none), by name."""
    ids = reviewer_ids(proposal.body)
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(ids)).order_by(User.display_name, User.id)
        )
    )
