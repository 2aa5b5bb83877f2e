"""scoring_members: the products a scoring run scored and the artifacts each grouped

A product page, a members export and an as-of ranking must show exactly what a score used, also
after the registry changes or a family is inferred differently, so a scoring run records its
membership. Memberships change rarely while scoring runs daily: ~10,000 rows a run would add
~1 GB a year, so runs share a recorded membership (`member_sets`, by a fingerprint of its rows)
and a run points at its set (`scoring_runs.member_set_id`; NULL for runs scored before this).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ossimpact.store.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("created_at", ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_sets")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_member_sets_fingerprint")),
    )
    op.create_table(
        "scoring_members",
        sa.Column("member_set_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=300), nullable=False),
        sa.Column("artifact", sa.String(length=300), nullable=False),
        sa.Column("product_name", sa.String(length=300), nullable=False),
        sa.Column("organization", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("grouped_by", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_set_id"],
            ["member_sets.id"],
            name=op.f("fk_scoring_members_member_set_id_member_sets"),
        ),
        sa.PrimaryKeyConstraint(
            "member_set_id", "product_id", "artifact", name=op.f("pk_scoring_members")
        ),
    )
    # No foreign key on the new column: SQLite cannot add one without rebuilding scoring_runs,
    # which scores reference; the store writes a set before the run that points at it.
    op.add_column("scoring_runs", sa.Column("member_set_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scoring_runs") as batch:
        batch.drop_column("member_set_id")
    op.drop_table("scoring_members")
    op.drop_table("member_sets")
