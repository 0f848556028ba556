"""Daily seals over the Law 5651 traffic records, so that a record changed afterwards shows.

Law 5651's rules ask a host to keep traffic records accurate, whole and confidential. Each
finished day (a calendar day in the council's time zone) gets one TrafficSeal: an HMAC-SHA256
over the day, the previous day's seal, and every record of the day in id order. Every seal thus
depends on all earlier ones. ``verify_chain`` recomputes them and names the first day that no
longer matches: a record changed, added or deleted, a seal changed or deleted. The retention
run seals the finished days (``seal_finished_days``) before it removes the oldest ones, seals
and all; the oldest remaining seal's ``previous_hash`` is then the chain's anchor.

The key is TRAFFIC_SEAL_KEY, or one derived from SECRET_KEY. Someone who can write to the
database but has not the key (a database administrator, a leaked database password, an
injected statement) cannot change a sealed day and make a seal that matches. It does not
protect against someone who has the application's settings (they can recompute every seal),
nor the day not sealed yet, nor cutting off the chain's newest days together with their seals:
for that, keep the chain head each retention run prints (the journal, the audit log) somewhere
the database's users cannot write, and compare it with what ``verify-traffic`` prints.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from katilim.core.dates import local_midnight
from katilim.core.models import utcnow
from katilim.extensions import db
from katilim.privacy.models import TrafficRecord, TrafficSeal

GENESIS = "0" * 64  # the previous hash of the very first seal
# A day is sealed once it ended this long ago: a request of 23:59:59 has written its record by
# then, also from an application server whose clock is a little behind.
SEAL_AFTER = timedelta(hours=1)
ONE_DAY = timedelta(days=1)
_KEY_PURPOSE = b"katilim.traffic-seal.v1"
_FORMAT = "katilim-traffic-seal-v1"


def _key() -> bytes:
    configured = current_app.config.get("TRAFFIC_SEAL_KEY") or ""
    if configured:
        return configured.encode()
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, _KEY_PURPOSE, hashlib.sha256).digest()


def local_day(moment: datetime) -> date:
    """The calendar day of a moment in the council's time zone (as /admin/traffic shows it)."""
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def _day_records(day: date) -> Iterable[tuple]:
    return db.session.execute(
        select(
            TrafficRecord.id,
            TrafficRecord.created_at,
            TrafficRecord.address,
            TrafficRecord.method,
            TrafficRecord.path,
            TrafficRecord.status_code,
            TrafficRecord.user_id,
        )
        .where(
            TrafficRecord.created_at >= local_midnight(day),
            TrafficRecord.created_at < local_midnight(day + ONE_DAY),
        )
        .order_by(TrafficRecord.id)
    )


def _seal(day: date, previous_hash: str, records: Iterable[tuple]) -> tuple[int, str]:
    """(record count, seal) of one day. Each record is one JSON line, so no text in a path
    can pass for a record boundary."""
    mac = hmac.new(_key(), f"{_FORMAT}\n{day.isoformat()}\n{previous_hash}\n".encode(), "sha256")
    count = 0
    for record_id, created_at, *rest in records:
        stamp = created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        line = json.dumps([record_id, stamp, *rest], ensure_ascii=False, separators=(",", ":"))
        mac.update(line.encode() + b"\n")
        count += 1
    mac.update(f"{count}\n".encode())
    return count, mac.hexdigest()


def days_to_seal(now: datetime) -> list[date]:
    """The finished days not sealed yet, oldest first: from the day after the newest seal (or
    the day of the oldest record, before the first seal) to the last day that ended at least
    SEAL_AFTER before ``now``. Days without records are sealed too, with a count of 0."""
    last = db.session.scalar(select(func.max(TrafficSeal.day)))
    if last is None:
        oldest = db.session.scalar(select(func.min(TrafficRecord.created_at)))
        if oldest is None:
            return []
        start = local_day(oldest)
    else:
        start = last + ONE_DAY
    end = local_day(now - SEAL_AFTER) - ONE_DAY
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


@dataclass
class SealRun:
    days: list[date] = field(default_factory=list)
    head: str | None = None  # the newest seal after the run


def seal_finished_days(now: datetime | None = None, *, dry_run: bool = False) -> SealRun:
    """Seal every finished day not sealed yet (the caller commits); with ``dry_run`` only
    say which days would be."""
    days = days_to_seal(now or utcnow())
    if dry_run or not days:
        return SealRun(days=days)
    newest = db.session.scalar(select(TrafficSeal).order_by(TrafficSeal.day.desc()).limit(1))
    previous = newest.seal_hash if newest else GENESIS
    for day in days:
        count, digest = _seal(day, previous, _day_records(day))
        db.session.add(
            TrafficSeal(day=day, record_count=count, previous_hash=previous, seal_hash=digest)
        )
        previous = digest
    db.session.flush()
    return SealRun(days=days, head=previous)


@dataclass
class ChainCheck:
    """What ``verify_chain`` found: the first broken day and why, or the chain's extent."""

    days: int = 0
    records: int = 0
    first_day: date | None = None
    last_day: date | None = None
    anchor: str | None = None  # the previous hash of the oldest seal
    head: str | None = None  # the newest seal
    unsealed_days: int = 0  # finished days the next retention run will seal
    broken_day: date | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_day is None

    def broken(self, day: date, problem: str) -> "ChainCheck":
        self.broken_day, self.problem = day, problem
        return self


def verify_chain(period_days: int, now: datetime | None = None) -> "ChainCheck":
    """Recompute every seal from the records, oldest first, and stop at the first broken day.

    ``period_days`` is the retention period of traffic records: the oldest days may be gone
    (with their seals) only once they are older than that.
    """
    now = now or utcnow()
    check = ChainCheck(unsealed_days=len(days_to_seal(now)))
    seals = db.session.scalars(select(TrafficSeal).order_by(TrafficSeal.day)).all()
    previous: TrafficSeal | None = None
    for seal in seals:
        if previous is None:
            check.first_day, check.anchor = seal.day, seal.previous_hash
            older = db.session.scalar(
                select(func.min(TrafficRecord.created_at)).where(
                    TrafficRecord.created_at < local_midnight(seal.day)
                )
            )
            if older is not None:
                return check.broken(local_day(older), "it has records, but no seal")
            due = local_day(now - timedelta(days=period_days))
            if seal.previous_hash != GENESIS and seal.day > due:
                return check.broken(
                    seal.day - ONE_DAY,
                    f"it is missing with its records and seal, though only days before {due} "
                    f"are past the {period_days}-day period",
                )
        elif seal.day != previous.day + ONE_DAY:
            return check.broken(previous.day + ONE_DAY, "its seal is missing")
        elif seal.previous_hash != previous.seal_hash:
            return check.broken(seal.day, "its seal does not follow the previous day's seal")
        count, digest = _seal(seal.day, seal.previous_hash, _day_records(seal.day))
        if count != seal.record_count:
            return check.broken(
                seal.day,
                f"it has {count} record(s), {seal.record_count} when it was sealed "
                "(records were added or deleted)",
            )
        if not hmac.compare_digest(digest, seal.seal_hash):
            return check.broken(
                seal.day, f"its {count} record(s) or its seal were changed after it was sealed"
            )
        check.days += 1
        check.records += count
        check.last_day, check.head = seal.day, seal.seal_hash
        previous = seal
    return check
