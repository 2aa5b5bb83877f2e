"""Scoring runs and their rows: recorded in one transaction, read by run (None = the official one)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from ossimpact.domain import ScoreRow, utcnow
from ossimpact.store import codec, members
from ossimpact.store.errors import StoreError
from ossimpact.store.records import (
    COUNTED_STATUSES,
    SCORING_PURPOSES,
    ScoringMember,
    ScoringRunRecord,
    from_row,
)
from ossimpact.store.schema import runs, scores, scoring_runs
from ossimpact.store.statements import chunks
from ossimpact.store.types import bounded


def official_run(connection: Connection) -> int | None:
    """The newest official scoring run whose run finished (succeeded or partial).

    Not simply the newest: a backdated or trial run recorded after it must not replace the
    ranking everyone reads (see migration 0005).
    """
    found = connection.execute(
        select(func.max(scoring_runs.c.id)).where(
            scoring_runs.c.purpose == "official",
            scoring_runs.c.run_id.in_(select(runs.c.id).where(runs.c.status.in_(COUNTED_STATUSES))),
        )
    ).scalar_one_or_none()
    return None if found is None else int(found)


def chosen_run(connection: Connection, scoring_run_id: int | None) -> int | None:
    """The scoring run asked for, or the official one when none is."""
    return official_run(connection) if scoring_run_id is None else scoring_run_id


def check_purpose(purpose: str) -> None:
    if purpose not in SCORING_PURPOSES:
        raise StoreError(
            f"unknown scoring purpose {purpose!r} (expected {', '.join(SCORING_PURPOSES)})"
        )


def record(
    connection: Connection,
    run_id: int,
    methodology_version: str,
    as_of: datetime,
    input_run_ids: Sequence[int],
    rows: Sequence[ScoreRow],
    scored_members: Sequence[ScoringMember],
    purpose: str,
    methodology_hash: str | None,
) -> int:
    """One scoring run, its rows and its members; the caller checked the run is running."""
    scoring_run_id = int(
        connection.execute(
            insert(scoring_runs)
            .values(
                run_id=run_id,
                methodology_version=bounded(methodology_version, 100),
                as_of=as_of,
                input_run_ids=[int(i) for i in input_run_ids],
                created_at=utcnow(),
                purpose=purpose,
                methodology_hash=methodology_hash,
            )
            .returning(scoring_runs.c.id)
        ).scalar_one()
    )
    if rows:
        connection.execute(
            insert(scores),
            [
                {
                    "scoring_run_id": scoring_run_id,
                    "product_id": bounded(row.product_id, 300),
                    "category": row.category,
                    "methodology_version": bounded(row.methodology_version, 100),
                    "total": row.total,
                    "rank": row.rank,
                    "rank_low": row.rank_low,
                    "rank_high": row.rank_high,
                    "top_n_share": row.top_n_share,
                    "coverage": row.coverage,
                    "cohort": bounded(row.cohort, 100),
                    "contributions": codec.contributions_to_json(row.contributions),
                    "flags": codec.flags_to_json(row.flags),
                }
                for row in rows
            ],
        )
    if scored_members:
        member_set_id = members.record_member_set(connection, scored_members)
        connection.execute(
            update(scoring_runs)
            .where(scoring_runs.c.id == scoring_run_id)
            .values(member_set_id=member_set_id)
        )
    return scoring_run_id


def member_set(connection: Connection, scoring_run_id: int) -> int | None:
    found = connection.execute(
        select(scoring_runs.c.member_set_id).where(scoring_runs.c.id == scoring_run_id)
    ).scalar_one_or_none()
    return None if found is None else int(found)


def read_scoring_runs(connection: Connection, limit: int) -> list[ScoringRunRecord]:
    counts = (
        select(scores.c.scoring_run_id, func.count().label("row_count"))
        .group_by(scores.c.scoring_run_id)
        .subquery()
    )
    query = (
        select(scoring_runs, runs.c.status, func.coalesce(counts.c.row_count, 0))
        .join(runs, runs.c.id == scoring_runs.c.run_id)
        .outerjoin(counts, counts.c.scoring_run_id == scoring_runs.c.id)
        .order_by(scoring_runs.c.id.desc())
        .limit(limit)
    )
    return [
        from_row(
            ScoringRunRecord,
            r,
            run_status=r.status,
            input_run_ids=tuple(int(i) for i in r.input_run_ids),
            row_count=int(r[-1]),
        )
        for r in connection.execute(query)
    ]


def read_scores(connection: Connection, scoring_run_id: int) -> list[ScoreRow]:
    rows = connection.execute(
        select(scores)
        .where(scores.c.scoring_run_id == scoring_run_id)
        .order_by(scores.c.category, scores.c.rank, scores.c.product_id)
    )
    return [_score_row(r) for r in rows]


def read_product_scores(
    connection: Connection, scoring_run_id: int, product_ids: Collection[str]
) -> list[ScoreRow]:
    """Only these products' rows, in `read_scores` order."""
    found: list[ScoreRow] = []
    for part in chunks(sorted({str(p) for p in product_ids})):
        rows = connection.execute(
            select(scores).where(
                scores.c.scoring_run_id == scoring_run_id, scores.c.product_id.in_(part)
            )
        )
        found.extend(_score_row(r) for r in rows)
    return sorted(found, key=lambda r: (r.category, r.rank, r.product_id))


def _score_row(r: Any) -> ScoreRow:
    return from_row(
        ScoreRow,
        r,
        contributions=codec.contributions_from_json(r.contributions),
        flags=codec.flags_from_json(r.flags),
    )
