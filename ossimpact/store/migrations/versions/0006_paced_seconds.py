"""runs.paced_seconds and run_sources.paced_seconds: time a run spent paced to the published limits

A refresh paces every request to the platforms' published limits (collectors/pacing.py); the run
records the seconds its requests waited for a limit's tokens, beside the seconds it waited out a
limit answer (`rate_limit_wait_seconds`), so Data health tells paced time from working time.
Runs recorded before this revision count 0 per source (nothing was paced then); a run's own total
stays NULL, meaning "sum what each source reported", as for the other figures.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE (SQLite adds and drops a column in place since 3.35): a batch rebuild of
# `runs` would drop the table every other one points at.


def upgrade() -> None:
    op.add_column("runs", sa.Column("paced_seconds", sa.Float(), nullable=True))
    op.add_column(
        "run_sources",
        sa.Column("paced_seconds", sa.Float(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("run_sources", "paced_seconds")
    op.drop_column("runs", "paced_seconds")
