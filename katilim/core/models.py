"""Shared column types and mixins."""

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CursorResult, DateTime, Enum, Result
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class TZDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database (SQLite hands back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return value
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        # SQLite stores the text without its offset: always store UTC so comparisons hold.
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def str_enum(enum_cls: type[enum.Enum]) -> Enum:
    """Store an enum by its value in a short string column, portable across databases."""
    return Enum(
        enum_cls,
        native_enum=False,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(TZDateTime(), default=utcnow)


def affected_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE, DELETE or INSERT statement wrote. ``Session.execute`` is typed
    as returning a plain ``Result``; for these statements it is a ``CursorResult``, which
    holds the count."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"not the result of a write statement: {type(result).__name__}")
    return result.rowcount


# INSERT … ON CONFLICT DO NOTHING, in the dialect's own construct (both databases have it).
INSERTS: dict[str, Callable[[Any], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}
