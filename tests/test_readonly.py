"""The dashboard reads through a read-only connection: the database itself refuses a write.

`Store.read_only` refuses writes in Python (tests/test_store.py); these tests go under it, with
raw SQL on the dashboard's own engine, so a code path that forgot the flag could not write either.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ossimpact.store import Store, StoreReadOnlyError, open_store

_WRITES = (
    "INSERT INTO runs (kind, status, started_at, heartbeat_at) "
    "SELECT kind, status, started_at, heartbeat_at FROM runs",
    "UPDATE runs SET status = 'succeeded'",
    "DELETE FROM runs",
    "CREATE TABLE intruder (id INTEGER)",
)


@pytest.fixture
def reader(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Store]:
    """The store handle the dashboard itself opens (dashboard/data.py), on a migrated SQLite file."""
    from dashboard import data

    url = f"sqlite:///{tmp_path / 'ossimpact.db'}"
    writer = open_store(url)
    writer.start_run("collect", "huggingface")
    writer.close()
    monkeypatch.setenv("OSSIMPACT_DATABASE_URL", url)
    data._reader.clear()
    handle = data.store()
    try:
        yield handle
    finally:
        data._reader.clear()
        handle.close()


def test_dashboard_store_is_opened_read_only_with_sqlite_mode_ro(reader: Store) -> None:
    assert reader.read_only
    url = reader.engine.url
    assert "mode=ro" in str(url)
    with pytest.raises(StoreReadOnlyError):
        reader.set_meta("intruder", "x")


@pytest.mark.parametrize("statement", _WRITES)
def test_sqlite_refuses_a_raw_write_through_the_dashboard_connection(
    reader: Store, statement: str
) -> None:
    with (
        pytest.raises(DBAPIError, match=r"readonly|read-only|read only"),
        reader.engine.begin() as connection,
    ):
        connection.execute(text(statement))
    assert [run.status for run in reader.runs()] == ["running"]  # nothing changed


@pytest.mark.postgres
@pytest.mark.parametrize("statement", _WRITES)
def test_postgres_read_only_store_refuses_a_raw_write(postgres_url: str, statement: str) -> None:
    writer = open_store(postgres_url)
    writer.start_run("collect", "huggingface")
    writer.close()
    reader = open_store(postgres_url, read_only=True)
    try:
        with (
            pytest.raises(DBAPIError, match="read-only transaction"),
            reader.engine.begin() as connection,
        ):
            connection.execute(text(statement))
        runs = reader.runs()
    finally:
        reader.close()
    assert [run.status for run in runs] == ["running"]
