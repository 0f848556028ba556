"""Traffic records (Law 5651 art. 5(3)): who sent which state-changing request, and when; the
daily seals that show they were kept whole (katilim/privacy/seals.py); and explicit consents."""

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from katilim.core.models import TZDateTime, str_enum, utcnow
from katilim.extensions import Model


class TrafficRecord(Model):
    """One POST (or PUT, PATCH, DELETE) to the site. Page views (GET) are in the reverse
    proxy's access log instead, kept for the same period (docs/deploy.md, section 6).

    ``user_id`` is a plain number, not a foreign key: the law wants the record intact for its
    whole period, also after the account is deleted. Only admins read these records
    (/admin/traffic); the retention command seals each finished day (TrafficSeal) and
    removes whole days after TRAFFIC_RECORD_DAYS.
    """

    __tablename__ = "traffic_records"
    __table_args__ = (
        Index("ix_traffic_records_created", "created_at"),
        Index("ix_traffic_records_address_created", "address", "created_at"),
        Index("ix_traffic_records_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    address: Mapped[str] = mapped_column(String(45))  # after ProxyFix: the visitor's address
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))  # no query string; tokens masked
    status_code: Mapped[int] = mapped_column(SmallInteger)
    user_id: Mapped[int | None] = mapped_column(Integer)


class TrafficSeal(Model):
    """One day's traffic records (a calendar day in the council's time zone), sealed: an HMAC
    over the day, the previous day's seal and every record of the day in id order. Each seal
    names the one before it, so a record changed, added or deleted, or a seal deleted, breaks
    the chain from that day on (``flask --app katilim verify-traffic``). When the retention
    command removes the oldest day, its seal goes with it, and the oldest remaining seal's
    ``previous_hash`` is the chain's anchor.
    """

    __tablename__ = "traffic_seals"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    record_count: Mapped[int] = mapped_column(Integer)
    previous_hash: Mapped[str] = mapped_column(String(64))
    seal_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


class ConsentPurpose(enum.StrEnum):
    """Optional purposes that need explicit consent. A new member needs one line here and its
    title and text in katilim/privacy/purposes.py; the consent page lists them all."""

    EMAIL_UPDATES = "email_updates"
    DEMOGRAPHICS = "demographics"  # self-described groups, for aggregate figures only
    VOLUNTEER_LISTING = "volunteer_listing"  # named as a member on a body's page


class Consent(Model):
    """An explicit consent (açık rıza) for one optional purpose: what, which text, when.

    Records are never overwritten: withdrawing sets ``withdrawn_at``, giving again adds a new
    record, so the history proves what the person agreed to and when. When the account is
    deleted the records lose the link to it (``user_id`` NULL) and are removed by the retention
    command after the limitation period (katilim/privacy/retention.py).
    """

    __tablename__ = "consents"
    __table_args__ = (
        # At most one consent in force per person and purpose; the history may hold many.
        Index(
            "uq_consents_active",
            "user_id",
            "purpose",
            unique=True,
            postgresql_where=text("withdrawn_at IS NULL"),
            sqlite_where=text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    purpose: Mapped[ConsentPurpose] = mapped_column(str_enum(ConsentPurpose))
    text_version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(TZDateTime())
