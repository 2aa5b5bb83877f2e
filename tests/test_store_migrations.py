"""Migrations: up, down to nothing, up again, on SQLite and PostgreSQL; engine settings."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from ossimpact.store import StoreConfigError, StoreSchemaError, open_store
from ossimpact.store import migrate as migrations
from ossimpact.store.schema import metadata

TABLES = set(metadata.tables)


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
        run_id = store.start_run("collect")
        with store.engine.begin() as connection:
            connection.execute(text("INSERT INTO metrics (name) VALUES ('likes')"))
            connection.execute(text("INSERT INTO source_urls (url) VALUES ('u')"))
            connection.execute(
                text(
                    "INSERT INTO artifacts (platform_id, platform, kind, owner, name, owner_handle,"
                    " topics, extra, tracked, first_seen_at, updated_at) VALUES"
                    " ('gh:a/b', 'gh', 'repo', 'a', 'b', 'a', '[]', '{}', true,"
                    " :now, :now)"
                ),
                {"now": _now_literal(store_url)},
            )
        with store.engine.connect() as connection:
            connection.execute(
                text(
                    "INSERT INTO observations (run_id, artifact_id, metric_id, value, observed_at,"
                    " source_url_id, reobserved) VALUES (:run, 1, 1, 1.0, :now, 1, false)"
                ),
                {"run": run_id, "now": _now_literal(store_url)},
            )
            connection.commit()
            with pytest.raises(Exception, match="append-only"):
                connection.execute(text("DELETE FROM observations"))
    finally:
        store.close()


def _now_literal(url: str) -> object:
    # Raw SQL sees the storage form: epoch microseconds on SQLite, timestamptz on PostgreSQL.
    return 1_740_816_000_000_000 if url.startswith("sqlite") else "2025-03-01T08:00:00+00:00"


def test_read_only_store_refuses_an_unmigrated_database(store_url: str) -> None:
    assert _tables(store_url) == set()  # connects, which creates an empty SQLite file
    with pytest.raises(StoreSchemaError, match="run the migrations"):
        open_store(store_url, read_only=True)


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


def test_read_only_needs_an_existing_file(tmp_path: object) -> None:
    with pytest.raises(StoreConfigError, match="no SQLite database"):
        open_store(f"sqlite:///{tmp_path}/missing.db", read_only=True)
