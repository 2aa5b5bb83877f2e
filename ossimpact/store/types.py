"""Column types that make both databases behave alike: UTC-aware datetimes and bounded text.

SQLite has no timestamp type: SQLAlchemy would store naive ISO strings (26 bytes) and hand back
naive datetimes. Observations are the bulk of the store, so on SQLite a time is an integer of
microseconds since the epoch (8 bytes, compares correctly in SQL); PostgreSQL keeps `timestamptz`.
Either way Python sees timezone-aware UTC datetimes, in and out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from ossimpact.store.errors import StoreError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class NaiveDatetimeError(StoreError, ValueError):
    """A datetime without a timezone reached the store; its meaning would be a guess."""


def require_aware(value: datetime, what: str = "a datetime") -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(
            f"the store needs timezone-aware datetimes: {what} is naive ({value.isoformat()})"
        )


def to_epoch_us(value: datetime) -> int:
    require_aware(value)
    return (value - _EPOCH) // timedelta(microseconds=1)


@lru_cache(maxsize=65_536)  # a run's figures share few distinct times; datetime math is slow
def from_epoch_us(value: int) -> datetime:
    return _EPOCH + timedelta(microseconds=int(value))


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime: epoch microseconds on SQLite, timestamptz elsewhere."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return to_epoch_us(value)
        require_aware(value)
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            if value.tzinfo is None:
                return value.replace(tzinfo=UTC)
            return value.astimezone(UTC)
        return from_epoch_us(int(value))


# Length limits for text that comes from platforms (anyone can write a model card or topic).
MAX_DESCRIPTION = 2000
MAX_SHORT_TEXT = 200
MAX_URL = 2000
MAX_DETAIL = 2000
MAX_NOTE = 4000
MAX_TOPICS = 50


def bounded(text: str | None, limit: int) -> str | None:
    """Text safe to store: NUL removed (PostgreSQL rejects it) and cut to `limit` characters."""
    if text is None:
        return None
    cleaned = text.replace("\x00", "")
    if len(cleaned) <= limit:
        return cleaned
    return cleaned[: limit - 1] + "…"
