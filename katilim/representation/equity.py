"""The "equity" order of the proposal list: proposals from the least-heard districts first.

A district's "lift" compares its share of the proposals published in the last FIGURES_DAYS days
with its share of residents (the heard index of /stats/representation):
- 2: below half its share (heard index < 0.5),
- 1: below its share (heard index < 1),
- 0: at or above its share, no population known, or no district given.
The list is ordered by lift, then newest first, then id (a stable order for pages).

The database computes the lifts in one small query with one row per district (12 in Kocaeli):
the comparison is integer arithmetic (``n × residents_total < proposals_total × population``
means "share of proposals below share of residents"), so it is exact and the same on SQLite and
PostgreSQL. The lifts are kept a minute per process like the other figures: computed inside the
list's statement, they cost a grouped count of a year's proposals on every page view (575 ms
at 100,000 proposals); the list then orders by the few district ids they name.

Self-described groups do not lift proposals: a proposal that moved up because of its author's
answers would tell every reader something about that one person (disability, mother tongue),
which is exactly what the aggregate-only consent rules out.
"""

from datetime import datetime, timedelta

from sqlalchemy import Select, case, func, or_, select

from katilim.core.cache import cached
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.organization.models import District
from katilim.proposals.models import Proposal
from katilim.proposals.visibility import is_received

FIGURES_DAYS = 365


def district_lifts(council_id: int, *, now: datetime | None = None):
    """A subquery (district_id, lift) with one row per district of the council that has a
    population."""
    since = (now or utcnow()) - timedelta(days=FIGURES_DAYS)
    recent = (is_received(council_id), Proposal.published_at >= since)
    counted = (District.council_id == council_id, District.population > 0)
    counts = (
        select(Proposal.district_id.label("district_id"), func.count().label("n"))
        .where(*recent, Proposal.district_id.is_not(None))
        .group_by(Proposal.district_id)
        .subquery()
    )
    residents_total = select(func.sum(District.population)).where(*counted).scalar_subquery()
    proposals_total = (
        select(func.count())
        .select_from(Proposal)
        .join(District, District.id == Proposal.district_id)
        .where(*recent, *counted)
        .scalar_subquery()
    )
    n = func.coalesce(counts.c.n, 0)
    fair = proposals_total * District.population  # n × residents_total at exactly its share
    lift = case(
        (n * residents_total * 2 < fair, 2),
        (n * residents_total < fair, 1),
        else_=0,
    )
    return (
        select(District.id.label("district_id"), lift.label("lift"))
        .outerjoin(counts, counts.c.district_id == District.id)
        .where(*counted)
        .subquery("district_lifts")
    )


def lifted_districts(council_id: int, *, now: datetime | None = None) -> dict[int, list[int]]:
    """{2: [district ids far below their share], 1: [below their share]}."""
    lifts = district_lifts(council_id, now=now)
    lifted: dict[int, list[int]] = {2: [], 1: []}
    rows = db.session.execute(
        select(lifts.c.district_id, lifts.c.lift)
        .where(lifts.c.lift > 0)
        .order_by(lifts.c.district_id)
    )
    for district_id, lift in rows:
        lifted[lift].append(district_id)
    return lifted


def order_by_equity(query: Select, council_id: int, *, now: datetime | None = None) -> Select:
    """The proposal list ``query`` in equity order (lift, newest, id), paginable as it is."""
    if now is None:
        lifted = cached(("equity-lifts", council_id), lambda: lifted_districts(council_id))
    else:
        lifted = lifted_districts(council_id, now=now)
    lift = case(
        (Proposal.district_id.in_(lifted[2]), 2),
        (Proposal.district_id.in_(lifted[1]), 1),
        else_=0,
    )
    return query.order_by(lift.desc(), Proposal.published_at.desc(), Proposal.id.desc())


def equity_groups(council_id: int) -> list:
    """The list's three groups in equity order, as conditions on a proposal: far below their
    share, below their share, the rest (including proposals without a district). Each group is
    read newest first from the list's own index, so a page never sorts the whole list."""
    lifted = cached(("equity-lifts", council_id), lambda: lifted_districts(council_id))
    return [
        Proposal.district_id.in_(lifted[2]),
        Proposal.district_id.in_(lifted[1]),
        or_(Proposal.district_id.is_(None), Proposal.district_id.not_in(lifted[2] + lifted[1])),
    ]
