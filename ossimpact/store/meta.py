"""Facts about the database (e.g. `synthetic` for demo data) and the readers' cache key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ossimpact.store.schema import organizations, products, runs, scoring_runs, store_meta
from ossimpact.store.statements import upsert
from ossimpact.store.types import MAX_NOTE, bounded


def write(connection: Connection, key: str, value: str, now: datetime) -> None:
    row = {"key": key, "value": bounded(value, MAX_NOTE) or "", "updated_at": now}
    upsert(connection, store_meta, "key", [row])


def read(connection: Connection, key: str) -> str | None:
    value = connection.execute(
        select(store_meta.c.value).where(store_meta.c.key == key)
    ).scalar_one_or_none()
    return None if value is None else str(value)


def read_all(connection: Connection) -> dict[str, str]:
    rows = connection.execute(select(store_meta.c.key, store_meta.c.value))
    return {str(key): str(value) for key, value in rows}


def data_version(connection: Connection) -> str:
    """Changes whenever a run or scoring run finishes or the registry is synced."""
    finished, last_finished = connection.execute(
        select(func.count(), func.max(runs.c.finished_at)).where(runs.c.finished_at.is_not(None))
    ).one()
    last_scoring = connection.execute(select(func.max(scoring_runs.c.id))).scalar()
    registry = (
        connection.execute(select(func.max(organizations.c.updated_at))).scalar(),
        connection.execute(select(func.max(products.c.updated_at))).scalar(),
    )
    parts = [str(finished), _stamp(last_finished), str(last_scoring or 0)]
    parts.extend(_stamp(value) for value in registry)
    return "-".join(parts)


def _stamp(value: datetime | None) -> str:
    return "0" if value is None else str(int(value.timestamp() * 1_000_000))
