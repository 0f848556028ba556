"""No proposal goes unread (docs/rules.md#staffing): which bodies have nobody to review
them, the warnings before an answer is due, and the weekly reports to moderators and admins.

The admins review what nobody else does (katilim/organization/services.py reviewer_ids);
this module tells them where that is, and tells every reviewer what is late.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import joinedload

from katilim.auth.models import SiteRole, User
from katilim.core.urls import absolute_url
from katilim.extensions import db
from katilim.mail import send_email
from katilim.moderation.queries import OPEN
from katilim.notifications.models import Notification
from katilim.notifications.services import notify_reviewers
from katilim.organization.models import Body, Council, Membership, MembershipRole
from katilim.organization.services import list_bodies
from katilim.proposals.deadlines import answer_deadline, due_within_condition, overdue_condition
from katilim.proposals.models import Proposal

# A reviewer is warned this long before a proposal's answer is due.
DEADLINE_WARNING = timedelta(days=3)
# The weekly report lists at most this many late proposals per person; the queue has the rest.
REPORT_MAX_ITEMS = 30


@dataclass
class BodyCoverage:
    body: Body
    moderators: int = 0
    chairs: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def is_unstaffed(self) -> bool:
        return self.moderators + self.chairs == 0

    @property
    def needs_people(self) -> bool:
        """No moderator, or no chair: someone must be named."""
        return self.moderators == 0 or self.chairs == 0


@dataclass
class Coverage:
    bodies: list[BodyCoverage]
    unrouted: int  # open proposals in the general queue (no body yet)
    overdue_total: int = field(init=False)

    def __post_init__(self) -> None:
        self.overdue_total = sum(b.overdue for b in self.bodies)

    @property
    def needing_people(self) -> list[BodyCoverage]:
        return [b for b in self.bodies if b.needs_people]

    @property
    def unstaffed(self) -> list[BodyCoverage]:
        return [b for b in self.bodies if b.is_unstaffed]

    @property
    def late(self) -> list[BodyCoverage]:
        return [b for b in self.bodies if b.overdue]


def coverage(council: Council, now: datetime) -> Coverage:
    """Every active body with its moderators, chairs, open and overdue proposals, and the
    general queue, in three queries."""
    bodies = list_bodies(council)
    rows = {b.id: BodyCoverage(b) for b in bodies}
    staff = db.session.execute(
        select(Membership.body_id, Membership.role, func.count())
        .join(User, User.id == Membership.user_id)
        .where(Membership.body_id.in_(rows), User.is_active_account.is_(True))
        .group_by(Membership.body_id, Membership.role)
    )
    for body_id, role, count in staff:
        if role == MembershipRole.CHAIR:
            rows[body_id].chairs = count
        else:
            rows[body_id].moderators = count
    counts = db.session.execute(
        select(
            Proposal.body_id,
            func.count(),
            func.count(case((overdue_condition(bodies, now), 1))),
        )
        .where(Proposal.council_id == council.id, Proposal.status.in_(OPEN))
        .group_by(Proposal.body_id)
    )
    unrouted = 0
    for of_body, open_count, overdue in counts:
        if of_body is None:
            unrouted = int(open_count)
        elif of_body in rows:
            rows[of_body].open, rows[of_body].overdue = int(open_count), int(overdue)
    return Coverage(list(rows.values()), unrouted)


def send_deadline_warnings(council: Council, now: datetime) -> int:
    """Tell the reviewers of each proposal whose answer is due within DEADLINE_WARNING (once
    per proposal; run daily). Returns how many proposals they were told about."""
    bodies = list_bodies(council, active_only=False)
    already = exists().where(
        Notification.proposal_id == Proposal.id, Notification.kind == "deadline_near"
    )
    due = db.session.scalars(
        select(Proposal)
        .where(
            Proposal.council_id == council.id,
            due_within_condition(bodies, now, DEADLINE_WARNING),
            Proposal.is_hidden.is_(False),
            ~already,
        )
        .options(joinedload(Proposal.body))
        .order_by(Proposal.id)
    ).all()
    for proposal in due:
        notify_reviewers(proposal, "deadline_near")
    return len(due)


@dataclass
class LateProposal:
    proposal: Proposal
    days_late: int
    url: str


def _late_proposals(council: Council, now: datetime) -> dict[int, list[LateProposal]]:
    """Overdue proposals by body id, oldest first."""
    bodies = list_bodies(council, active_only=False)
    late: dict[int, list[LateProposal]] = defaultdict(list)
    for proposal in db.session.scalars(
        select(Proposal)
        .where(Proposal.council_id == council.id, overdue_condition(bodies, now))
        .options(joinedload(Proposal.body))
        .order_by(Proposal.published_at, Proposal.id)
    ):
        deadline = answer_deadline(proposal)
        days = (now - deadline).days if deadline else 0
        late[proposal.body_id or 0].append(
            LateProposal(proposal, days, absolute_url("moderation.review", proposal_id=proposal.id))
        )
    return late


def _can_receive(user: User) -> bool:
    """The reports are part of the role, not news someone subscribed to: they go to every
    holder of the role with a confirmed address, whatever their notification choice (which
    is about the proposals they follow). Stepping down from the role stops them."""
    return user.is_active_account and user.email_verified_at is not None


def send_weekly_reports(council: Council, now: datetime) -> int:
    """Queue the weekly e-mails: to each moderator and chair, what is overdue in their bodies
    (nothing when nothing is); to each admin, the bodies nobody staffs, the general queue and
    the overdue count per body. Returns how many e-mails were queued; the caller commits."""
    late = _late_proposals(council, now)
    sent = 0
    members: dict[int, set[int]] = defaultdict(set)
    for user_id, body_id in db.session.execute(
        select(Membership.user_id, Membership.body_id)
        .join(Body, Body.id == Membership.body_id)
        .where(Body.council_id == council.id)
    ):
        members[user_id].add(body_id)
    users = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(
                User.council_id == council.id,
                (User.id.in_(members)) | (User.site_role == SiteRole.ADMIN),
            )
        )
    }
    for user_id, body_ids in sorted(members.items()):
        user = users.get(user_id)
        items = [item for body_id in sorted(body_ids) for item in late.get(body_id, [])]
        if user is None or not items or not _can_receive(user):
            continue
        send_email(
            user.email,
            _weekly_subject(len(items)),
            "weekly_moderator",
            locale=user.locale,
            name=user.display_name,
            items=items[:REPORT_MAX_ITEMS],
            more=max(len(items) - REPORT_MAX_ITEMS, 0),
            queue_url=absolute_url("moderation.index", mark="overdue"),
        )
        sent += 1
    report = coverage(council, now)
    for user in users.values():
        if user.site_role != SiteRole.ADMIN or not _can_receive(user):
            continue
        send_email(
            user.email,
            _admin_subject(),
            "weekly_admin",
            locale=user.locale,
            name=user.display_name,
            coverage=report,
            admin_url=absolute_url("admin.dashboard"),
            queue_url=absolute_url("moderation.index"),
        )
        sent += 1
    return sent


def _weekly_subject(count: int):
    return lazy_ngettext(
        "%(num)s proposal of your groups is waiting past its answer deadline",
        "%(num)s proposals of your groups are waiting past their answer deadline",
        count,
    )


def _admin_subject():
    return _l("This week on Katılım: who reviews what, and what is late")
