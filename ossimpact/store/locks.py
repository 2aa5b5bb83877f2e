"""Named cross-process locks with an expiry (the refresh lock): taken, renewed, released."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from ossimpact.domain import utcnow
from ossimpact.store.schema import locks
from ossimpact.store.statements import dialect_insert


def acquire(
    connection: Connection, name: str, holder: str, ttl_seconds: float, now: datetime
) -> bool:
    """Take the named lock; False when another holder has it and it has not expired.

    An expired lock (its holder crashed or stopped refreshing) is taken over. The holder that
    already has the lock gets True and a fresh expiry.
    """
    expires = now + timedelta(seconds=ttl_seconds)
    connection.execute(delete(locks).where(locks.c.name == name, locks.c.expires_at < now))
    row = {"name": name, "holder": holder, "acquired_at": now, "expires_at": expires}
    statement = dialect_insert(connection, locks).on_conflict_do_nothing()
    if connection.execute(statement, row).rowcount == 1:
        return True
    return _extend(connection, name, holder, expires)


def renew(connection: Connection, name: str, holder: str, ttl_seconds: float) -> bool:
    """Extend a lock this holder has; False when it lost it (expired and taken over)."""
    return _extend(connection, name, holder, utcnow() + timedelta(seconds=ttl_seconds))


def release(connection: Connection, name: str, holder: str) -> None:
    connection.execute(delete(locks).where(locks.c.name == name, locks.c.holder == holder))


def holder(connection: Connection, name: str) -> tuple[str, datetime] | None:
    """Who holds the named lock and since when; None when it is free or expired."""
    row = connection.execute(
        select(locks.c.holder, locks.c.acquired_at).where(
            locks.c.name == name, locks.c.expires_at >= utcnow()
        )
    ).first()
    return None if row is None else (str(row.holder), row.acquired_at)


def _extend(connection: Connection, name: str, holder: str, expires: datetime) -> bool:
    result = connection.execute(
        update(locks)
        .where(locks.c.name == name, locks.c.holder == holder)
        .values(expires_at=expires)
    )
    return result.rowcount == 1
