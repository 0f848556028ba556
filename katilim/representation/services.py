"""Self-described groups (consent, answers, deletion) and the representation figures.

Figures read only aggregates, in a fixed number of grouped queries whatever the data size:
- per district: proposals (by the district they are about), comments and votes (by the district
  the person gave in their account), each per 10,000 residents, and the "heard index": the
  district's share of proposals divided by its share of residents (1 = heard in proportion);
- the shares of pseudonymous and assisted proposals;
- per self-described group: people and their proposals, counted only over people whose consent
  for exactly this purpose is live, with small groups hidden (see :func:`suppress`).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from katilim.audit.services import record
from katilim.auth.models import User
from katilim.comments.models import Comment
from katilim.core.models import affected_rows, utcnow
from katilim.extensions import db
from katilim.organization.models import Council, District
from katilim.organization.services import list_districts
from katilim.privacy.consents import active_consent, give, withdraw
from katilim.privacy.models import Consent, ConsentPurpose
from katilim.proposals.models import Proposal
from katilim.proposals.visibility import is_received
from katilim.representation.equity import FIGURES_DAYS
from katilim.representation.models import DIMENSION_NAMES, DIMENSIONS, Demographics, Dimension
from katilim.voting.models import Vote

# A group with fewer people than this is never shown (docs/rules.md#anonymity-and-pseudonyms).
MIN_CELL = 10
PER_RESIDENTS = 10_000
# The moderators' notice: a district whose share of recent proposals is below this fraction of
# its share of residents is named, once enough proposals came in for shares to mean something.
NOTICE_DAYS = 90
NOTICE_BELOW = 0.5
NOTICE_MIN_PROPOSALS = 20


class ConsentRequired(ValueError):
    """Answers cannot be stored without the explicit consent for this purpose."""


# --- consent and answers -----------------------------------------------------------------------


def live_consent(user: User) -> Consent | None:
    return active_consent(user, ConsentPurpose.DEMOGRAPHICS)


def answers_of(user: User) -> Demographics | None:
    """The person's answers, or None; rows left without a live consent are never read."""
    if live_consent(user) is None:
        return None
    return db.session.get(Demographics, user.id)


def save_answers(user: User, answers: dict[str, str], *, consent: bool) -> Demographics:
    """Record the consent (or renew it) and store the answers.

    :raises ConsentRequired: without the explicit consent.
    :raises ValueError: for an answer that is not one of the question's choices.
    """
    if not consent:
        raise ConsentRequired("explicit consent is required")
    for dimension in DIMENSIONS:
        if answers.get(dimension.name) not in dimension.values:
            raise ValueError(f"unknown answer for {dimension.name}")
    give(user, ConsentPurpose.DEMOGRAPHICS)  # a new record only if none is in force
    demographics = db.session.get(Demographics, user.id)
    if demographics is None:
        demographics = Demographics(user_id=user.id)
        db.session.add(demographics)
    for name in DIMENSION_NAMES:
        setattr(demographics, name, answers[name])
    # The log says that answers were saved, never what they are.
    record(user, "demographics.saved", user)
    db.session.flush()
    return demographics


def delete_answers(user: User) -> bool:
    """Delete the answers and withdraw the consent. True if there was anything to delete."""
    deleted = affected_rows(
        db.session.execute(
            delete(Demographics)
            .where(Demographics.user_id == user.id)
            .execution_options(synchronize_session=False)
        )
    )
    withdrawn = withdraw(user, ConsentPurpose.DEMOGRAPHICS)
    if deleted or withdrawn:
        record(user, "demographics.deleted", user)
        return True
    return False


# --- district figures --------------------------------------------------------------------------


@dataclass
class DistrictFigures:
    district: District | None  # None: proposals and people with no district given
    proposals: int = 0
    comments: int = 0
    votes: int = 0
    proposal_share: float | None = None
    population_share: float | None = None

    @property
    def population(self) -> int | None:
        return self.district.population if self.district is not None else None

    def per_residents(self, count: int) -> float | None:
        return count * PER_RESIDENTS / self.population if self.population else None

    @property
    def proposals_per_10k(self) -> float | None:
        return self.per_residents(self.proposals)

    @property
    def comments_per_10k(self) -> float | None:
        return self.per_residents(self.comments)

    @property
    def votes_per_10k(self) -> float | None:
        return self.per_residents(self.votes)

    @property
    def heard_index(self) -> float | None:
        """Share of proposals ÷ share of residents: 1 is in proportion, 0.5 half as heard."""
        if self.proposal_share is None or not self.population_share:
            return None
        return self.proposal_share / self.population_share


