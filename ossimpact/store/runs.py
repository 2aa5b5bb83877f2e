"""Runs: a refresh's bookkeeping (start, heartbeat, one source's result appended, finish) and
what the run log shows. Writes are refused on a run that is unknown or already finished."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from ossimpact.domain import ArtifactFailure, CollectionResult, CollectionStats, utcnow
from ossimpact.store import queries
from ossimpact.store.collection import write_collection
from ossimpact.store.errors import StoreError, UnknownRunError
from ossimpact.store.records import COUNTED_STATUSES, FINISHED_STATUSES, RUN_KINDS, RunRecord
from ossimpact.store.schema import run_failures, run_sources, runs
from ossimpact.store.types import MAX_DETAIL, bounded

DEFAULT_STALE_RUN_AFTER = timedelta(minutes=15)
# A run's spending: columns of `runs` (the whole run) and of `run_sources` (one source's part).
_STAT_FIELDS = (
    "requests",
    "not_modified",
    "graphql_points",
    "rate_limit_waits",
    "rate_limit_wait_seconds",
    "paced_seconds",
)


def check_kind(kind: str) -> None:
    if kind not in RUN_KINDS:
        raise StoreError(f"unknown run kind {kind!r} (expected one of {', '.join(RUN_KINDS)})")


def start(connection: Connection, kind: str, source: str | None, now: datetime) -> int:
    result = connection.execute(
        insert(runs)
        .values(
            kind=kind,
            source=bounded(source, 100),
            status="running",
            started_at=now,
            heartbeat_at=now,
        )
        .returning(runs.c.id)
    )
    return int(result.scalar_one())


def require_running(connection: Connection, run_id: int) -> None:
    """Refuse a write to a run the store does not know, or to one that already finished."""
    status = connection.execute(
        select(runs.c.status).where(runs.c.id == run_id)
    ).scalar_one_or_none()
    if status is None:
        raise UnknownRunError(f"no run {run_id} in the store")
    if status != "running":
        raise StoreError(f"run {run_id} already finished ({status}); start a new run")


def heartbeat(connection: Connection, run_id: int) -> None:
    require_running(connection, run_id)
    connection.execute(update(runs).where(runs.c.id == run_id).values(heartbeat_at=utcnow()))


def record_collection(
    connection: Connection, run_id: int, result: CollectionResult, now: datetime
) -> None:
    require_running(connection, run_id)
    write_collection(connection, run_id, result, now)
    connection.execute(update(runs).where(runs.c.id == run_id).values(heartbeat_at=now))


def finished_values(
    run_id: int, status: str, stats: CollectionStats | None, message: str | None
) -> dict[str, Any]:
    """The columns a finished run gets; an unknown status is refused before anything is written."""
    if status not in FINISHED_STATUSES:
        raise StoreError(
            f"cannot finish run {run_id} as {status!r} "
            f"(expected one of {', '.join(FINISHED_STATUSES)})"
        )
    values: dict[str, Any] = {
        "status": status,
        "finished_at": utcnow(),
        "message": bounded(message, MAX_DETAIL),
    }
    if stats is not None:
        values.update({name: getattr(stats, name) for name in _STAT_FIELDS})
        values["stopped_reason"] = bounded(stats.stopped_reason, 500)
    return values


def finish(connection: Connection, run_id: int, values: dict[str, Any]) -> None:
    require_running(connection, run_id)
    connection.execute(update(runs).where(runs.c.id == run_id).values(values))
    if values["status"] in COUNTED_STATUSES:
        queries.refresh_latest(connection, run_id)


def read_runs(connection: Connection, limit: int, stale_before: datetime) -> list[RunRecord]:
    """Newest first; a running run whose heartbeat is older than `stale_before` is "incomplete".

    A figure the run itself did not record is the sum of its sources' figures.
    """
    rows = connection.execute(select(runs).order_by(runs.c.id.desc()).limit(limit)).all()
    ids = [r.id for r in rows]
    failure_counts: dict[int, int] = dict(
        connection.execute(
            select(run_failures.c.run_id, func.count())
            .where(run_failures.c.run_id.in_(ids))
            .group_by(run_failures.c.run_id)
        ).all()
    )
    sums = {
        row.run_id: row
        for row in connection.execute(
            select(
                run_sources.c.run_id,
                *(func.sum(run_sources.c[name]).label(name) for name in _STAT_FIELDS),
                func.max(run_sources.c.stopped_reason).label("stopped_reason"),
            )
            .where(run_sources.c.run_id.in_(ids))
            .group_by(run_sources.c.run_id)
        )
    }
    records = []
    for row in rows:
        summed = sums.get(row.id)

        def figure(name: str, row: Any = row, summed: Any = summed) -> Any:
            own = getattr(row, name)
            if own is not None:
                return own
            return getattr(summed, name) if summed is not None else None

        status = row.status
        if status == "running" and row.heartbeat_at < stale_before:
            status = "incomplete"
        records.append(
            RunRecord(
                id=row.id,
                kind=row.kind,
                source=row.source,
                status=status,
                started_at=row.started_at,
                heartbeat_at=row.heartbeat_at,
                finished_at=row.finished_at,
                requests=int(figure("requests") or 0),
                not_modified=int(figure("not_modified") or 0),
                graphql_points=int(figure("graphql_points") or 0),
                rate_limit_waits=int(figure("rate_limit_waits") or 0),
                rate_limit_wait_seconds=float(figure("rate_limit_wait_seconds") or 0.0),
                stopped_reason=figure("stopped_reason"),
                message=row.message,
                failure_count=int(failure_counts.get(row.id, 0)),
                paced_seconds=float(figure("paced_seconds") or 0.0),
            )
        )
    return records


def read_failures(connection: Connection, run_id: int) -> list[ArtifactFailure]:
    rows = connection.execute(
        select(run_failures).where(run_failures.c.run_id == run_id).order_by(run_failures.c.id)
    )
    return [ArtifactFailure(r.subject, r.source, r.reason, r.detail) for r in rows]
