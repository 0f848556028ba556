"""The counters kept in each proposal row, compared with (and set back to) the rows they count.

``supports_count`` and ``opposes_count`` count the proposal's votes for and against,
``comments_count`` all its comments (replies and hidden ones included: a hidden comment keeps
its place in the thread). The services keep them exact; this is the operator's check that
they did (``flask --app katilim check-counters [--fix]``, docs/deploy.md).
"""

from dataclasses import dataclass

from sqlalchemy import func, or_, select, update

from katilim.audit.services import record
from katilim.comments.models import Comment
from katilim.extensions import db
from katilim.organization.models import Council
from katilim.organization.services import for_council
from katilim.proposals.models import Proposal
from katilim.voting.models import Vote

# counter column → label of what it counts
COUNTED = {
    "supports_count": "votes for",
    "opposes_count": "votes against",
    "comments_count": "comments",
}
FIX_BATCH = 500


@dataclass
class Drift:
    proposal_id: int
    kept: dict[str, int]  # counter → value in the proposal row
    counted: dict[str, int]  # counter → count of the rows

    @property
    def differences(self) -> dict[str, tuple[int, int]]:
        return {
            name: (self.kept[name], self.counted[name])
            for name in COUNTED
            if self.kept[name] != self.counted[name]
        }


def _row_counts():
    """Per proposal, the counts of its rows: one grouped pass over votes, one over comments."""
    votes = (
        select(
            Vote.proposal_id,
            func.count().filter(Vote.value == 1).label("supports_count"),
            func.count().filter(Vote.value == -1).label("opposes_count"),
        )
        .group_by(Vote.proposal_id)
        .subquery()
    )
    comments = (
        select(Comment.proposal_id, func.count().label("comments_count"))
        .group_by(Comment.proposal_id)
        .subquery()
    )
    return {
        "supports_count": func.coalesce(votes.c.supports_count, 0),
        "opposes_count": func.coalesce(votes.c.opposes_count, 0),
        "comments_count": func.coalesce(comments.c.comments_count, 0),
    }, (votes, comments)


def find_drift() -> list[Drift]:
    """Every proposal whose counters differ from its rows, in one query."""
    counted, (votes, comments) = _row_counts()
    kept = {name: getattr(Proposal, name) for name in COUNTED}
    query = (
        select(Proposal.id, *kept.values(), *counted.values())
        .outerjoin(votes, votes.c.proposal_id == Proposal.id)
        .outerjoin(comments, comments.c.proposal_id == Proposal.id)
        .where(or_(*(kept[name] != counted[name] for name in COUNTED)))
        .order_by(Proposal.id)
    )
    names = list(COUNTED)
    return [
        Drift(
            proposal_id=row[0],
            kept=dict(zip(names, row[1:4], strict=True)),
            counted=dict(zip(names, row[4:7], strict=True)),
        )
        for row in db.session.execute(query)
    ]


def _recount(ids: list[int]) -> dict[int, tuple[dict[str, int], dict[str, int]]]:
    """Set the counters of these proposals to the counts of their rows; per proposal, the
    counters just before and after.

    The proposal rows are locked first, then counted in a statement of their own: a vote
    that changed its row before the lock has either committed (its row is counted, and its
    counter change is in the value overwritten) or will add its change after ours (its row is
    not counted yet). Either way the counter ends equal to the rows.
    """
    columns = [getattr(Proposal, name) for name in COUNTED]
    before = {
        row[0]: dict(zip(COUNTED, row[1:], strict=True))
        for row in db.session.execute(
            select(Proposal.id, *columns).where(Proposal.id.in_(ids)).with_for_update()
        )
    }

    def count(model, *conditions):
        return (
            select(func.count())
            .select_from(model)
            .where(model.proposal_id == Proposal.id, *conditions)
            .scalar_subquery()
        )

    rows = db.session.execute(
        update(Proposal)
        .where(Proposal.id.in_(ids))
        .values(
            supports_count=count(Vote, Vote.value == 1),
            opposes_count=count(Vote, Vote.value == -1),
            comments_count=count(Comment),
        )
        .returning(Proposal.id, *columns),
        execution_options={"synchronize_session": False},
    )
    return {row[0]: (before[row[0]], dict(zip(COUNTED, row[1:], strict=True))) for row in rows}


def fix_drift(drifts: list[Drift], *, via: str = "cli") -> int:
    """Recount the proposals found drifting and write an audit entry for each one changed
    (``counters.fix``, with the old and new values); returns how many changed. The caller
    commits.

    The check runs once for the whole installation; each entry goes to the council of the
    proposal it fixed, whose admins read it, as a timed command acting for that council
    would write it (``for_council``)."""
    changed = 0
    councils: dict[int, Council | None] = {}
    for start in range(0, len(drifts), FIX_BATCH):
        batch = [drift.proposal_id for drift in drifts[start : start + FIX_BATCH]]
        for proposal_id, (before, after) in sorted(_recount(batch).items()):
            changes = {
                name: [before[name], after[name]] for name in COUNTED if before[name] != after[name]
            }
            if changes:  # not when recounted meanwhile
                changed += 1
                proposal = db.session.get(Proposal, proposal_id)
                assert proposal is not None  # just recounted
                if proposal.council_id not in councils:
                    councils[proposal.council_id] = db.session.get(Council, proposal.council_id)
                council = councils[proposal.council_id]
                assert council is not None  # a foreign key
                with for_council(council):
                    record(None, "counters.fix", proposal, changes=changes, via=via)
    db.session.flush()
    db.session.expire_all()
    return changed