def _published_since(council_id: int, since: datetime):
    return (is_received(council_id), Proposal.published_at >= since)


def proposal_counts(council: Council, since: datetime) -> dict[int | None, int]:
    """Published proposals since ``since`` per district they are about (None: no district)."""
    rows = db.session.execute(
        select(Proposal.district_id, func.count())
        .where(*_published_since(council.id, since))
        .group_by(Proposal.district_id)
    )
    return dict(rows.all())


def _with_shares(districts: list[District], counts: dict[int | None, int]) -> list[DistrictFigures]:
    """Figures per district with their shares; shares only among districts with a population,
    so that both shares add up to 1 over the same districts."""
    figures = [DistrictFigures(d, proposals=counts.get(d.id, 0)) for d in districts]
    counted = [f for f in figures if f.population]
    residents = sum(f.population or 0 for f in counted)
    proposals = sum(f.proposals for f in counted)
    for f in counted:
        f.population_share = (f.population or 0) / residents
        f.proposal_share = f.proposals / proposals if proposals else None
    return figures


def district_figures(council: Council, *, now: datetime | None = None) -> list[DistrictFigures]:
    """Every district of the council over the last FIGURES_DAYS days, then a last row (district
    None) for what has no district. Four queries: districts, proposals, comments, votes."""
    since = (now or utcnow()) - timedelta(days=FIGURES_DAYS)
    districts = list_districts(council)
    proposals = proposal_counts(council, since)
    comments = dict(
        db.session.execute(
            select(User.district_id, func.count(Comment.id))
            .join(User, User.id == Comment.author_id)
            .join(Proposal, Proposal.id == Comment.proposal_id)
            .where(Proposal.council_id == council.id, Comment.created_at >= since)
            .group_by(User.district_id)
        ).all()
    )
    votes = dict(
        db.session.execute(
            select(User.district_id, func.count(Vote.id))
            .join(User, User.id == Vote.user_id)
            .join(Proposal, Proposal.id == Vote.proposal_id)
            .where(Proposal.council_id == council.id, Vote.created_at >= since)
            .group_by(User.district_id)
        ).all()
    )
    figures = _with_shares(districts, proposals)
    for district, f in zip(districts, figures, strict=True):
        f.comments = comments.get(district.id, 0)
        f.votes = votes.get(district.id, 0)
    figures.append(
        DistrictFigures(
            None,
            proposals=proposals.get(None, 0),
            comments=comments.get(None, 0),
            votes=votes.get(None, 0),
        )
    )
    return figures


def under_heard_districts(council: Council, *, now: datetime | None = None) -> list[District]:
    """Districts whose share of the last NOTICE_DAYS days' proposals is below NOTICE_BELOW of
    their share of residents; none while fewer than NOTICE_MIN_PROPOSALS came in (with three
    proposals, every small district would be "far below"). Two queries."""
    since = (now or utcnow()) - timedelta(days=NOTICE_DAYS)
    figures = _with_shares(list_districts(council), proposal_counts(council, since))
    if sum(f.proposals for f in figures if f.population) < NOTICE_MIN_PROPOSALS:
        return []
    return [
        f.district
        for f in figures
        if f.district is not None and f.heard_index is not None and f.heard_index < NOTICE_BELOW
    ]


# --- pseudonymous and assisted -----------------------------------------------------------------


@dataclass(frozen=True)
class VoiceShares:
    proposals: int
    pseudonymous: int
    assisted: int

    @property
    def pseudonymous_share(self) -> float | None:
        return self.pseudonymous / self.proposals if self.proposals else None

    @property
    def assisted_share(self) -> float | None:
        return self.assisted / self.proposals if self.proposals else None


