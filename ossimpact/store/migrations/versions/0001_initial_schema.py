"""initial schema: registry, runs, artifacts, append-only evidence, cache, scores, shortlists, locks

The evidence tables (observations, edges, benchmark_results) get triggers that reject UPDATE and
DELETE (and TRUNCATE on PostgreSQL): a refresh can only append, whoever holds a connection.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ossimpact.store.types

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


APPEND_ONLY_TABLES = ("observations", "edges", "benchmark_results")


def _create_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for action in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} are append-only: {action} refused'); END"
                )
    elif dialect == "postgresql":
        op.execute(
            """
            CREATE FUNCTION ossimpact_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% are append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END
            $$
            """
        )
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ossimpact_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ossimpact_append_only()"
            )
    else:
        raise RuntimeError(f"append-only triggers are not written for {dialect}")


def _drop_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in APPEND_ONLY_TABLES:
            for action in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    elif dialect == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS ossimpact_append_only()")


def upgrade() -> None:
    op.create_table('artifacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.String(length=300), nullable=False),
    sa.Column('platform', sa.String(length=2), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('owner', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('owner_handle', sa.String(length=100), nullable=False),
    sa.Column('created_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_modified', ossimpact.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('license', sa.String(length=200), nullable=True),
    sa.Column('pipeline_tag', sa.String(length=200), nullable=True),
    sa.Column('library', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=200), nullable=True),
    sa.Column('gated', sa.Boolean(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=True),
    sa.Column('is_fork', sa.Boolean(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('tracked', sa.Boolean(), nullable=False),
    sa.Column('first_seen_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_artifacts')),
    sa.UniqueConstraint('platform_id', name=op.f('uq_artifacts_platform_id'))
    )
    with op.batch_alter_table('artifacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_artifacts_owner'), ['owner'], unique=False)

    op.create_table('http_cache',
    sa.Column('url_key', sa.String(length=64), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('etag', sa.String(length=500), nullable=True),
    sa.Column('last_modified', sa.String(length=100), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('fetched_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('url_key', name=op.f('pk_http_cache'))
    )
    op.create_table('locks',
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('acquired_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_locks'))
    )
    op.create_table('metrics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_metrics')),
    sa.UniqueConstraint('name', name=op.f('uq_metrics_name'))
    )
    op.create_table('organizations',
    sa.Column('id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('name_zh', sa.String(length=300), nullable=True),
    sa.Column('kind', sa.String(length=50), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('confidence', sa.String(length=10), nullable=True),
    sa.Column('huggingface', sa.JSON(), nullable=False),
    sa.Column('github', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('registry_source', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations'))
    )
    op.create_table('products',
    sa.Column('id', sa.String(length=300), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('organization', sa.String(length=100), nullable=False),
    sa.Column('include', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('implicit', sa.Boolean(), nullable=False),
    sa.Column('registry_source', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products'))
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_organization'), ['organization'], unique=False)

    op.create_table('runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('started_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('requests', sa.Integer(), nullable=True),
    sa.Column('not_modified', sa.Integer(), nullable=True),
    sa.Column('graphql_points', sa.Integer(), nullable=True),
    sa.Column('rate_limit_waits', sa.Integer(), nullable=True),
    sa.Column('rate_limit_wait_seconds', sa.Float(), nullable=True),
    sa.Column('stopped_reason', sa.String(length=500), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_runs'))
    )
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_runs_status'), ['status'], unique=False)

    op.create_table('shortlists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shortlists')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_shortlists_name_version'))
    )
    op.create_table('source_urls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_urls')),
    sa.UniqueConstraint('url', name=op.f('uq_source_urls_url'))
    )
    op.create_table('artifact_aliases',
    sa.Column('alias', sa.String(length=300), nullable=False),
    sa.Column('artifact_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['artifact_id'], ['artifacts.id'], name=op.f('fk_artifact_aliases_artifact_id_artifacts')),
    sa.PrimaryKeyConstraint('alias', name=op.f('pk_artifact_aliases'))
    )
    with op.batch_alter_table('artifact_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_artifact_aliases_artifact_id'), ['artifact_id'], unique=False)

    op.create_table('benchmark_results',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('artifact_id', sa.Integer(), nullable=False),
    sa.Column('benchmark', sa.String(length=200), nullable=False),
    sa.Column('raw_name', sa.String(length=200), nullable=False),
    sa.Column('metric', sa.String(length=200), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('trust', sa.String(length=20), nullable=False),
    sa.Column('observed_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('source_url_id', sa.Integer(), nullable=False),
    sa.Column('split', sa.String(length=200), nullable=True),
    sa.Column('scaled', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['artifact_id'], ['artifacts.id'], name=op.f('fk_benchmark_results_artifact_id_artifacts')),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_benchmark_results_run_id_runs')),
    sa.ForeignKeyConstraint(['source_url_id'], ['source_urls.id'], name=op.f('fk_benchmark_results_source_url_id_source_urls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_benchmark_results'))
    )
    with op.batch_alter_table('benchmark_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_benchmark_results_artifact_id'), ['artifact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_benchmark_results_run_id'), ['run_id'], unique=False)

    op.create_table('edges',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('source_artifact_id', sa.Integer(), nullable=False),
    sa.Column('target_artifact_id', sa.Integer(), nullable=False),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('observed_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('source_url_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_edges_run_id_runs')),
    sa.ForeignKeyConstraint(['source_artifact_id'], ['artifacts.id'], name=op.f('fk_edges_source_artifact_id_artifacts')),
    sa.ForeignKeyConstraint(['source_url_id'], ['source_urls.id'], name=op.f('fk_edges_source_url_id_source_urls')),
    sa.ForeignKeyConstraint(['target_artifact_id'], ['artifacts.id'], name=op.f('fk_edges_target_artifact_id_artifacts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_edges'))
    )
    with op.batch_alter_table('edges', schema=None) as batch_op:
        batch_op.create_index('ix_edges_pair', ['source_artifact_id', 'target_artifact_id', 'relation'], unique=False)
        batch_op.create_index(batch_op.f('ix_edges_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_edges_target_artifact_id'), ['target_artifact_id'], unique=False)

    op.create_table('observations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('artifact_id', sa.Integer(), nullable=False),
    sa.Column('metric_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('observed_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('source_url_id', sa.Integer(), nullable=False),
    sa.Column('reobserved', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['artifact_id'], ['artifacts.id'], name=op.f('fk_observations_artifact_id_artifacts')),
    sa.ForeignKeyConstraint(['metric_id'], ['metrics.id'], name=op.f('fk_observations_metric_id_metrics')),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_observations_run_id_runs')),
    sa.ForeignKeyConstraint(['source_url_id'], ['source_urls.id'], name=op.f('fk_observations_source_url_id_source_urls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observations'))
    )
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observations_run_id'), ['run_id'], unique=False)
        batch_op.create_index('ix_observations_series', ['artifact_id', 'metric_id', 'observed_at'], unique=False)

    op.create_table('run_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_run_failures_run_id_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_run_failures'))
    )
    with op.batch_alter_table('run_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_run_failures_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_run_failures_subject'), ['subject'], unique=False)

    op.create_table('run_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('not_modified', sa.Integer(), nullable=False),
    sa.Column('graphql_points', sa.Integer(), nullable=False),
    sa.Column('rate_limit_waits', sa.Integer(), nullable=False),
    sa.Column('rate_limit_wait_seconds', sa.Float(), nullable=False),
    sa.Column('stopped_reason', sa.String(length=500), nullable=True),
    sa.Column('recorded_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_run_sources_run_id_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_run_sources'))
    )
    with op.batch_alter_table('run_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_run_sources_run_id'), ['run_id'], unique=False)

    op.create_table('scoring_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('methodology_version', sa.String(length=100), nullable=False),
    sa.Column('as_of', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('input_run_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', ossimpact.store.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['runs.id'], name=op.f('fk_scoring_runs_run_id_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scoring_runs'))
    )
    with op.batch_alter_table('scoring_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scoring_runs_run_id'), ['run_id'], unique=False)

    op.create_table('shortlist_items',
    sa.Column('shortlist_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['shortlist_id'], ['shortlists.id'], name=op.f('fk_shortlist_items_shortlist_id_shortlists')),
    sa.PrimaryKeyConstraint('shortlist_id', 'position', name=op.f('pk_shortlist_items'))
    )
    op.create_table('scores',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('scoring_run_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('methodology_version', sa.String(length=100), nullable=False),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('rank_low', sa.Integer(), nullable=False),
    sa.Column('rank_high', sa.Integer(), nullable=False),
    sa.Column('top_n_share', sa.Float(), nullable=False),
    sa.Column('coverage', sa.Float(), nullable=False),
    sa.Column('cohort', sa.String(length=100), nullable=True),
    sa.Column('contributions', sa.JSON(), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['scoring_run_id'], ['scoring_runs.id'], name=op.f('fk_scores_scoring_run_id_scoring_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scores'))
    )
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scores_product_id'), ['product_id'], unique=False)
        batch_op.create_index('ix_scores_run_product', ['scoring_run_id', 'product_id'], unique=False)

    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    with op.batch_alter_table('scores', schema=None) as batch_op:
        batch_op.drop_index('ix_scores_run_product')
        batch_op.drop_index(batch_op.f('ix_scores_product_id'))

    op.drop_table('scores')
    op.drop_table('shortlist_items')
    with op.batch_alter_table('scoring_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scoring_runs_run_id'))

    op.drop_table('scoring_runs')
    with op.batch_alter_table('run_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_run_sources_run_id'))

    op.drop_table('run_sources')
    with op.batch_alter_table('run_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_run_failures_subject'))
        batch_op.drop_index(batch_op.f('ix_run_failures_run_id'))

    op.drop_table('run_failures')
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_index('ix_observations_series')
        batch_op.drop_index(batch_op.f('ix_observations_run_id'))

    op.drop_table('observations')
    with op.batch_alter_table('edges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_edges_target_artifact_id'))
        batch_op.drop_index(batch_op.f('ix_edges_run_id'))
        batch_op.drop_index('ix_edges_pair')

    op.drop_table('edges')
    with op.batch_alter_table('benchmark_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_benchmark_results_run_id'))
        batch_op.drop_index(batch_op.f('ix_benchmark_results_artifact_id'))

    op.drop_table('benchmark_results')
    with op.batch_alter_table('artifact_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_artifact_aliases_artifact_id'))

    op.drop_table('artifact_aliases')
    op.drop_table('source_urls')
    op.drop_table('shortlists')
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_runs_status'))

    op.drop_table('runs')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_products_organization'))

    op.drop_table('products')
    op.drop_table('organizations')
    op.drop_table('metrics')
    op.drop_table('locks')
    op.drop_table('http_cache')
    with op.batch_alter_table('artifacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_artifacts_owner'))

    op.drop_table('artifacts')
