"""Alembic, run programmatically: no alembic.ini, the scripts live in this package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from ossimpact.store.engine import WRITE_OPTION

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
