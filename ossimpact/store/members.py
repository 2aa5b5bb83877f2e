"""Recorded memberships: which artifacts each product of a scoring run grouped, and how.

Memberships change rarely while scoring runs daily, so runs with the same rows share one
recorded set (`member_sets`, by a fingerprint of its rows) and a run points at its set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from ossimpact.domain import utcnow
from ossimpact.store.records import ScoringMember, from_row
from ossimpact.store.schema import member_sets, scoring_members, scoring_runs
from ossimpact.store.statements import chunks
from ossimpact.store.types import bounded


def record_member_set(connection: Connection, members: Sequence[ScoringMember]) -> int:
    """The id of the recorded membership with exactly these rows, recorded now if new."""
    rows = sorted(
        {
            (
                bounded(m.product_id, 300) or "",
                bounded(m.artifact, 300) or "",
                bounded(m.product_name, 300) or "",
                bounded(m.organization, 100) or "",
                m.category,
                m.grouped_by,
            )
            for m in members
        }
    )
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join(row).encode())
        digest.update(b"\x1e")
    fingerprint = digest.hexdigest()
    found = connection.execute(
        select(member_sets.c.id).where(member_sets.c.fingerprint == fingerprint)
    ).scalar_one_or_none()
    if found is not None:
        return int(found)
    set_id = int(
        connection.execute(
            insert(member_sets)
            .values(fingerprint=fingerprint, created_at=utcnow())
            .returning(member_sets.c.id)
        ).scalar_one()
    )
    columns = ("product_id", "artifact", "product_name", "organization", "category", "grouped_by")
    for part in chunks(rows):
        connection.execute(
            insert(scoring_members),
            [{"member_set_id": set_id, **dict(zip(columns, row, strict=True))} for row in part],
        )
    return set_id


def read_members(
    connection: Connection, scoring_run_id: int, product_ids: Collection[str] | None = None
) -> list[ScoringMember]:
    """The members a scoring run points at, by product then artifact; only `product_ids`."""
    query = (
        select(scoring_members)
        .join(scoring_runs, scoring_runs.c.member_set_id == scoring_members.c.member_set_id)
        .where(scoring_runs.c.id == scoring_run_id)
        .order_by(scoring_members.c.product_id, scoring_members.c.artifact)
    )
    if product_ids is None:
        found = list(connection.execute(query))
    else:
        found = []
        for part in chunks(sorted({str(p) for p in product_ids})):
            found.extend(connection.execute(query.where(scoring_members.c.product_id.in_(part))))
        found.sort(key=lambda r: (r.product_id, r.artifact))
    return [from_row(ScoringMember, r) for r in found]
