"""Audit log entries. Rows are only ever inserted: the ORM refuses updates and deletes.

One exception, for KVKK: when a person deletes their account, ``detach_actor`` cuts the link
from their entries to them (actor_id NULL) with a single UPDATE; the action, target, details
and time stay. It is the only bulk statement on this table the session lets through.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, event, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from katilim.core.models import TZDateTime, utcnow
from katilim.extensions import Model

if TYPE_CHECKING:  # for the relationships' annotations; the mapper resolves the names
    from katilim.auth.models import User


class AuditLog(Model):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_created", "created_at"),
        Index("ix_audit_log_actor_created", "actor_id", "created_at"),
        Index("ix_audit_log_action_created", "action", "created_at"),
        Index("ix_audit_log_council_created", "council_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The council whose admins read the entry (None: a command acting for no council).
    council_id: Mapped[int | None] = mapped_column(ForeignKey("councils.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))  # e.g. "proposal.reject", "membership.add"
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)

    actor: Mapped["User | None"] = relationship()  # noqa: F821


class AuditLogIsAppendOnly(Exception):
    pass


@event.listens_for(AuditLog, "before_update")
@event.listens_for(AuditLog, "before_delete")
def _refuse_changes(mapper, connection, target):
    raise AuditLogIsAppendOnly(f"audit log entry {target.id} cannot be changed or deleted")


# Set only by detach_actor: the append-only guard lets that one UPDATE through.
_DETACH_ACTOR = "katilim_audit_detach_actor"


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state):
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is None or getattr(table, "name", None) != AuditLog.__tablename__:
        return
    if state.is_update and state.execution_options.get(_DETACH_ACTOR):
        return
    raise AuditLogIsAppendOnly("audit log entries cannot be changed or deleted")


def detach_actor(session, user_id: int) -> int:
    """Cut the link between a deleted account and the entries it made (KVKK art. 7).

    The entries themselves stay: what was done, to what, and when. Returns how many changed.
    """
    return session.execute(
        update(AuditLog).where(AuditLog.actor_id == user_id).values(actor_id=None),
        execution_options={_DETACH_ACTOR: True, "synchronize_session": False},
    ).rowcount
