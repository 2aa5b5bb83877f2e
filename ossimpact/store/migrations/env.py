"""Alembic environment: run programmatically by `ossimpact.store.migrate` with a live connection."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from ossimpact.store.schema import metadata

config = context.config
target_metadata = metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "ossimpact migrations run through ossimpact.store (open_store or Store.migrate), "
        "which passes a connection"
    )
_run(connection)
