"""Alembic, run programmatically: no alembic.ini, the scripts live in this package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from ossimpact.store.engine import WRITE_OPTION
from ossimpact.store.errors import StoreSchemaError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        connection.commit()


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
        connection.commit()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> set[str]:
    return {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_newest(engine: Engine) -> None:
    """Refuse a database whose schema is not the newest (what a read-only store needs)."""
    current, head = refuse_unknown_revision(engine), head_revision()
    if current != head:
        raise StoreSchemaError(
            f"the database schema is at revision {current or 'none (empty database)'}, "
            f"this code needs {head}: run the migrations (`ossimpact migrate`, with write access)"
        )


def refuse_unknown_revision(engine: Engine) -> str | None:
    """The current revision; a revision this code has no script for (a newer ossimpact wrote
    the database) is refused before Alembic fails on it with "Can't locate revision"."""
    current = current_revision(engine)
    if current is not None and current not in known_revisions():
        raise StoreSchemaError(
            f"the database schema is at revision {current}, which this code does not know "
            f"(it knows up to {head_revision()}): a newer ossimpact wrote it; "
            "upgrade ossimpact instead of opening it with this one"
        )
    return current
