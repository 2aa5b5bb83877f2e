"""organizations.modelscope and .opendatalab: an organisation's handles on the mainland hubs

The registry has named them since the mainland hubs were read, but the store kept only the
Hugging Face and GitHub handles, so an organisation read back from the store had none.
NULL for organisations stored before this revision (their next registry sync fills them).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("modelscope", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("opendatalab", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("opendatalab")
        batch.drop_column("modelscope")
