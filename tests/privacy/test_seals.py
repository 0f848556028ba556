"""Daily seals over the traffic records: a record changed, added or deleted outside the
retention run, or a seal deleted, names its day; the retention purge keeps the rest verifiable."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, update

from katilim.extensions import db
from katilim.privacy import seals
from katilim.privacy.models import TrafficRecord, TrafficSeal
from katilim.privacy.retention import run_retention
from katilim.privacy.seals import GENESIS, seal_finished_days, verify_chain
from tests.test_migrations import cli

DAY1, DAY2, DAY3, DAY4 = (date(2026, 3, 10) + timedelta(days=n) for n in range(4))


def local_midnight(day: date) -> datetime:
    """Days are the council's (BABEL_DEFAULT_TIMEZONE), as /admin/traffic shows them."""
    return datetime.combine(day, time.min, ZoneInfo("Europe/Istanbul")).astimezone(UTC)


# 04:00 in Istanbul on the day after DAY4: DAY1-DAY4 are finished, DAY5 is not.
NOW = local_midnight(DAY4 + timedelta(days=1)) + timedelta(hours=4)
PERIOD = 730


def at(day: date, hour: int, minute: int = 0):
    return local_midnight(day) + timedelta(hours=hour, minutes=minute)


def add_record(moment, path="/proposals/1/vote", user_id=7) -> TrafficRecord:
    record = TrafficRecord(
        created_at=moment,
        address="198.51.100.4",
        method="POST",
        path=path,
        status_code=302,
        user_id=user_id,
    )
    db.session.add(record)
    db.session.flush()
    return record


@pytest.fixture
def sealed(ctx):
    """Records on DAY1, DAY2 (three, one a second before midnight) and DAY4; DAY3 has none.
    All four days sealed."""
    ids = {
        "day1": add_record(at(DAY1, 9)).id,
        "day2_first": add_record(at(DAY2, 0)).id,
        "day2": add_record(at(DAY2, 12), path="/auth/login", user_id=None).id,
        "day2_last": add_record(local_midnight(DAY3) - timedelta(microseconds=1)).id,
        "day4": add_record(at(DAY4, 18)).id,
    }
    run = seal_finished_days(NOW)
    db.session.commit()
    assert run.days == [DAY1, DAY2, DAY3, DAY4]
    return ids


def check():
    return verify_chain(PERIOD, now=NOW)


def test_each_finished_day_is_sealed_once_in_a_chain(sealed):
    rows = db.session.scalars(select(TrafficSeal).order_by(TrafficSeal.day)).all()
    assert [(s.day, s.record_count) for s in rows] == [(DAY1, 1), (DAY2, 3), (DAY3, 0), (DAY4, 1)]
    assert rows[0].previous_hash == GENESIS
    assert [s.previous_hash for s in rows[1:]] == [s.seal_hash for s in rows[:-1]]
    assert seal_finished_days(NOW).days == []  # nothing left to seal
    result = check()
    assert result.ok, result.problem
    assert (result.days, result.records, result.head) == (4, 5, rows[-1].seal_hash)


def test_a_day_is_sealed_only_an_hour_after_it_ended(ctx):
    add_record(at(DAY1, 23, 59))
    assert seal_finished_days(local_midnight(DAY2) + timedelta(minutes=59)).days == []
    assert seal_finished_days(local_midnight(DAY2) + timedelta(hours=1)).days == [DAY1]


@pytest.mark.parametrize(
    ("tamper", "day", "problem"),
    [
        (
            lambda ids: (
                update(TrafficRecord)
                .where(TrafficRecord.id == ids["day2"])
                .values(address="203.0.113.9")
            ),
            DAY2,
            "its 3 record(s) or its seal were changed after it was sealed",
        ),
        (
            lambda ids: (
                update(TrafficRecord).where(TrafficRecord.id == ids["day4"]).values(user_id=None)
            ),
            DAY4,
            "its 1 record(s) or its seal were changed after it was sealed",
        ),
        (
            lambda ids: delete(TrafficRecord).where(TrafficRecord.id == ids["day2_last"]),
            DAY2,
            "it has 2 record(s), 3 when it was sealed (records were added or deleted)",
        ),
        (
            lambda ids: delete(TrafficRecord).where(TrafficRecord.id == ids["day1"]),
            DAY1,
            "it has 0 record(s), 1 when it was sealed (records were added or deleted)",
        ),
        (  # a record moved to another day
            lambda ids: (
                update(TrafficRecord)
                .where(TrafficRecord.id == ids["day2_first"])
                .values(created_at=at(DAY3, 8))
            ),
            DAY2,
            "it has 2 record(s), 3 when it was sealed (records were added or deleted)",
        ),
        (
            lambda ids: delete(TrafficSeal).where(TrafficSeal.day == DAY3),
            DAY3,
            "its seal is missing",
        ),
        (
            lambda ids: delete(TrafficSeal).where(TrafficSeal.day == DAY1),
            DAY1,
            "it has records, but no seal",
        ),
        (
            lambda ids: (
                update(TrafficSeal)
                .where(TrafficSeal.day == DAY2)
                .values(record_count=TrafficSeal.record_count - 1)
            ),
            DAY2,
            "it has 3 record(s), 2 when it was sealed (records were added or deleted)",
        ),
        (
            lambda ids: (
                update(TrafficSeal).where(TrafficSeal.day == DAY4).values(previous_hash="f" * 64)
            ),
            DAY4,
            "its seal does not follow the previous day's seal",
        ),
    ],
    ids=[
        "record changed",
        "user removed from a record",
        "record deleted",
        "last record of a day deleted",
        "record moved to another day",
        "seal in the middle deleted",
        "first seal deleted",
        "seal count changed",
        "seal link changed",
    ],
)
def test_a_change_outside_the_retention_run_names_its_day(sealed, tamper, day, problem):
    db.session.execute(tamper(sealed))
    db.session.commit()
    result = check()
    assert (result.broken_day, result.problem) == (day, problem)


