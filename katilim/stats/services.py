"""Each body's public response record, and the monthly figures behind the charts.

What is measured follows the lifecycle in docs/rules.md#lifecycle.

Everything here reads; nothing writes. The figures come from the accountability columns kept in
the proposal row (published_at, first_answer_at, forwarded_on, agenda_on, status), so a whole
council's record takes a fixed, small number of queries however many bodies and proposals
there are: one grouped count, one fetch of the date pairs that medians need, and one row of
monthly counts. Medians are computed in Python because SQLite has no percentile function.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import pairwise
from statistics import median
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select

from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.organization.models import Body, Council
from katilim.organization.services import list_bodies
from katilim.proposals.deadlines import overdue_condition
from katilim.proposals.models import Proposal, ProposalStatus
from katilim.proposals.visibility import is_received, is_received_by_any

S = ProposalStatus
# A proposal still waiting for its first public answer can only be in one of these.
AWAITING_ANSWER = (S.NEW, S.UNDER_REVIEW)
DECISIONS = (S.ACCEPTED, S.REJECTED, S.FORWARDED, S.IMPLEMENTED, S.CLOSED)
MONTHS = 12
SECONDS_PER_DAY = 86_400


class AnswerFigures:
    """What a record says of answers, from its counts and raw durations."""

    received: int
    answered: int
    answer_days: list[float]

    @property
    def answered_share(self) -> float | None:
        return self.answered / self.received if self.received else None

    @property
    def median_days_to_answer(self) -> float | None:
        return median(self.answer_days) if self.answer_days else None


@dataclass
class BodyRecord(AnswerFigures):
    """A body's public response record at a moment (``now``).

    - ``received``: published proposals routed to the body (any status but draft), hidden ones
      included: they were received even if they broke the rules.
    - ``answered``: received proposals with a first public answer (``first_answer_at`` set).
    - ``answered_share``: answered / received; ``None`` when nothing was received.
    - ``median_days_to_answer``: median of (first_answer_at − published_at) in days, over the
      answered proposals; ``None`` when none was answered.
    - ``overdue``: proposals in ``new`` or ``under_review`` with no public answer, published
      longer ago than the body's own ``response_days``.
    - ``accepted`` … ``closed``: received proposals whose *current* status is that decision.
    - ``median_days_to_agenda``: median of (agenda_on − forwarded_on) in days, over proposals
      with both dates (Belediye Kanunu 5393 art. 76); ``None`` when there are none.

    ``body`` is ``None`` for the council's totals (see :func:`council_total`).
    """

    body: Body | None
    received: int = 0
    answered: int = 0
    overdue: int = 0
    accepted: int = 0
    rejected: int = 0
    forwarded: int = 0
    implemented: int = 0
    closed: int = 0
    # The raw durations, kept so that totals take the median of all of them: a median of
    # medians would weigh a body with two proposals like one with two hundred.
    answer_days: list[float] = field(default_factory=list, repr=False)
    agenda_days: list[int] = field(default_factory=list, repr=False)

    @property
    def median_days_to_agenda(self) -> float | None:
        return median(self.agenda_days) if self.agenda_days else None


@dataclass(frozen=True)
class MonthFigures:
    """One calendar month (in the council's time zone): proposals received and answered in it.

    ``month`` is the first day of the month. ``received`` counts proposals by ``published_at``,
    ``answered`` counts proposals by ``first_answer_at``: an answer in March to a January
    proposal counts in January's ``received`` and March's ``answered``.
    """

    month: date
    received: int
    answered: int


def _records(council_id: int, bodies: list[Body], now: datetime) -> list[BodyRecord]:
    """The records of ``bodies`` in two queries: grouped counts, then the date pairs."""
    records = {body.id: BodyRecord(body) for body in bodies}
    if not records:
        return []
    scope = (is_received(council_id), Proposal.body_id.in_(list(records)))

    def count_status(status: ProposalStatus):
        return func.count(case((Proposal.status == status, 1)))

    counts = db.session.execute(
        select(
            Proposal.body_id,
            func.count(),
            func.count(Proposal.first_answer_at),
            func.count(case((overdue_condition(bodies, now), 1))),
            *(count_status(status) for status in DECISIONS),
        )
        .where(*scope)
        .group_by(Proposal.body_id)
    )
    for body_id, received, answered, overdue, *decisions in counts:
        record = records[body_id]
        record.received, record.answered, record.overdue = received, answered, overdue
        for status, number in zip(DECISIONS, decisions, strict=True):
            setattr(record, status.value, number)

    pairs = db.session.execute(
        select(
            Proposal.body_id,
            Proposal.published_at,
            Proposal.first_answer_at,
            Proposal.forwarded_on,
            Proposal.agenda_on,
        ).where(
            *scope,
            or_(
                Proposal.first_answer_at.is_not(None),
                and_(Proposal.forwarded_on.is_not(None), Proposal.agenda_on.is_not(None)),
            ),
        )
    )
    for body_id, published_at, first_answer_at, forwarded_on, agenda_on in pairs:
        if body_id is None or published_at is None:  # the scope reads published, routed ones
            continue
        record = records[body_id]
        if first_answer_at is not None:
            seconds = (first_answer_at - published_at).total_seconds()
            record.answer_days.append(seconds / SECONDS_PER_DAY)
        if forwarded_on is not None and agenda_on is not None:
            record.agenda_days.append((agenda_on - forwarded_on).days)
    for record in records.values():
        record.answer_days.sort()
        record.agenda_days.sort()
    return list(records.values())


def _utc(now: datetime | None) -> datetime:
    # SQLite compares datetimes as text, so every bound value must be in UTC.
    return (now or utcnow()).astimezone(UTC)


def body_record(body: Body, *, now: datetime | None = None) -> BodyRecord:
    """One body's record at ``now`` (default: the current time), in two queries."""
    (record,) = _records(body.council_id, [body], _utc(now))
    return record


def council_records(council: Council, *, now: datetime | None = None) -> list[BodyRecord]:
    """The record of every active body of the council, in the bodies' order, in three queries."""
    return _records(council.id, list_bodies(council), _utc(now))


def council_total(records: list[BodyRecord]) -> BodyRecord:
    """The council's totals over the given records (medians over all their proposals)."""
    total = BodyRecord(None)
    for record in records:
        for name in ("received", "answered", "overdue", *(s.value for s in DECISIONS)):
            setattr(total, name, getattr(total, name) + getattr(record, name))
        total.answer_days.extend(record.answer_days)
        total.agenda_days.extend(record.agenda_days)
    total.answer_days.sort()
    total.agenda_days.sort()
    return total


def month_starts(now: datetime, tz: ZoneInfo, months: int = MONTHS) -> list[datetime]:
    """The starts of the last ``months`` calendar months in ``tz`` (the current one last),
    plus the start of the next month, as UTC datetimes: ``months + 1`` boundaries.

    Computed in local time and converted afterwards, so that a proposal published at 00:30 on
    1 April in Istanbul (21:30 UTC on 31 March) counts in April.
    """
    local = now.astimezone(tz)
    year, month = local.year, local.month
    starts = []
    for _step in range(months):
        starts.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    starts.reverse()
    year, month = starts[-1]
    starts.append((year, month + 1) if month < 12 else (year + 1, 1))
    return [datetime(y, m, 1, tzinfo=tz).astimezone(UTC) for y, m in starts]


def monthly_series(
    council: Council, *, body: Body | None = None, now: datetime | None = None
) -> list[MonthFigures]:
    """Received and answered proposals per calendar month, for the last 12 months.

    Months are those of the council's time zone (config ``BABEL_DEFAULT_TIMEZONE``), the
    current month last. ``body=None`` covers every active body of the council (the same scope
    as the totals of :func:`council_records`). One query returning one row: each month is a
    pair of conditional counts, which works the same on SQLite and PostgreSQL and needs no
    date functions of either.
    """
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    bounds = month_starts(_utc(now), tz)
    query = select(
        *(
            func.count(case((and_(column >= start, column < end), 1)))
            for column in (Proposal.published_at, Proposal.first_answer_at)
            for start, end in pairwise(bounds)
        )
    ).where(
        is_received(council.id),
        or_(Proposal.published_at >= bounds[0], Proposal.first_answer_at >= bounds[0]),
    )
    if body is not None:
        query = query.where(Proposal.body_id == body.id)
    else:
        active = select(Body.id).where(Body.council_id == council.id, Body.is_active.is_(True))
        query = query.where(Proposal.body_id.in_(active))
    row = db.session.execute(query).one()
    received, answered = row[:MONTHS], row[MONTHS:]
    return [
        MonthFigures(start.astimezone(tz).date(), received[i], answered[i])
        for i, start in enumerate(bounds[:MONTHS])
    ]


def records_csv(records: list[BodyRecord], total: BodyRecord) -> str:
    """The /stats table as CSV: a header row in the reader's language, one row per body, then
    the totals. Numbers are plain (a dot for decimals, shares as fractions) for spreadsheets
    and scripts; an empty cell means there is nothing to count."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            _("Body"),
            _("Identifier"),
            _("Received"),
            _("Answered"),
            _("Share answered"),
            _("Median days to the first answer"),
            _("Overdue"),
            _("Accepted"),
            _("Rejected"),
            _("Forwarded"),
            _("Implemented"),
            _("Closed"),
            _("Median days from forwarding to the agenda"),
        ]
    )

    def plain(value: float | None, digits: int) -> str:
        # "4", not "4.0"; "0.75", not "0.7500".
        return "" if value is None else f"{value:.{digits}f}".rstrip("0").rstrip(".")

    for record in [*records, total]:
        body = record.body
        writer.writerow(
            [
                body.name if body else _("All bodies"),
                body.slug if body else "",
                record.received,
                record.answered,
                plain(record.answered_share, 4),
                plain(record.median_days_to_answer, 1),
                record.overdue,
                *(getattr(record, status.value) for status in DECISIONS),
                plain(record.median_days_to_agenda, 1),
            ]
        )
    return out.getvalue()


# --- a province's district councils, side by side ------------------------------------------

PER_RESIDENTS = 10_000


@dataclass
class CouncilRecord(AnswerFigures):
    """A district council's public record, as its provincial council shows it: the proposals
    its bodies received (as ``received`` in :class:`BodyRecord`), the share answered in public,
    the median days to the first answer, and proposals per 10,000 residents of its area."""

    council: Council
    received: int = 0
    answered: int = 0
    answer_days: list[float] = field(default_factory=list, repr=False)

    @property
    def per_residents(self) -> float | None:
        population = self.council.population
        return self.received * PER_RESIDENTS / population if population else None


def district_councils(parent: Council) -> list[Council]:
    return list(
        db.session.scalars(
            select(Council).where(Council.parent_id == parent.id).order_by(Council.slug)
        )
    )


def district_council_records(parent: Council) -> list[CouncilRecord]:
    """Each district council of ``parent`` with its record, in three queries however many
    councils and proposals there are."""
    records = {c.id: CouncilRecord(c) for c in district_councils(parent)}
    if not records:
        return []
    scope = (is_received_by_any(list(records)), Proposal.body_id.is_not(None))
    counts = db.session.execute(
        select(Proposal.council_id, func.count(), func.count(Proposal.first_answer_at))
        .where(*scope)
        .group_by(Proposal.council_id)
    )
    for council_id, received, answered in counts:
        records[council_id].received, records[council_id].answered = received, answered
    pairs = db.session.execute(
        select(Proposal.council_id, Proposal.published_at, Proposal.first_answer_at).where(
            *scope, Proposal.first_answer_at.is_not(None)
        )
    )
    for council_id, published_at, first_answer_at in pairs:
        if published_at is None or first_answer_at is None:  # the scope reads both
            continue
        seconds = (first_answer_at - published_at).total_seconds()
        records[council_id].answer_days.append(seconds / SECONDS_PER_DAY)
    for record in records.values():
        record.answer_days.sort()
    return sorted(records.values(), key=lambda r: r.council.turkish_name.casefold())
