"""scoring_members: the products a scoring run scored and the artifacts each grouped

A product page, a members export and an as-of ranking must show exactly what a score used, also
after the registry changes or a family is inferred differently; the run records its membership.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scoring_members",
        sa.Column("scoring_run_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=300), nullable=False),
        sa.Column("artifact", sa.String(length=300), nullable=False),
        sa.Column("product_name", sa.String(length=300), nullable=False),
        sa.Column("organization", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("grouped_by", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["scoring_run_id"],
            ["scoring_runs.id"],
            name=op.f("fk_scoring_members_scoring_run_id_scoring_runs"),
        ),
        sa.PrimaryKeyConstraint(
            "scoring_run_id", "product_id", "artifact", name=op.f("pk_scoring_members")
        ),
    )


def downgrade() -> None:
    op.drop_table("scoring_members")
