"""The store's tables (SQLAlchemy Core). Migrations in `migrations/versions` create them.

Observations are the bulk (10,000 artifacts × ~10 metrics a day): they are split into groups
(run, artifact, time, source URL) and values (group, metric, value); artifact ids, metric names and
source URLs are looked up in their own tables. Artifacts have a stable integer id; their platform id may change on a rename,
the old one stays reachable through `artifact_aliases`.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ossimpact.store.types import UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only makes an INTEGER PRIMARY KEY the rowid (no extra index); PostgreSQL needs 64 bits.
BigId = BigInteger().with_variant(Integer(), "sqlite")

organizations = Table(
    "organizations",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("name_zh", String(300)),
    Column("kind", String(50)),
    Column("city", String(100)),
    Column("evidence", JSON, nullable=False),
    Column("confidence", String(10)),
    Column("huggingface", JSON, nullable=False),
    Column("github", JSON, nullable=False),
    Column("modelscope", JSON),  # revision 0008; NULL before it
    Column("opendatalab", JSON),
    Column("notes", Text),
    Column("registry_source", String(300), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

products = Table(
    "products",
    metadata,
    Column("id", String(300), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("category", String(20), nullable=False),
    Column("organization", String(100), nullable=False, index=True),
    Column("include", JSON, nullable=False),
    Column("description", Text),
    Column("implicit", Boolean, nullable=False),
    Column("registry_source", String(300), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("source", String(100)),
    Column("status", String(20), nullable=False, index=True),
    Column("started_at", UtcDateTime, nullable=False),
    Column("heartbeat_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime),
    # Totals given to finish_run; NULL means "sum what each source reported".
    Column("requests", Integer),
    Column("not_modified", Integer),
    Column("graphql_points", Integer),
    Column("rate_limit_waits", Integer),
    Column("rate_limit_wait_seconds", Float),
    Column("paced_seconds", Float),
    Column("stopped_reason", String(500)),
    Column("message", Text),
)

run_sources = Table(
    "run_sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("runs.id"), nullable=False, index=True),
    Column("source", String(100), nullable=False),
    Column("requests", Integer, nullable=False),
    Column("not_modified", Integer, nullable=False),
    Column("graphql_points", Integer, nullable=False),
    Column("rate_limit_waits", Integer, nullable=False),
    Column("rate_limit_wait_seconds", Float, nullable=False),
    Column("paced_seconds", Float, nullable=False, server_default="0"),
    Column("stopped_reason", String(500)),
    Column("recorded_at", UtcDateTime, nullable=False),
)

run_failures = Table(
    "run_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("runs.id"), nullable=False, index=True),
    Column("subject", String(300), nullable=False, index=True),
    Column("source", String(100), nullable=False),
    Column("reason", String(30), nullable=False),
    Column("detail", Text, nullable=False),
)

artifacts = Table(
    "artifacts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("platform_id", String(300), nullable=False, unique=True),
    Column("platform", String(2), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("owner", String(100), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("owner_handle", String(100), nullable=False),
    Column("created_at", UtcDateTime),
    Column("last_modified", UtcDateTime),
    Column("license", String(200)),
    Column("pipeline_tag", String(200)),
    Column("library", String(200)),
    Column("language", String(200)),
    Column("gated", Boolean),
    Column("archived", Boolean),
    Column("is_fork", Boolean),
    Column("description", Text),
    Column("topics", JSON, nullable=False),
    Column("extra", JSON, nullable=False),
    Column("tracked", Boolean, nullable=False),
    Column("first_seen_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

artifact_aliases = Table(
    "artifact_aliases",
    metadata,
    Column("alias", String(300), primary_key=True),
    Column("artifact_id", ForeignKey("artifacts.id"), nullable=False, index=True),
    Column("recorded_at", UtcDateTime, nullable=False),
)

metrics = Table(
    "metrics",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
)

source_urls = Table(
    "source_urls",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", String(2000), nullable=False, unique=True),
)

# One observation group per (run, artifact, time, source URL): a daily run reads an artifact's
# ~10 figures from one or two URLs at one moment, so those columns are stored once per group and
# each figure is a (group, metric, value) row of ~15 bytes (a WITHOUT ROWID table on SQLite,
# clustered on its key). This keeps a year of 10,000 artifacts under 1 GB.
observation_groups = Table(
    "observation_groups",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("run_id", ForeignKey("runs.id"), nullable=False, index=True),
    Column("artifact_id", ForeignKey("artifacts.id"), nullable=False),
    Column("observed_at", UtcDateTime, nullable=False),
    Column("source_url_id", ForeignKey("source_urls.id"), nullable=False),
    Index("ix_observation_groups_series", "artifact_id", "observed_at"),
)

observation_values = Table(
    "observation_values",
    metadata,
    Column("group_id", ForeignKey("observation_groups.id"), primary_key=True),
    Column("metric_id", ForeignKey("metrics.id"), primary_key=True),
    Column("value", Float, nullable=False),
    Column("reobserved", Boolean, nullable=False),
    sqlite_with_rowid=False,
)

# Derived, not evidence: the newest counted group per (artifact, metric), kept up to date when a
# run finishes (succeeded or partial) so "latest figures" is a key lookup, not a history scan.
observation_latest = Table(
    "observation_latest",
    metadata,
    Column("artifact_id", ForeignKey("artifacts.id"), primary_key=True),
    Column("metric_id", ForeignKey("metrics.id"), primary_key=True),
    Column("group_id", ForeignKey("observation_groups.id"), nullable=False),
    Column("observed_at", UtcDateTime, nullable=False),
)

edges = Table(
    "edges",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("run_id", ForeignKey("runs.id"), nullable=False, index=True),
    Column("source_artifact_id", ForeignKey("artifacts.id"), nullable=False),
    Column("target_artifact_id", ForeignKey("artifacts.id"), nullable=False, index=True),
    Column("relation", String(20), nullable=False),
    Column("observed_at", UtcDateTime, nullable=False),
    Column("source_url_id", ForeignKey("source_urls.id"), nullable=False),
    Index("ix_edges_pair", "source_artifact_id", "target_artifact_id", "relation"),
)

benchmark_results = Table(
    "benchmark_results",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("run_id", ForeignKey("runs.id"), nullable=False, index=True),
    Column("artifact_id", ForeignKey("artifacts.id"), nullable=False, index=True),
    Column("benchmark", String(200), nullable=False),
    Column("raw_name", String(200), nullable=False),
    Column("metric", String(200), nullable=False),
    Column("value", Float, nullable=False),
    Column("source", String(100), nullable=False),
    Column("trust", String(20), nullable=False),
    Column("observed_at", UtcDateTime, nullable=False),
    Column("source_url_id", ForeignKey("source_urls.id"), nullable=False),
    Column("split", String(200)),
    Column("scaled", Float),
    Column("percent", Float),  # revision 0007: NULL for results stored before it
)

http_cache = Table(
    "http_cache",
    metadata,
    # sha256 of the URL: URLs can outgrow an index key; the URL itself is kept alongside.
    Column("url_key", String(64), primary_key=True),
    Column("url", Text, nullable=False),
    Column("etag", String(500)),
    Column("last_modified", String(100)),
    Column("body", LargeBinary, nullable=False),
    Column("fetched_at", UtcDateTime, nullable=False),
)

scoring_runs = Table(
    "scoring_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", ForeignKey("runs.id"), nullable=False, index=True),
    Column("methodology_version", String(100), nullable=False),
    Column("as_of", UtcDateTime, nullable=False),
    Column("input_run_ids", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    # the recorded membership (member_sets.id); NULL for runs scored before memberships were
    # recorded (revision 0004). No foreign key: SQLite cannot add one to an existing table.
    Column("member_set_id", Integer),
    # official | as_of | trial (migration 0005): only an official run is the default ranking.
    Column("purpose", String(20), nullable=False, server_default="official"),
    Column("methodology_hash", String(64)),  # SHA-256 of the methodology file's content
)

scores = Table(
    "scores",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("scoring_run_id", ForeignKey("scoring_runs.id"), nullable=False),
    Column("product_id", String(300), nullable=False, index=True),
    Column("category", String(20), nullable=False),
    Column("methodology_version", String(100), nullable=False),
    Column("total", Float, nullable=False),
    Column("rank", Integer, nullable=False),
    Column("rank_low", Integer, nullable=False),
    Column("rank_high", Integer, nullable=False),
    Column("top_n_share", Float, nullable=False),
    Column("coverage", Float, nullable=False),
    Column("cohort", String(100)),
    Column("contributions", JSON, nullable=False),
    Column("flags", JSON, nullable=False),
    Index("ix_scores_run_product", "scoring_run_id", "product_id"),
)

# Which artifacts each product of a scoring run grouped, and how (registry | family | own |
# cross-hub): what the product page and the members export show for that run. Runs with the same
# membership share one set (by the fingerprint of its rows): memberships change rarely.
member_sets = Table(
    "member_sets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
)

scoring_members = Table(
    "scoring_members",
    metadata,
    Column("member_set_id", ForeignKey("member_sets.id"), primary_key=True),
    Column("product_id", String(300), primary_key=True),
    Column("artifact", String(300), primary_key=True),
    Column("product_name", String(300), nullable=False),
    Column("organization", String(100), nullable=False),
    Column("category", String(20), nullable=False),
    Column("grouped_by", String(20), nullable=False),
)

shortlists = Table(
    "shortlists",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("name", "version"),
)

shortlist_items = Table(
    "shortlist_items",
    metadata,
    Column("shortlist_id", ForeignKey("shortlists.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("product_id", String(300), nullable=False),
    Column("note", Text, nullable=False),
)

locks = Table(
    "locks",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("acquired_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

store_meta = Table(
    "store_meta",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Evidence tables: rows are appended by runs and never changed (enforced by triggers).
APPEND_ONLY_TABLES = ("observation_groups", "observation_values", "edges", "benchmark_results")
