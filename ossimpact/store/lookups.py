"""Small integer ids for long repeated strings (artifact ids, metric names, source URLs)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from ossimpact.store.schema import artifact_aliases, artifacts
from ossimpact.store.statements import chunks, insert_ignoring_duplicates


def name_ids(connection: Connection, table: Table, names: Iterable[str]) -> dict[str, int]:
    """The id of each name in a (id, <name column>) lookup table, creating missing ones."""
    column = next(c for c in table.columns if not c.primary_key)
    wanted = sorted(set(names))
    found = _select_ids(connection, table, column.name, wanted)
    missing = [name for name in wanted if name not in found]
    if missing:
        insert_ignoring_duplicates(connection, table, [{column.name: name} for name in missing])
        found.update(_select_ids(connection, table, column.name, missing))
    return found


def _select_ids(
    connection: Connection, table: Table, column_name: str, names: Sequence[str]
) -> dict[str, int]:
    column = table.c[column_name]
    found: dict[str, int] = {}
    for part in chunks(names):
        for name, id_ in connection.execute(select(column, table.c.id).where(column.in_(part))):
            found[name] = id_
    return found


def resolve_artifacts(connection: Connection, platform_ids: Iterable[str]) -> dict[str, int]:
    """Integer ids of artifacts by current platform id, or by an old one kept as an alias."""
    wanted = sorted(set(platform_ids))
    found = _select_ids(connection, artifacts, "platform_id", wanted)
    missing = [name for name in wanted if name not in found]
    for part in chunks(missing):
        query = select(artifact_aliases.c.alias, artifact_aliases.c.artifact_id).where(
            artifact_aliases.c.alias.in_(part)
        )
        for alias, artifact_id in connection.execute(query):
            found[alias] = artifact_id
    return found
