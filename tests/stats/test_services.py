"""Each body's public record and the monthly series (katilim.stats.services), on known data."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from katilim.extensions import db
from katilim.organization.models import Body, BodyKind, Council
from katilim.proposals.models import ProposalStatus
from katilim.stats.services import (
    body_record,
    council_records,
    council_total,
    month_starts,
    monthly_series,
)
from tests.factories import get_council, make_body, make_proposal

S = ProposalStatus
NOW = datetime(2026, 11, 15, 9, 0, tzinfo=UTC)
ISTANBUL = ZoneInfo("Europe/Istanbul")


def received(
    body: Body,
    *,
    days_ago: float | None = None,
    published_at: datetime | None = None,
    answered_after: float | None = None,
    answered_at: datetime | None = None,
    status: ProposalStatus = S.NEW,
    hidden: bool = False,
    forwarded_on: date | None = None,
    agenda_on: date | None = None,
):
    """A published proposal of the body with its accountability fields set on the row."""
    proposal = make_proposal(body=body, status=status)
    proposal.published_at = published_at or NOW - timedelta(days=days_ago or 0)
    if answered_after is not None:
        proposal.first_answer_at = proposal.published_at + timedelta(days=answered_after)
    if answered_at is not None:
        proposal.first_answer_at = answered_at
    proposal.is_hidden = hidden
    proposal.forwarded_on, proposal.agenda_on = forwarded_on, agenda_on
    db.session.flush()
    return proposal


def test_received_answered_share_and_median_days_to_the_first_answer(ctx):
    body = make_body()
    received(body, days_ago=40, answered_after=2)
    received(body, days_ago=40, answered_after=4.5, status=S.UNDER_REVIEW)
    received(body, days_ago=40, answered_after=9, status=S.ACCEPTED)
    received(body, days_ago=3)
    make_proposal(body=body, status=S.DRAFT)  # a draft was never received

    record = body_record(body, now=NOW)

    assert (record.received, record.answered) == (4, 3)
    assert record.answered_share == 0.75
    assert record.median_days_to_answer == 4.5


def test_median_days_to_the_first_answer_keeps_fractions_and_averages_an_even_count(ctx):
    body = make_body()
    received(body, days_ago=50, answered_after=1)
    received(body, days_ago=50, answered_after=1.5)
    received(body, days_ago=50, answered_after=3)
    received(body, days_ago=50, answered_after=20)

    assert body_record(body, now=NOW).median_days_to_answer == pytest.approx(2.25)


def test_overdue_uses_each_body_own_response_days(ctx):
    quick, default = make_body(response_days=10), make_body()
    assert default.response_days == 30
    received(quick, days_ago=11)  # overdue
    received(quick, days_ago=20, status=S.UNDER_REVIEW)  # overdue
    received(quick, days_ago=10)  # exactly on the deadline: not yet overdue
    received(quick, days_ago=9)
    received(quick, days_ago=20, answered_after=15)  # answered late, but answered
    received(quick, days_ago=20, status=S.ACCEPTED)  # decided, even without an answer text
    received(quick, days_ago=20, status=S.WITHDRAWN)
    received(default, days_ago=20)
    received(default, days_ago=31)  # overdue

    assert body_record(quick, now=NOW).overdue == 2
    assert body_record(default, now=NOW).overdue == 1
    by_body = {r.body.id: r.overdue for r in council_records(get_council(), now=NOW)}
    assert by_body == {quick.id: 2, default.id: 1}


def test_decisions_count_the_current_status(ctx):
    body = make_body()
    for status in (S.ACCEPTED, S.ACCEPTED, S.REJECTED, S.FORWARDED, S.IMPLEMENTED, S.CLOSED):
        received(body, days_ago=60, answered_after=5, status=status)
    received(body, days_ago=60, status=S.WITHDRAWN)  # received, but no decision

    record = body_record(body, now=NOW)

    assert record.received == 7
    assert (record.accepted, record.rejected, record.forwarded) == (2, 1, 1)
    assert (record.implemented, record.closed) == (1, 1)


def test_days_from_forwarding_to_the_agenda(ctx):
    body = make_body()
    received(body, days_ago=90, status=S.FORWARDED, forwarded_on=date(2026, 9, 1))  # no agenda
    for days in (10, 40, 20):
        received(
            body,
            days_ago=90,
            status=S.IMPLEMENTED,
            forwarded_on=date(2026, 9, 1),
            agenda_on=date(2026, 9, 1) + timedelta(days=days),
        )

    record = body_record(body, now=NOW)

    assert record.median_days_to_agenda == 20
    assert record.answered == 0  # dates of the municipal council are not a public answer


def test_a_body_without_proposals_has_zeros_and_no_medians(ctx):
    busy, quiet = make_body(), make_body()
    received(busy, days_ago=5, answered_after=1)

    record = body_record(quiet, now=NOW)

    assert (record.received, record.answered, record.overdue) == (0, 0, 0)
    assert record.answered_share is None
    assert record.median_days_to_answer is None
    assert record.median_days_to_agenda is None
    records = council_records(get_council(), now=NOW)
    assert [r.body.id for r in records] == [busy.id, quiet.id]  # every active body is listed
    assert records[1].received == 0


def test_hidden_proposals_count_as_received(ctx):
    body = make_body()
    received(body, days_ago=40, hidden=True)
    received(body, days_ago=40, answered_after=3, hidden=True)

    record = body_record(body, now=NOW)

    assert (record.received, record.answered, record.overdue) == (2, 1, 1)


def test_other_councils_bodies_and_inactive_bodies_are_not_mixed_in(ctx):
    kocaeli = get_council()
    mine, neighbour, closed_down = make_body(), make_body(), make_body()
    closed_down.is_active = False
    sakarya = Council(slug="sakarya", names={"tr": "Sakarya Kent Konseyi"})
    db.session.add(sakarya)
    db.session.flush()
    foreign = Body(council_id=sakarya.id, kind=BodyKind.ASSEMBLY, slug="genclik", names={})
    db.session.add(foreign)
    db.session.flush()
    received(mine, days_ago=40, answered_after=1)
    received(neighbour, days_ago=40)
    received(neighbour, days_ago=40)
    received(closed_down, days_ago=40)
    elsewhere = received(mine, days_ago=40, answered_after=100)
    elsewhere.council_id, elsewhere.body_id = sakarya.id, foreign.id
    db.session.flush()

    records = {r.body.id: r for r in council_records(kocaeli, now=NOW)}

    assert set(records) == {mine.id, neighbour.id}
    assert (records[mine.id].received, records[mine.id].median_days_to_answer) == (1, 1)
    assert records[neighbour.id].received == 2
    assert body_record(foreign, now=NOW).received == 1
    months = monthly_series(kocaeli, now=NOW)
    assert sum(m.received for m in months) == 3  # the closed-down body and Sakarya left out
    assert sum(m.received for m in monthly_series(kocaeli, body=mine, now=NOW)) == 1


def test_council_total_takes_the_median_over_all_proposals(ctx):
    small, large = make_body(), make_body()
    for days in (1, 2, 3):
        received(large, days_ago=200, answered_after=days, status=S.ACCEPTED)
    received(small, days_ago=200, answered_after=100, status=S.REJECTED)
    received(small, days_ago=200)

    total = council_total(council_records(get_council(), now=NOW))

    assert total.body is None
    assert (total.received, total.answered, total.overdue) == (5, 4, 1)
    assert (total.accepted, total.rejected) == (3, 1)
    assert total.median_days_to_answer == 2.5  # not the median of the medians, (2 + 100) / 2


def test_month_starts_are_local_month_starts_in_istanbul():
    starts = month_starts(NOW, ISTANBUL)

    assert len(starts) == 13
    assert starts[0] == datetime(2025, 11, 30, 21, 0, tzinfo=UTC)  # 1 Dec 2025, 00:00 (UTC+3)
    assert starts[-2] == datetime(2026, 10, 31, 21, 0, tzinfo=UTC)  # 1 Nov 2026
    assert starts[-1] == datetime(2026, 11, 30, 21, 0, tzinfo=UTC)  # 1 Dec 2026


def test_the_current_month_is_the_istanbul_month_around_new_year():
    # 22:30 UTC on 31 December is already 01:30 on 1 January in Istanbul.
    starts = month_starts(datetime(2026, 12, 31, 22, 30, tzinfo=UTC), ISTANBUL)

    local = [s.astimezone(ISTANBUL).date() for s in starts]
    assert local[0] == date(2026, 2, 1)
    assert local[-2] == date(2027, 1, 1)
    assert local[-1] == date(2027, 2, 1)


def test_monthly_series_buckets_by_istanbul_calendar_months(ctx):
    body = make_body()
    # 23:59 on 31 March in Istanbul: March.
    received(body, published_at=datetime(2026, 3, 31, 20, 59, tzinfo=UTC))
    # 00:00 on 1 April in Istanbul, still 31 March in UTC: April.
    received(body, published_at=datetime(2026, 3, 31, 21, 0, tzinfo=UTC))
    # 00:30 on 1 December 2025 in Istanbul: the first month shown.
    received(body, published_at=datetime(2025, 11, 30, 21, 30, tzinfo=UTC))
    # 23:00 on 30 November 2025 in Istanbul: too old to show, but answered in January.
    received(
        body,
        published_at=datetime(2025, 11, 30, 20, 0, tzinfo=UTC),
        answered_at=datetime(2026, 1, 5, 10, 0, tzinfo=UTC),
    )
    # Published in October, answered on 1 November in Istanbul (31 October in UTC).
    received(
        body,
        published_at=datetime(2026, 10, 20, 8, 0, tzinfo=UTC),
        answered_at=datetime(2026, 10, 31, 21, 15, tzinfo=UTC),
        status=S.UNDER_REVIEW,
    )
    received(body, published_at=datetime(2026, 11, 14, 8, 0, tzinfo=UTC), hidden=True)
    make_proposal(body=body, status=S.DRAFT)  # never published: in no month

    series = monthly_series(get_council(), body=body, now=NOW)

    assert [m.month for m in series] == [date(2025, 12, 1)] + [
        date(2026, month, 1) for month in range(1, 12)
    ]
    by_month = {m.month: (m.received, m.answered) for m in series}
    assert by_month == {
        date(2025, 12, 1): (1, 0),
        date(2026, 1, 1): (0, 1),
        date(2026, 2, 1): (0, 0),
        date(2026, 3, 1): (1, 0),
        date(2026, 4, 1): (1, 0),
        date(2026, 5, 1): (0, 0),
        date(2026, 6, 1): (0, 0),
        date(2026, 7, 1): (0, 0),
        date(2026, 8, 1): (0, 0),
        date(2026, 9, 1): (0, 0),
        date(2026, 10, 1): (1, 0),
        date(2026, 11, 1): (1, 1),
    }


@pytest.mark.parametrize("how_many", [2, 20])
def test_services_run_a_fixed_number_of_queries(app, count_queries, how_many):
    with app.app_context():
        bodies = [make_body(response_days=(10, 20, 30)[i % 3]) for i in range(how_many)]
        for i, body in enumerate(bodies):
            received(body, days_ago=40 + i, answered_after=i % 5)
            received(body, days_ago=40, forwarded_on=date(2026, 9, 1), agenda_on=date(2026, 9, 9))
        db.session.commit()
        council, first = get_council(), bodies[0]
        with count_queries() as all_bodies:
            records = council_records(council, now=NOW)
        with count_queries() as one_body:
            body_record(first, now=NOW)
        with count_queries() as months:
            monthly_series(council, now=NOW)
        db.session.remove()

    assert len(records) == how_many
    assert (all_bodies.count, one_body.count, months.count) == (3, 2, 1)
