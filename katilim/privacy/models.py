"""Traffic records (Law 5651 art. 5(3)): who sent which state-changing request, and when."""

from datetime import datetime

from sqlalchemy import Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from katilim.core.models import TZDateTime, utcnow
from katilim.extensions import db


class TrafficRecord(db.Model):
    """One POST (or PUT, PATCH, DELETE) to the site. Page views (GET) are in the reverse
    proxy's access log instead, kept for the same period (docs/deploy.md, section 6).

    ``user_id`` is a plain number, not a foreign key: the law wants the record intact for its
    whole period, also after the account is deleted. Only admins read these records
    (/admin/traffic); the retention command removes them after TRAFFIC_RECORD_DAYS.
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
