"""benchmark_results.percent: each result's value as a percent of its benchmark's full score

The collector used to turn a result without a random baseline into a percentile among the results
of its own run; scoring ranked the others again among all stored results, so two percentile
scalings with different peer groups existed. Now the collector only makes units comparable
(a fraction, a percent and a score out of 1,000 all become a percent of the full score, kept
here) and scoring alone ranks: among all artifacts with a result on the same benchmark and
metric, each counted once with its best. Results stored before this revision have NULL: scoring
ranks their raw value, as it did for them before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("benchmark_results") as batch:
        batch.add_column(sa.Column("percent", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("benchmark_results") as batch:
        batch.drop_column("percent")
