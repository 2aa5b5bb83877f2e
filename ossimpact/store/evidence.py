"""The artifacts' own records (licence, description, topics, …) and their renames.

The figures, edges and benchmark results read as of a date are in `queries`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from ossimpact.domain import ArtifactId, ArtifactRecord
from ossimpact.store.records import from_row
from ossimpact.store.schema import artifact_aliases, artifacts


def read_artifacts(connection: Connection, tracked_only: bool = False) -> list[ArtifactRecord]:
    query = select(artifacts).order_by(artifacts.c.platform_id)
    if tracked_only:
        query = query.where(artifacts.c.tracked.is_(True))
    return [
        from_row(
            ArtifactRecord,
            r,
            id=ArtifactId.parse(r.platform_id),
            topics=tuple(r.topics),
            extra=dict(r.extra),
        )
        for r in connection.execute(query)
    ]


def read_aliases(connection: Connection) -> dict[ArtifactId, ArtifactId]:
    """Old platform id → current one, for every renamed artifact."""
    query = select(artifact_aliases.c.alias, artifacts.c.platform_id).join(
        artifacts, artifacts.c.id == artifact_aliases.c.artifact_id
    )
    return {ArtifactId.parse(old): ArtifactId.parse(new) for old, new in connection.execute(query)}
