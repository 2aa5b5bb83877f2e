"""SQL shapes every part of the store shares: chunked IN lists and the dialects' upserts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

T = TypeVar("T")
# Bound parameters per statement: well under SQLite's 32766 and PostgreSQL's 65535.
CHUNK = 2000


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def dialect_insert(connection: Connection, table: Table) -> Any:
    """An INSERT that knows ON CONFLICT, in the connection's dialect."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no INSERT … ON CONFLICT for {dialect}")


def insert_ignoring_duplicates(
    connection: Connection, table: Table, rows: list[dict[str, Any]]
) -> None:
    """INSERT … ON CONFLICT DO NOTHING, so concurrent writers of the same name do not collide."""
    if not rows:
        return
    connection.execute(dialect_insert(connection, table).on_conflict_do_nothing(), rows)


def upsert(connection: Connection, table: Table, key: str, rows: list[dict[str, Any]]) -> None:
    """INSERT … ON CONFLICT (key) DO UPDATE every other column of the rows."""
    if not rows:
        return
    base = dialect_insert(connection, table)
    statement = base.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={name: base.excluded[name] for name in rows[0] if name != key},
    )
    connection.execute(statement, rows)