def voice_shares(council: Council, *, now: datetime | None = None) -> VoiceShares:
    since = (now or utcnow()) - timedelta(days=FIGURES_DAYS)
    total, pseudonymous, assisted = db.session.execute(
        select(
            func.count(),
            func.count(func.nullif(Proposal.is_pseudonymous, False)),
            func.count(Proposal.assisted_by_id),
        ).where(*_published_since(council.id, since))
    ).one()
    return VoiceShares(total, pseudonymous, assisted)


# --- groups ------------------------------------------------------------------------------------


@dataclass
class GroupCell:
    value: str
    label: object  # a lazy text: the figures are kept for readers of every language
    people: int = 0
    proposals: int = 0
    # "" shown; "small": fewer than MIN_CELL people; "complement": hidden so that a small
    # cell cannot be worked out from the totals (see suppress).
    hidden: str = ""


@dataclass
class GroupTable:
    dimension: Dimension
    cells: list[GroupCell] = field(default_factory=list)

    @property
    def any_hidden(self) -> bool:
        return any(cell.hidden for cell in self.cells)


def suppress(cells: list[GroupCell], minimum: int = MIN_CELL) -> None:
    """Hide every cell with fewer than ``minimum`` people (``small``), then enough other cells
    (``complement``) that the small ones cannot be worked out from the totals.

    The number of people who answered is the same for every question (each person answers all
    four, "I prefer not to say" included), so anyone can take the total from a question whose
    groups are all shown and subtract the shown cells of another. Hiding one small cell alone
    would reveal it. So whenever the hidden cells hold someone but fewer than ``minimum``
    people together, the smallest shown cell is hidden too, until they hold at least
    ``minimum``: the most anyone can work out is the sum of the hidden cells, itself a group of
    at least ``minimum`` people. Empty cells are hidden like any small cell, but need no
    complement: a sum of zero reveals nobody. Rounding was the other choice; it keeps more
    numbers on the page, but with few groups it still narrows a small cell down.
    The proposals of a hidden group are hidden with it.
    """
    hidden = [c for c in cells if c.people < minimum]
    for cell in hidden:
        cell.hidden = "small"
    shown = sorted((c for c in cells if c.people >= minimum), key=lambda c: c.people)
    while shown and 0 < sum(c.people for c in hidden) < minimum:
        cell = shown.pop(0)
        cell.hidden = "complement"
        hidden.append(cell)


def _live_answers():
    """Answers of people whose consent for this purpose is live (the row is deleted with the
    consent, but a consent withdrawn elsewhere must hide the row at once, too)."""
    return (
        select(Demographics)
        .join(
            Consent,
            (Consent.user_id == Demographics.user_id)
            & (Consent.purpose == ConsentPurpose.DEMOGRAPHICS)
            & Consent.withdrawn_at.is_(None),
        )
        .subquery()
    )


def group_tables(council: Council, *, now: datetime | None = None) -> tuple[int, list[GroupTable]]:
    """(people who answered, one table per question). Two queries: each groups by all four
    answers at once, and the tables are the margins of that cross-table, so no single
    combination of answers ever leaves this function."""
    since = (now or utcnow()) - timedelta(days=FIGURES_DAYS)
    live = _live_answers()
    columns = [live.c[name] for name in DIMENSION_NAMES]
    people_rows = db.session.execute(select(*columns, func.count()).group_by(*columns)).all()
    proposal_rows = db.session.execute(
        select(*columns, func.count(Proposal.id))
        .join(Proposal, Proposal.author_id == live.c.user_id)
        .where(*_published_since(council.id, since))
        .group_by(*columns)
    ).all()
    total = sum(row[-1] for row in people_rows)
    tables = []
    for index, dimension in enumerate(DIMENSIONS):
        cells = {v: GroupCell(v, dimension.label_of(v)) for v in dimension.values}
        for row in people_rows:
            if row[index] in cells:
                cells[row[index]].people += row[-1]
        for row in proposal_rows:
            if row[index] in cells:
                cells[row[index]].proposals += row[-1]
        table = GroupTable(dimension, list(cells.values()))
        if total < MIN_CELL:
            for cell in table.cells:
                cell.hidden = "small"
        else:
            suppress(table.cells)
        tables.append(table)
    return total, tables
