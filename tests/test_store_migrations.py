"""Migrations: up, down to nothing, up again, on SQLite and PostgreSQL; engine settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text

from ossimpact.domain import ArtifactId, CollectionResult, CollectionStats, Observation
from ossimpact.store import StoreConfigError, StoreSchemaError, open_store
from ossimpact.store import migrate as migrations
from ossimpact.store.schema import metadata

TABLES = set(metadata.tables)
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def _tables(url: str) -> set[str]:
    store = open_store(url, migrate=False)
    try:
        return set(inspect(store.engine).get_table_names()) - {"alembic_version"}
    finally:
        store.close()


def test_upgrade_downgrade_upgrade(store_url: str) -> None:
    store = open_store(store_url)
    try:
        assert _tables(store_url) == TABLES
        store.migrate()  # idempotent
        assert migrations.current_revision(store.engine) == migrations.head_revision()
        migrations.downgrade(store.engine, "base")
        assert _tables(store_url) == set()
        assert migrations.current_revision(store.engine) is None
        store.migrate()
        assert _tables(store_url) == TABLES
        # The triggers came back with the tables.
        store.record_collection(run_id := store.start_run("collect"), _one_figure())
        store.finish_run(run_id, "succeeded")
        with store.engine.connect() as connection:
            with pytest.raises(Exception, match="append-only"):
                connection.execute(text("DELETE FROM observation_values"))
            connection.rollback()
            with pytest.raises(Exception, match="append-only"):
                connection.execute(text("DELETE FROM observation_groups"))
    finally:
        store.close()


def _one_figure() -> CollectionResult:
    return CollectionResult(
        "hf", observations=[Observation(ArtifactId.gh_repo("a/b"), "stars", 1, T0, "u")]
    )


def test_0003_moves_observations_into_groups(store_url: str) -> None:
    store = open_store(store_url, migrate=False)
    try:
        migrations.upgrade(store.engine, "0002")
        now = _now_literal(store_url)
        with store.engine.begin() as connection:
            for statement in (
                "INSERT INTO runs (kind, status, started_at, heartbeat_at) VALUES"
                " ('collect', 'succeeded', :now, :now), ('collect', 'running', :now, :now)",
                "INSERT INTO metrics (name) VALUES ('stars'), ('forks')",
                "INSERT INTO source_urls (url) VALUES ('https://api.github.com/repos/a/b')",
                "INSERT INTO artifacts (platform_id, platform, kind, owner, name, owner_handle,"
                " topics, extra, tracked, first_seen_at, updated_at) VALUES"
                " ('gh:a/b', 'gh', 'repo', 'a', 'b', 'a', '[]', '{}', true, :now, :now)",
                # run 1 (succeeded): stars 10 and forks 2 in one reading; run 2 (killed): stars 99
                "INSERT INTO observations (run_id, artifact_id, metric_id, value, observed_at,"
                " source_url_id, reobserved) VALUES (1, 1, 1, 10, :now, 1, false),"
                " (1, 1, 2, 2, :now, 1, false), (2, 1, 1, 99, :now, 1, false)",
            ):
                connection.execute(text(statement), {"now": now})
        store.migrate()
        latest = store.latest_observations()
        repo = ArtifactId.gh_repo("a/b")
        assert {key: o.value for key, o in latest.items()} == {
            (repo, "stars"): 10,
            (repo, "forks"): 2,
        }
        assert latest[(repo, "stars")].observed_at == T0
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM observation_groups")).scalar() == 2
            assert connection.execute(text("SELECT count(*) FROM observation_values")).scalar() == 3
        migrations.downgrade(store.engine, "0002")
        with store.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT run_id, metric_id, value FROM observations ORDER BY id")
            ).all()
        assert [tuple(r) for r in rows] == [(1, 1, 10.0), (1, 2, 2.0), (2, 1, 99.0)]
    finally:
        store.close()


def _now_literal(url: str) -> object:
    # Raw SQL sees the storage form: epoch microseconds on SQLite, timestamptz on PostgreSQL.
    return int(T0.timestamp()) * 1_000_000 if url.startswith("sqlite") else T0


def test_read_only_store_refuses_an_unmigrated_database(store_url: str) -> None:
    assert _tables(store_url) == set()  # connects, which creates an empty SQLite file
    with pytest.raises(StoreSchemaError, match="run the migrations"):
        open_store(store_url, read_only=True)


@pytest.mark.sqlite_only("PRAGMA journal_mode, foreign_keys and busy_timeout of a SQLite file")
def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    try:
        with store.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
    finally:
        store.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a database URL"),
        ("mysql://u:secret@h/db", "unsupported database"),
        ("sqlite://", "needs a SQLite file path"),
    ],
)
def test_bad_urls_get_clear_errors(url: str, message: str) -> None:
    with pytest.raises(StoreConfigError, match=message) as raised:
        open_store(url)
    assert "secret" not in str(raised.value)


@pytest.mark.sqlite_only("a read-only open of a missing SQLite file path")
def test_read_only_needs_an_existing_file(tmp_path: object) -> None:
    with pytest.raises(StoreConfigError, match="no SQLite database"):
        open_store(f"sqlite:///{tmp_path}/missing.db", read_only=True)


def test_0006_adds_the_paced_seconds(store_url: str) -> None:
    store = open_store(store_url, migrate=False)
    try:
        migrations.upgrade(store.engine, "0005")
        now = _now_literal(store_url)
        with store.engine.begin() as connection:
            for statement in (
                "INSERT INTO runs (kind, source, status, started_at, heartbeat_at) VALUES"
                " ('collect', 'github', 'succeeded', :now, :now)",
                "INSERT INTO run_sources (run_id, source, requests, not_modified, graphql_points,"
                " rate_limit_waits, rate_limit_wait_seconds, recorded_at)"
                " VALUES (1, 'github', 7, 0, 0, 0, 0, :now)",
            ):
                connection.execute(text(statement), {"now": now})
        store.migrate()
        (older,) = store.runs()
        assert (older.requests, older.paced_seconds) == (7, 0.0)  # nothing was paced then
        run_id = store.start_run("collect", "github")
        stats = CollectionStats(requests=3, paced_seconds=41.5)
        store.record_collection(run_id, CollectionResult("github", stats=stats))
        store.finish_run(run_id, "succeeded", stats)
        newest = store.runs()[0]
        assert (newest.id, newest.requests, newest.paced_seconds) == (run_id, 3, 41.5)
        migrations.downgrade(store.engine, "0005")
        for table in ("runs", "run_sources"):
            columns = {c["name"] for c in inspect(store.engine).get_columns(table)}
            assert "paced_seconds" not in columns
            assert "rate_limit_wait_seconds" in columns
    finally:
        store.close()
