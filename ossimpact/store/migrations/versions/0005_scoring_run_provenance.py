"""scoring_runs.purpose and methodology_hash: which ranking is official, and exactly which file

A backdated (`score --as-of`) or trial (`score --methodology other.yaml`) scoring run used to
become the official ranking because official meant the highest id. `purpose` says what a run is
(official | as_of | trial); runs recorded before this revision count as official, as they did.
`methodology_hash` is the SHA-256 of the methodology's content, so an edited file that kept the
default's version label is told apart (NULL for older runs: not recorded then).

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("scoring_runs") as batch:
        batch.add_column(
            sa.Column(
                "purpose", sa.String(length=20), nullable=False, server_default="official"
            )
        )
        batch.add_column(sa.Column("methodology_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scoring_runs") as batch:
        batch.drop_column("methodology_hash")
        batch.drop_column("purpose")
