"""observations split into groups (run, artifact, time, URL) and values; a derived latest table

A row per figure repeated run, artifact, time and URL: ~670 bytes per artifact per day on SQLite,
2.4 GB a year at 10,000 artifacts. Groups and values bring it under 1 GB. Existing observations
move over unchanged; the new tables are append-only like the old one.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ossimpact.store.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_NEW_APPEND_ONLY = ("observation_groups", "observation_values")

# The newest counted group per (artifact, metric), as Store.finish_run maintains it.
REFRESH_LATEST = """
INSERT INTO observation_latest (artifact_id, metric_id, group_id, observed_at)
SELECT artifact_id, metric_id, group_id, observed_at FROM (
    SELECT g.artifact_id, v.metric_id, g.id AS group_id, g.observed_at,
           row_number() OVER (PARTITION BY g.artifact_id, v.metric_id
                              ORDER BY g.observed_at DESC, g.id DESC) AS newest
    FROM observation_values v JOIN observation_groups g ON g.id = v.group_id
    JOIN runs r ON r.id = g.run_id
    WHERE r.status IN ('succeeded', 'partial')
) ranked WHERE newest = 1
"""


def _append_only(tables: Sequence[str], create: bool) -> None:
    dialect = op.get_bind().dialect.name
    for table in tables:
        if dialect == "sqlite":
            for action in ("UPDATE", "DELETE"):
                name = f"{table}_no_{action.lower()}"
                if create:
                    op.execute(
                        f"CREATE TRIGGER {name} BEFORE {action} ON {table} BEGIN SELECT "
                        f"RAISE(ABORT, '{table} are append-only: {action} refused'); END"
                    )
                else:
                    op.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif dialect == "postgresql":
            if create:
                op.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION ossimpact_append_only()"
                )
                op.execute(
                    f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION ossimpact_append_only()"
                )
            else:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


def upgrade() -> None:
    op.create_table(
        "observation_groups",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("artifact_id", sa.Integer(), nullable=False),
        sa.Column("observed_at", ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("source_url_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["artifact_id"], ["artifacts.id"], name=op.f("fk_observation_groups_artifact_id_artifacts")
        ),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_observation_groups_run_id_runs")),
        sa.ForeignKeyConstraint(
            ["source_url_id"],
            ["source_urls.id"],
            name=op.f("fk_observation_groups_source_url_id_source_urls"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation_groups")),
    )
    op.create_index(
        op.f("ix_observation_groups_run_id"), "observation_groups", ["run_id"], unique=False
    )
    op.create_index(
        "ix_observation_groups_series",
        "observation_groups",
        ["artifact_id", "observed_at"],
        unique=False,
    )
    op.create_table(
        "observation_values",
        sa.Column("group_id", _BIG_ID, nullable=False),
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("reobserved", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["observation_groups.id"],
            name=op.f("fk_observation_values_group_id_observation_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["metric_id"], ["metrics.id"], name=op.f("fk_observation_values_metric_id_metrics")
        ),
        sa.PrimaryKeyConstraint("group_id", "metric_id", name=op.f("pk_observation_values")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "observation_latest",
        sa.Column("artifact_id", sa.Integer(), nullable=False),
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("group_id", _BIG_ID, nullable=False),
        sa.Column("observed_at", ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["artifact_id"], ["artifacts.id"], name=op.f("fk_observation_latest_artifact_id_artifacts")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["observation_groups.id"],
            name=op.f("fk_observation_latest_group_id_observation_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["metric_id"], ["metrics.id"], name=op.f("fk_observation_latest_metric_id_metrics")
        ),
        sa.PrimaryKeyConstraint("artifact_id", "metric_id", name=op.f("pk_observation_latest")),
    )
    op.execute(
        "INSERT INTO observation_groups (run_id, artifact_id, observed_at, source_url_id) "
        "SELECT run_id, artifact_id, observed_at, source_url_id FROM observations "
        "GROUP BY run_id, artifact_id, observed_at, source_url_id "
        "ORDER BY MIN(id)"
    )
    # Two figures of one metric in one group were the same reading twice: the later one is kept.
    op.execute(
        "INSERT INTO observation_values (group_id, metric_id, value, reobserved) "
        "SELECT g.id, o.metric_id, o.value, o.reobserved FROM observations o "
        "JOIN observation_groups g ON g.run_id = o.run_id AND g.artifact_id = o.artifact_id "
        "AND g.observed_at = o.observed_at AND g.source_url_id = o.source_url_id "
        "WHERE o.id IN (SELECT MAX(id) FROM observations "
        "GROUP BY run_id, artifact_id, observed_at, source_url_id, metric_id)"
    )
    op.execute(REFRESH_LATEST)
    op.drop_index("ix_observations_series", table_name="observations")
    op.drop_index(op.f("ix_observations_run_id"), table_name="observations")
    op.drop_table("observations")  # its triggers go with it
    _append_only(_NEW_APPEND_ONLY, create=True)


def downgrade() -> None:
    op.create_table(
        "observations",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("artifact_id", sa.Integer(), nullable=False),
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("observed_at", ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("source_url_id", sa.Integer(), nullable=False),
        sa.Column("reobserved", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["artifact_id"], ["artifacts.id"], name=op.f("fk_observations_artifact_id_artifacts")
        ),
        sa.ForeignKeyConstraint(
            ["metric_id"], ["metrics.id"], name=op.f("fk_observations_metric_id_metrics")
        ),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_observations_run_id_runs")),
        sa.ForeignKeyConstraint(
            ["source_url_id"],
            ["source_urls.id"],
            name=op.f("fk_observations_source_url_id_source_urls"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
    )
    op.create_index(op.f("ix_observations_run_id"), "observations", ["run_id"], unique=False)
    op.create_index(
        "ix_observations_series",
        "observations",
        ["artifact_id", "metric_id", "observed_at"],
        unique=False,
    )
    op.execute(
        "INSERT INTO observations "
        "(run_id, artifact_id, metric_id, value, observed_at, source_url_id, reobserved) "
        "SELECT g.run_id, g.artifact_id, v.metric_id, v.value, g.observed_at, g.source_url_id, "
        "v.reobserved FROM observation_values v JOIN observation_groups g ON g.id = v.group_id "
        "ORDER BY g.id, v.metric_id"
    )
    _append_only(_NEW_APPEND_ONLY, create=False)
    op.drop_table("observation_latest")
    op.drop_table("observation_values")
    op.drop_index("ix_observation_groups_series", table_name="observation_groups")
    op.drop_index(op.f("ix_observation_groups_run_id"), table_name="observation_groups")
    op.drop_table("observation_groups")
    _append_only(("observations",), create=True)