def test_a_record_added_to_a_sealed_day_names_it(sealed):
    add_record(at(DAY3, 15))
    db.session.commit()
    result = check()
    assert result.broken_day == DAY3
    assert (
        result.problem == "it has 1 record(s), 0 when it was sealed (records were added or deleted)"
    )


def test_a_seal_recomputed_without_the_key_does_not_hold(sealed, app):
    """Whoever can write to the database but has not the key cannot re-seal a changed day."""
    db.session.execute(
        update(TrafficRecord).where(TrafficRecord.id == sealed["day2"]).values(path="/elsewhere")
    )
    app.config["TRAFFIC_SEAL_KEY"] = "a key guessed by someone with database access only"
    try:
        day2 = db.session.get(TrafficSeal, DAY2)
        _, forged = seals._seal(DAY2, day2.previous_hash, seals._day_records(DAY2))
    finally:
        app.config["TRAFFIC_SEAL_KEY"] = ""
    day2.seal_hash = forged
    db.session.commit()
    result = check()
    assert (result.broken_day, result.problem) == (
        DAY2,
        "its 3 record(s) or its seal were changed after it was sealed",
    )


def test_the_oldest_days_deleted_before_their_period_are_named(sealed):
    db.session.execute(delete(TrafficRecord).where(TrafficRecord.created_at < local_midnight(DAY2)))
    db.session.execute(delete(TrafficSeal).where(TrafficSeal.day < DAY2))
    db.session.commit()
    result = check()
    assert result.broken_day == DAY1
    assert result.problem.startswith("it is missing with its records and seal, though only days")


def test_the_retention_purge_keeps_the_rest_of_the_chain_verifiable(sealed):
    later = at(DAY3, 12) + timedelta(days=PERIOD)  # DAY1 and DAY2 are wholly past the period
    add_record(later - timedelta(days=3))
    run = run_retention(now=later)
    db.session.commit()
    assert run.removed["traffic_records"] == 4  # DAY1, DAY2: whole days
    assert run.removed["traffic_seals"] == 2
    assert db.session.scalar(select(func.min(TrafficSeal.day))) == DAY3
    result = verify_chain(PERIOD, now=later)
    assert result.ok, result.problem
    assert result.first_day == DAY3 and result.anchor != GENESIS
    assert result.records == 2 and result.unsealed_days == 0


def test_the_command_names_the_first_broken_day_and_fails(app, sealed, monkeypatch):
    monkeypatch.setattr(seals, "utcnow", lambda: NOW)
    result = cli(app, "verify-traffic")
    assert result.exit_code == 0, result.output
    assert "Traffic records verified: 4 day(s), 2026-03-10 to 2026-03-13, 5 record(s)." in (
        result.output
    )
    with app.app_context():
        db.session.execute(delete(TrafficSeal).where(TrafficSeal.day == DAY3))
        db.session.execute(
            update(TrafficRecord).where(TrafficRecord.id == sealed["day4"]).values(status_code=200)
        )
        db.session.commit()
    result = cli(app, "verify-traffic")
    assert result.exit_code == 1
    assert result.output.splitlines()[-2:] == [
        "2 day(s) verified from 2026-03-10 to 2026-03-11.",
        "Broken: 2026-03-12: its seal is missing.",
    ]


def test_the_command_before_any_seal(app, monkeypatch):
    monkeypatch.setattr(seals, "utcnow", lambda: NOW)
    with app.app_context():
        add_record(at(DAY3, 10))
        db.session.commit()
    result = cli(app, "verify-traffic")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "No traffic records are sealed yet (the retention run seals each finished day).",
        "2 finished day(s) not sealed yet; the next retention run seals them.",
    ]
